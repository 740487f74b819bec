"""Forms as data: the document checks, every field type's validation, conditions, and the JSON Schema
accepting exactly what the server accepts (checked with the ``jsonschema`` library)."""

import jsonschema
import pytest
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartcounty.foundation.cases.forms.document import FormError, check_document, fields
from smartcounty.foundation.cases.forms.render import collect, render_form
from smartcounty.foundation.cases.forms.schema import json_schema
from smartcounty.foundation.cases.forms.validation import check, validate
from smartcounty.kernel.codes import is_valid_resident_id, is_valid_uscc
from smartcounty.kernel.problems import ApiError

ID_OK, USCC_OK = "11010519491231002X", "91350100M000100Y43"
PDF = {"name": "licence.pdf", "content_type": "application/pdf", "size": 2048}
FORM = {"fields": [
    {"key": "name", "type": "text", "label": "申请人姓名", "required": True, "max_length": 10},
    {"key": "age", "type": "number", "label": "年龄", "integer": True, "min": 0, "max": 150},
    {"key": "area", "type": "number", "label": "面积", "min": 0.5},
    {"key": "born", "type": "date", "label": "出生日期"},
    {"key": "kind", "type": "choice", "label": "申请人类型", "required": True,
     "options": [{"value": "person", "label": "个人"}, {"value": "company", "label": "企业"}]},
    {"key": "id_number", "type": "id_number", "label": "身份证号", "required": True,
     "show_if": {"field": "kind", "equals": "person"}},
    {"key": "credit_code", "type": "credit_code", "label": "统一社会信用代码", "required": True,
     "show_if": {"field": "kind", "equals": "company"}},
    {"key": "sex", "type": "choice", "label": "性别", "code_list": "gb2261.sex"},
    {"key": "needs", "type": "choice", "label": "需要", "multiple": True,
     "options": [{"value": "a", "label": "甲"}, {"value": "b", "label": "乙"}]},
    {"key": "phone", "type": "phone", "label": "联系电话", "required_if": {"field": "kind", "in": ["company"]}},
    {"key": "where", "type": "place", "label": "位置", "bbox": [115.0, 36.0, 116.0, 37.0]},
    {"key": "licence", "type": "file", "label": "营业执照", "accept": ["application/pdf"], "max_bytes": 4096,
     "required_if": {"field": "credit_code", "filled": True}},
]}
BASE = {"name": "张三", "kind": "person", "id_number": ID_OK}


def errors_of(data):
    return {e.key: e.code for e in validate(FORM, data)[1]}


# ----- the document itself -----

@pytest.mark.parametrize(("doc", "path"), [
    ([], ""),
    ({"fields": []}, "fields"),
    ({"fields": [{"key": "A", "type": "text", "label": "x"}]}, "fields.0.key"),
    ({"fields": [{"key": "a", "type": "text", "label": "x"}, {"key": "a", "type": "text", "label": "y"}]},
     "fields.1.key"),
    ({"fields": [{"key": "a", "type": "colour", "label": "x"}]}, "fields.0.type"),
    ({"fields": [{"key": "a", "type": "text"}]}, "fields.0.label"),
    ({"fields": [{"key": "a", "type": "text", "label": "x", "max_length": 0}]}, "fields.0.max_length"),
    ({"fields": [{"key": "a", "type": "text", "label": "x", "min": 1}]}, "fields.0.min"),
    ({"fields": [{"key": "a", "type": "number", "label": "x", "min": 5, "max": 1}]}, "fields.0.max"),
    ({"fields": [{"key": "a", "type": "choice", "label": "x"}]}, "fields.0"),
    ({"fields": [{"key": "a", "type": "choice", "label": "x", "code_list": "nope"}]}, "fields.0.code_list"),
    ({"fields": [{"key": "a", "type": "choice", "label": "x", "options": [{"value": "a b", "label": "y"}]}]},
     "fields.0.options.0"),
    ({"fields": [{"key": "a", "type": "choice", "label": "x",
                  "options": [{"value": "a", "label": "y"}, {"value": "a", "label": "z"}]}]}, "fields.0.options.1.value"),
    ({"fields": [{"key": "a", "type": "file", "label": "x", "accept": ["text/html"]}]}, "fields.0.accept"),
    ({"fields": [{"key": "a", "type": "file", "label": "x", "max_bytes": 10**9}]}, "fields.0.max_bytes"),
    ({"fields": [{"key": "a", "type": "place", "label": "x", "bbox": [1, 2, 0, 3]}]}, "fields.0.bbox"),
    ({"fields": [{"key": "a", "type": "text", "label": "x", "show_if": {"field": "b", "filled": True}},
                 {"key": "b", "type": "text", "label": "y"}]}, "fields.0.show_if.field"),
    ({"fields": [{"key": "b", "type": "choice", "label": "y", "options": [{"value": "v", "label": "v"}]},
                 {"key": "a", "type": "text", "label": "x", "show_if": {"field": "b", "equals": "w"}}]},
     "fields.1.show_if.equals"),
    ({"fields": [{"key": "b", "type": "file", "label": "y"},
                 {"key": "a", "type": "text", "label": "x", "show_if": {"field": "b", "equals": "w"}}]},
     "fields.1.show_if"),
    ({"fields": [{"key": "b", "type": "text", "label": "y"},
                 {"key": "a", "type": "text", "label": "x", "required": True,
                  "required_if": {"field": "b", "filled": True}}]}, "fields.1.required_if"),
])
def test_bad_documents_name_the_part_at_fault(doc, path):
    issues = check_document(doc)
    assert issues and issues[0].path == path, issues
    assert all(i.message for i in issues)
    with pytest.raises(FormError):
        fields(doc)


