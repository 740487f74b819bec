"""Display masking of personal information: pure functions, no domain knowledge.

No national standard fixes the display patterns (GB/T 35273-2020 §6.2 only asks for
de-identification on display; see docs/standards-cn.md §7). The patterns here follow common practice:

- name: first character, the rest starred (``李**``);
- mobile phone: first 3 and last 4 digits (``180****1999``);
- resident ID number: first 3 and last 4 characters (``360***********0071``);
- address: the administrative part (up to the last 省/市/县/区/镇/乡/街道 within the
  first 16 characters) kept, the rest starred.

``mask(kind, value)`` dispatches on the kind names used by callers (``name``, ``phone``,
``id_number``, ``address``). ``None`` and empty values are returned unchanged. The
``looks_like_*`` helpers recognise values by pattern only; checksum validation of ID numbers
belongs to ``kernel.codes``.
"""

import functools
import re

STAR = "*"

KINDS = ("name", "phone", "id_number", "address")

_PHONE_RE = re.compile(r"^(?:\+?86[- ]?)?1[3-9]\d{9}$")
_ID_RE = re.compile(r"^[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]$")
_CJK_NAME_RE = re.compile(r"^[\u4e00-\u9fff]{2,4}(?:[·•][\u4e00-\u9fff]{1,10})?$")
# The most common surnames (about 85% of the population) and the compound ones; a value must start
# with one to count as a personal name, and must not end like a place or an organisation.
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
    "钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛"
    "邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝"
    "路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂"
    "全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝")
_COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "夏侯", "长孙",
                      "宇文", "司徒", "端木", "独孤", "南宫", "西门")
_NOT_NAME_ENDINGS = ("镇", "乡", "村", "街", "路", "道", "区", "县", "市", "省", "局", "站", "所", "厅", "处", "委", "办",
                     "院", "校", "厂", "店", "园", "场", "馆", "厕", "河", "湖", "山", "桥", "队", "组", "社", "司", "会",
                     "部", "中心", "小区", "公园", "井", "庄", "屯", "坡", "沟", "寨", "堡", "湾", "口")
_ADDRESS_MARKERS = ("省", "市", "县", "区", "旗", "镇", "乡", "街道", "村", "路", "街", "号", "巷", "小区")
_ADMIN_SUFFIXES = ("街道", "省", "市", "县", "区", "镇", "乡")
# Greedy: matches up to the last administrative suffix of the text it is given.
_ADMIN_RE = re.compile(".*(?:" + "|".join(_ADMIN_SUFFIXES) + ")", re.S)


def _keep(value: str, start: int, end: int) -> str:
    n = len(value)
    if n <= start + end:
        # Too short to keep both ends: keep at most the first character, star the rest.
        keep = min(start, max(n - 1, 0), 1)
        return value[:keep] + STAR * (n - keep)
    return value[:start] + STAR * (n - start - end) + value[n - end:]


def mask_name(value):
    if not value:
        return value
    value = str(value).strip()
    return value[:1] + STAR * max(len(value) - 1, 1)


def mask_phone(value):
    if not value:
        return value
    value = str(value).strip()
    digits = value if value.isdigit() else re.sub(r"\D", "", value)
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return _keep(digits, 3, 4)


def mask_id_number(value):
    if not value:
        return value
    return _keep(str(value).strip().upper(), 3, 4)


def mask_address(value):
    if not value:
        return value
    value = str(value).strip()
    m = _ADMIN_RE.match(value[:16])
    cut = m.end() if m else 0
    if cut == 0 or cut >= len(value):
        cut = min(len(value) // 3, len(value) - 1)
    return value[:cut] + STAR * min(len(value) - cut, 8)


_MASKERS = {"name": mask_name, "phone": mask_phone, "id_number": mask_id_number, "address": mask_address}


def masker(kind: str):
    """The masking function for ``kind``; an unknown kind is an error (never passes data through silently)."""
    try:
        return _MASKERS[kind]
    except KeyError:
        raise ValueError(f"unknown personal-data kind {kind!r}") from None


def mask(kind: str, value):
    """Mask ``value`` as ``kind`` (see ``masker``)."""
    return masker(kind)(value)


def looks_like_phone(value) -> bool:
    return bool(value) and bool(_PHONE_RE.match(re.sub(r"[\s-]", "", str(value).strip())))


def looks_like_id_number(value) -> bool:
    """Pattern only (area, plausible birth date, sequence, check character); no checksum."""
    return bool(value) and bool(_ID_RE.match(str(value).strip()))


_PERSON_TAGS = frozenset(("nr", "nrt", "nrfg"))


@functools.cache
def _tagger():
    """jieba's part-of-speech tokenizer on the default dictionary (the one catalog search uses),
    imported and loaded on first use only: about a second, once per process."""
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    return jieba.posseg.dt


def _is_common_words(text: str) -> bool:
    """``text`` splits, by jieba's dictionary alone (HMM off, so no guessed words), entirely into
    known words of two or more characters, none of them tagged as a personal name (``nr``,
    ``nrt``, ``nrfg``): ``全天`` (m), ``周末`` (t); not ``张伟`` (single characters) nor ``李四`` (nr)."""
    words = _tagger().lcut(text, HMM=False)
    return all(len(w.word) >= 2 and w.flag != "x" and w.flag not in _PERSON_TAGS for w in words)


def looks_like_name(value) -> bool:
    """A plausible Chinese personal name: two to four Han characters (optionally with a ``·`` part)
    starting with a common surname, not ending like a place or an organisation, and not made of
    common words only (``全天`` starts with the surname 全 but is a word)."""
    text = str(value or "").strip()
    if not _CJK_NAME_RE.match(text) or text.endswith(_NOT_NAME_ENDINGS):
        return False
    if not (text[0] in _SURNAMES or text.startswith(_COMPOUND_SURNAMES)):
        return False
    return not _is_common_words(text)


def looks_like_address(value) -> bool:
    text = str(value or "").strip()
    if len(text) < 6:
        return False
    return sum(1 for m in _ADDRESS_MARKERS if m in text) >= 2


# Personal data inside free text (a phone number typed into a report): found by pattern, masked in place.
_TEXT_ID_RE = re.compile(r"(?<![\dA-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
                         r"(?![\dA-Za-z])")
_TEXT_PHONE_RE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)")
_TEXT_LANDLINE_RE = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")
_TEXT_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def mask_email(value):
    if not value:
        return value
    local, _, domain = str(value).partition("@")
    return local[:1] + STAR * max(len(local) - 1, 1) + "@" + domain


def mask_text(text):
    """``text`` with the resident ID numbers, mobile and landline numbers and e-mail addresses in it masked."""
    if not text:
        return text
    text = _TEXT_ID_RE.sub(lambda m: mask_id_number(m.group()), str(text))
    text = _TEXT_PHONE_RE.sub(lambda m: mask_phone(m.group()), text)
    text = _TEXT_LANDLINE_RE.sub(lambda m: _keep(m.group(), 4, 2), text)
    return _TEXT_EMAIL_RE.sub(lambda m: mask_email(m.group()), text)
