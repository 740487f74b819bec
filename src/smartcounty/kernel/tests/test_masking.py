import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartcounty.kernel import masking


@pytest.mark.parametrize(("value", "expected"), [
    ("李四", "李*"),
    ("张小明", "张**"),
    ("欧阳娜娜", "欧***"),
    ("王", "王*"),
])
def test_names_keep_the_first_character(value, expected):
    assert masking.mask_name(value) == expected


def test_phone_keeps_three_and_four_digits():
    assert masking.mask_phone("18012341999") == "180****1999"
    assert masking.mask_phone("+86 180-1234-1999") == "180****1999"


def test_id_number_keeps_three_and_four():
    # Valid test vector from docs/standards-cn.md §7.
    assert masking.mask_id_number("360426199101010071") == "360***********0071"
    assert masking.mask_id_number("12010319880601824x") == "120***********824X"


def test_address_keeps_the_administrative_part():
    assert masking.mask_address("山东省聊城市冠县清泉街道红旗路12号3单元") == "山东省聊城市冠县清泉街道********"
    assert masking.mask_address("冠县烟庄街道幸福小区5号楼").startswith("冠县烟庄街道")
    assert "5号楼" not in masking.mask_address("冠县烟庄街道幸福小区5号楼")


def test_empty_values_pass_and_unknown_kind_is_refused():
    assert masking.mask("name", "") == ""
    assert masking.mask("phone", None) is None
    with pytest.raises(ValueError):
        masking.mask("salary", "1000")


def test_detectors():
    assert masking.looks_like_id_number("360426199101010071")
    assert masking.looks_like_id_number("12010319880601824X")
    assert not masking.looks_like_id_number("360426199113010071")  # month 13
    assert not masking.looks_like_id_number("3604261991010100")
    assert masking.looks_like_phone("13812345678") and masking.looks_like_phone("+86 138-1234-5678")
    assert not masking.looks_like_phone("12812345678") and not masking.looks_like_phone("0635-5123456")
    assert masking.looks_like_name("张三") and not masking.looks_like_name("冠县人民政府办公室")
    assert masking.looks_like_name("欧阳娜娜") and masking.looks_like_name("李某某")
    for place in ("贾镇", "清泉街道", "柳林镇", "斜店乡", "冠县", "清水河"):
        assert not masking.looks_like_name(place), place
    assert masking.looks_like_address("冠县清泉街道红旗路12号")
    assert not masking.looks_like_address("空气质量优")


@given(st.text(min_size=1, max_size=40).filter(lambda s: s.strip()))
def test_masked_values_never_reveal_more_than_they_keep(value):
    for kind in ("name", "id_number", "address"):
        out = masking.mask(kind, value)
        # Fewer characters shown than the value has; a name shows at most its first character (so "王" shows
        # "王*"). Comparing ``out`` with the value is wrong: "0*" masks to "0*", its hidden character a star.
        # An identity number is upper-cased first ("ß" becomes "SS").
        shown, kept = len(out) - STAR_COUNT(out), value.strip().upper() if kind == "id_number" else value.strip()
        assert shown < len(kept) or (kind == "name" and shown == 1)
        assert STAR_COUNT(out) >= 1


@given(st.from_regex(r"1[3-9]\d{9}", fullmatch=True))
def test_phone_masking_keeps_length_and_hides_the_middle(phone):
    out = masking.mask_phone(phone)
    assert len(out) == 11 and out[:3] == phone[:3] and out[-4:] == phone[-4:] and out[3:7] == "****"


@given(st.from_regex(r"[1-9]\d{16}[\dX]", fullmatch=True))
def test_id_masking_hides_the_birth_date(idn):
    out = masking.mask_id_number(idn)
    assert len(out) == 18 and set(out[6:14]) == {"*"}


def STAR_COUNT(s):  # noqa: N802 - reads like a constant in the assertions above
    return s.count(masking.STAR)


def test_common_words_starting_with_a_surname_are_not_names():
    # 全 is a surname, but 全天 ("all day") is a dictionary word; 周末, 明天, 白天 likewise.
    for word in ("全天", "周末", "明天", "白天", "黄金", "方向", "马路", "安全", "程序"):
        assert not masking.looks_like_name(word), word
    for name in ("张三", "李某某", "欧阳娜娜", "李四", "王五", "张伟", "王小明"):
        assert masking.looks_like_name(name), name
    # jieba tags these places as personal names (nr); their endings tell them apart.
    for place in ("王府井", "高新区", "张家口", "石家庄", "李家屯", "王家沟", "马家堡", "柳树湾"):
        assert not masking.looks_like_name(place), place


_SOME_SURNAMES = "王李张刘陈杨赵吴周徐孙马朱胡郭何林罗郑梁"
_SOME_GIVEN = "伟娜秀敏静丽强磊艳勇杰娟涛霞刚芳婷浩宇欣怡"


@given(st.sampled_from(_SOME_SURNAMES), st.text(alphabet=_SOME_GIVEN, min_size=1, max_size=2))
def test_a_surname_and_one_or_two_given_name_characters_is_a_name(surname, given_name):
    assert masking.looks_like_name(surname + given_name)