def test_a_good_document_has_no_issues():
    assert check_document(FORM) == []
    sex = next(f for f in fields(FORM) if f.key == "sex")
    assert [c for c, _ in sex.options] == ["0", "1", "2", "9"] and sex.options[2][1]


# ----- every field type -----

@pytest.mark.parametrize(("key", "good", "bad"), [
    ("name", ["李四", "a" * 10], ["", "   ", "a" * 11, 5, None]),
    ("age", [0, 150, 42, 42.0], [-1, 151, 4.5, "42", True, None]),
    ("area", [0.5, 1e6], [0.4, "x", False]),
    ("born", ["2000-02-29", "1949-10-01"], ["2001-02-29", "2000-2-3", "20000203", 20000203, ""]),
    ("sex", ["1", "2"], ["3", 1, "男"]),
    ("needs", [["a"], ["a", "b"]], [[], ["a", "a"], ["c"], "a", [1]]),
    ("phone", ["13812345678", "0635-5123456", "06355123456"], ["12812345678", "1381234567", "635-5123456", 13812345678]),
    ("where", [{"lon": 115.45, "lat": 36.49}], [{"lon": 120, "lat": 36.5}, {"lon": 115.5}, [115.5, 36.5],
                                                {"lon": "115.5", "lat": 36.5}, {"lon": 115.5, "lat": 36.5, "z": 1}]),
])
def test_field_values(key, good, bad):
    for v in good:
        assert key not in errors_of({**BASE, key: v}), (key, v)
    for v in bad:
        assert errors_of({**BASE, key: v}).get(key) == "invalid", (key, v)


def test_id_numbers_are_checked_by_the_kernel_validator():
    assert errors_of(BASE) == {}
    for bad in ("110105194912310021", "11010519491231002x", "1101051949123100", "99010519491231002X",
                "11010519491332002X"):
        assert not (bad == bad.upper() and is_valid_resident_id(bad))
        assert errors_of({**BASE, "id_number": bad}) == {"id_number": "invalid"}, bad


def test_credit_codes_are_checked_by_the_kernel_validator():
    company = {"name": "甲公司", "kind": "company", "phone": "13812345678", "licence": PDF}
    assert errors_of({**company, "credit_code": USCC_OK}) == {}
    for bad in ("91350100M000100Y44", "91350100M000100Y4", "91350100m000100Y43", "91350100M0001O0Y43"):
        assert not (bad == bad.upper() and is_valid_uscc(bad))
        assert errors_of({**company, "credit_code": bad}) == {"credit_code": "invalid"}, bad


def test_files_by_type_and_size():
    company = {"name": "甲公司", "kind": "company", "phone": "13812345678", "credit_code": USCC_OK}
    assert errors_of({**company, "licence": PDF}) == {}
    for bad in ({**PDF, "content_type": "image/png"}, {**PDF, "size": 4097}, {**PDF, "size": 0},
                {**PDF, "name": ""}, {"name": "x.pdf"}, "licence.pdf"):
        assert errors_of({**company, "licence": bad}) == {"licence": "invalid"}, bad


def test_conditional_fields():
    # shown only when the condition holds, required while shown
    assert errors_of({"name": "x", "kind": "person"}) == {"id_number": "required"}
    assert errors_of({"name": "x", "kind": "company", "phone": "13812345678"}) == {"credit_code": "required"}
    assert errors_of({**BASE, "credit_code": USCC_OK, "licence": PDF}) == {"credit_code": "not-applicable"}
    # required_if: phone for companies only; the licence once a credit code is given
    company = {"name": "x", "kind": "company", "credit_code": USCC_OK}
    assert errors_of(company) == {"phone": "required", "licence": "required"}
    assert errors_of({**BASE, "phone": "13812345678"}) == {}
    # unknown keys and missing always-required fields
    assert errors_of({"kind": "person", "id_number": ID_OK, "colour": "red"}) == {"name": "required",
                                                                                  "colour": "unknown"}


def test_check_raises_a_problem_with_field_paths():
    with pytest.raises(ApiError) as exc:
        check(FORM, {"kind": "person", "id_number": "123", "age": -3})
    err = exc.value
    assert err.status == 422 and err.code == "invalid"
    assert {e["field"] for e in err.errors} == {"data.name", "data.id_number", "data.age"}
    assert all(e["message"] and e["in"] == "body" for e in err.errors)
    assert check(FORM, dict(BASE)) == BASE


# ----- the JSON Schema says what the server accepts -----

def _format_checker():
    checker = jsonschema.FormatChecker(formats=())
    checker.checks("cn-resident-id")(is_valid_resident_id)
    checker.checks("cn-uscc")(is_valid_uscc)

    @checker.checks("date", raises=ValueError)
    def _date(value):
        from datetime import date
        return not isinstance(value, str) or bool(date.fromisoformat(value))

    return checker


VALIDATOR = jsonschema.Draft202012Validator(json_schema(FORM), format_checker=_format_checker())


def test_the_schema_is_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(json_schema(FORM, title="申请表"))


VALUES = {
    "name": st.one_of(st.text(max_size=12), st.just("张三"), st.integers()),
    "age": st.one_of(st.integers(-5, 160), st.floats(-5, 160, allow_nan=False), st.booleans(), st.just("1")),
    "area": st.one_of(st.floats(0, 2, allow_nan=False), st.integers(-1, 3)),
    "born": st.one_of(st.dates().map(str), st.just("2001-02-29"), st.text(max_size=10)),
    "kind": st.sampled_from(["person", "company", "other", 1]),
    "id_number": st.sampled_from([ID_OK, "110105194912310021", "11010519491231002x", "", "abc"]),
    "credit_code": st.sampled_from([USCC_OK, "91350100M000100Y44", "91350100M000100Y4", ""]),
    "sex": st.sampled_from(["0", "1", "3", 1]),
    "needs": st.one_of(st.lists(st.sampled_from(["a", "b", "c"]), max_size=3), st.just("a")),
    "phone": st.one_of(st.from_regex(r"\A1[0-9]{10}\Z"), st.from_regex(r"\A0[0-9]{2,3}-?[0-9]{6,8}\Z"), st.text(max_size=3)),
    "where": st.one_of(st.fixed_dictionaries({"lon": st.floats(114, 117, allow_nan=False),
                                              "lat": st.floats(35, 38, allow_nan=False)}),
                       st.fixed_dictionaries({"lon": st.integers(115, 116)})),
    "licence": st.fixed_dictionaries({"name": st.sampled_from(["a.pdf", ""]),
                                      "content_type": st.sampled_from(["application/pdf", "image/png"]),
                                      "size": st.integers(-1, 5000)}),
    "extra": st.just("x"),
}


COMPANY = {"name": "甲公司", "kind": "company", "credit_code": USCC_OK, "phone": "13812345678", "licence": PDF}


@st.composite
def submissions(draw):
    """A good submission with a few answers changed, added or left out (about a third stay good)."""
    data = dict(draw(st.sampled_from([BASE, COMPANY, {}])))
    for key in draw(st.lists(st.sampled_from(sorted(VALUES)), max_size=3, unique=True)):
        data[key] = draw(VALUES[key])
    for key in draw(st.lists(st.sampled_from(sorted(data) or ["name"]), max_size=1)):
        data.pop(key, None)
    return data


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(submissions())
def test_the_schema_accepts_exactly_what_the_server_accepts(data):
    server_ok = not validate(FORM, data)[1]
    assert VALIDATOR.is_valid(data) == server_ok, (data, validate(FORM, data)[1],
                                                   [e.message for e in VALIDATOR.iter_errors(data)])


def test_agreement_on_hand_picked_cases():
    cases = [BASE, {"name": "x", "kind": "person"}, {**BASE, "credit_code": USCC_OK},
             {"name": "x", "kind": "company", "credit_code": USCC_OK, "phone": "13812345678", "licence": PDF},
             {"name": "x", "kind": "company", "credit_code": USCC_OK, "phone": "13812345678"}]
    for data in cases:
        assert VALIDATOR.is_valid(data) == (not validate(FORM, data)[1]), data


# ----- pages: collect a posted form and render it with errors -----

class _Upload:
    def __init__(self, name, body):
        import io
        self.name, self._io, self.size = name, io.BytesIO(body), len(body)

    def read(self, n=-1):
        return self._io.read(n)

    def seek(self, n):
        self._io.seek(n)


def test_collect_a_posted_page_form():
    post = QueryDict(mutable=True)
    post.update({"f_name": " 张三 ", "f_age": "42", "f_area": "1.5", "f_kind": "company", "f_id_number": ID_OK,
                 "f_credit_code": USCC_OK.lower(), "f_phone": "", "f_where.lon": "115.45", "f_where.lat": "36.49"})
    post.setlist("f_needs", ["a", "b"])
    data, uploads = collect(FORM, post, {"f_licence": _Upload("执照.pdf", b"%PDF-1.7 hello")})
    # the ID number belongs to a hidden field (a company applies): dropped; the blank phone left out
    assert data == {"name": "张三", "age": 42, "area": 1.5, "kind": "company", "credit_code": USCC_OK,
                    "needs": ["a", "b"], "where": {"lon": 115.45, "lat": 36.49},
                    "licence": {"name": "执照.pdf", "content_type": "application/pdf", "size": 14}}
    assert set(uploads) == {"licence"}
    assert validate(FORM, data)[1][0].key == "phone"
    data, _ = collect(FORM, post, {"f_licence": _Upload("x.pdf", b"<html>")})
    assert data["licence"]["content_type"] == "application/octet-stream"
    assert errors_of(data)["licence"] == "invalid"


@pytest.mark.django_db
def test_render_shows_labels_values_and_errors_escaped():
    data = {"name": "<script>alert(1)</script>", "kind": "person", "id_number": "123"}
    _clean, errors = validate(FORM, data)
    html = render_form(FORM, data, errors)
    assert "申请人姓名" in html and "统一社会信用代码" in html
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert 'data-show-field="f_kind"' in html and "id_f_id_number_error" in html
    assert 'name="f_where.lon"' in html and 'accept="application/pdf"' in html
    assert html.count('class="error field-error"') == len(errors)


def test_a_definitions_forms_are_checked_by_name():
    from smartcounty.foundation.cases.forms import filing_form, validate_forms

    assert validate_forms({"apply": FORM, "approve": {"fields": [{"key": "opinion", "type": "text", "label": "意见"}]}}) == []
    problems = validate_forms({"apply": {"fields": [{"key": "x", "type": "colour", "label": "x"}]}, "Bad": FORM})
    assert [p for p, _m in problems] == ["apply.fields.0.type", "Bad"]
    assert validate_forms([])[0][0] == ""

    class CT:
        forms = {"apply": FORM}

    assert filing_form(CT) is FORM and filing_form(object()) is None
