"""Issue 20, finding 2: a field the reader sees masked can be neither filtered, sorted nor searched
by that reader, through any interface (data API, keyed open-data API, CKAN, downloads)."""

import json
from datetime import date

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartcounty.foundation.accounts import services as accounts
from smartcounty.foundation.catalog import services
from smartcounty.foundation.catalog.models import DataRow, Grant, Resource
from smartcounty.kernel import masking
from smartcounty.kernel.models import AuditEntry
from smartcounty.kernel.problems import ApiError

URLCONF = "smartcounty.foundation.catalog.tests.ckan_urls"
pytestmark = pytest.mark.urls(URLCONF)

API = "/api/v1/catalog"
CKAN = "/api/3/action/datastore_search"
SECRET = "13857290000"  # shown as 138****0000
ITEMS = [
    {"name": "phone", "title": "联系电话", "personal": "phone"},
    {"name": "site", "title": "站点"},
    {"name": "amount", "title": "金额", "data_type": "number"},
]
ROWS = [
    {"phone": SECRET, "site": "东关站", "amount": 600},
    {"phone": "13912345678", "site": "西关站", "amount": 650},
    {"phone": "13712340000", "site": "东关站", "amount": 700},
]


@pytest.fixture
def hotline(orgs):
    """Civil affairs' open dataset with a masked phone column."""
    res = services.create_resource(
        {"code": "216001/00007", "slug": "hotline", "name": "救助热线登记", "summary": "热线", "domain": "16",
         "sharing_type": "unconditional", "update_cycle": "monthly"}, ITEMS, provider_org_id=orgs["civil-affairs"].pk)
    services.publish_dataset(res.code, ROWS)
    services.open_resource(Resource.objects.get(pk=res.pk))
    return Resource.objects.select_related("current_version").get(pk=res.pk)


def _token(user, scopes=("catalog",)):
    return accounts.issue_token(user, "t", list(scopes))[1]


def _v1(user, resource, **params):
    c = Client()
    c.force_login(user)
    return c.get(f"{API}/resources/{resource.slug}/rows", params)


def _ckan(resource, secret=None, **params):
    body = {"resource_id": str(resource.datastore_uuid), **params}
    headers = {"HTTP_AUTHORIZATION": secret} if secret else {}
    return Client().post(CKAN, json.dumps(body), content_type="application/json", **headers)


def _recovered(payloads) -> str:
    """Every phone digit that any response shows beyond what the mask shows."""
    text = json.dumps(payloads, ensure_ascii=False)
    return SECRET[3:7] if SECRET[3:7] in text else ""


def test_other_departments_staff_cannot_filter_sort_or_search_a_masked_field(people, hotline):
    staff = people["health_staff"]
    seen = []
    for params in ({"filters": json.dumps({"phone": SECRET})}, {"filters": json.dumps({"phone": [SECRET, "1"]})},
                   {"sort": "phone"}, {"sort": "-phone"}):
        r = _v1(staff, hotline, **params)
        assert r.status_code == 403, (params, r.content)
        body = r.json()
        assert r["Content-Type"] == "application/problem+json" and body["field"] == "phone"
        assert body["errors"][0]["type"] == "not-queryable"
        seen.append(body)
    # what the viewer may see: all rows, the phone masked; filters on a visible field still work
    plain = _v1(staff, hotline).json()
    assert [row["phone"] for row in plain["rows"]][0] == "138****0000" and plain["masked"] == ["phone"]
    assert _v1(staff, hotline, filters=json.dumps({"site": "东关站"})).json()["total"] == 2
    assert _recovered(seen + [plain]) == ""
    refused = AuditEntry.objects.filter(action="catalog.read_refused", object_id=hotline.code)
    assert refused.count() == 4 and refused.first().detail["field"] == "phone"


def test_ckan_refuses_masked_fields_with_a_validation_error(people, hotline):
    secret = _token(people["health_staff"])
    seen = []
    for key, params in (("filters", {"filters": {"phone": SECRET}}), ("filters", {"filters": {"phone": [SECRET]}}),
                        ("sort", {"sort": "phone asc"}), ("sort", {"sort": '"phone" desc'}),
                        ("q", {"q": {"phone": "13857"}}), ("q", {"q": json.dumps({"phone": "13857"})})):
        for caller in (secret, None):  # staff of another department, and the public
            r = _ckan(hotline, caller, **params)
            assert r.status_code == 409, (params, r.content)
            error = r.json()["error"]
            assert error["__type"] == "Validation Error" and "phone" in error[key][0]
            seen.append(r.json())
    # full text searches only what the caller may query: a phone prefix finds nothing, for any value
    by_phone = _ckan(hotline, secret, q="1385729").json()["result"]
    by_other = _ckan(hotline, secret, q="1399999").json()["result"]
    assert by_phone["records"] == by_other["records"] == [] and by_phone["total"] == by_other["total"] == 0
    assert _ckan(hotline, secret, q="东关").json()["result"]["total"] == 2
    plain = _ckan(hotline, secret).json()["result"]
    assert plain["records"][0]["phone"] == "138****0000"
    assert _recovered(seen + [plain, by_phone]) == ""
    # there is no SQL action to go around it
    r = Client().get("/api/3/action/datastore_search_sql", {"sql": "SELECT * FROM hotline"})
    assert r.status_code == 400 and r.json()["success"] is False


def test_open_data_api_and_downloads_take_no_masked_queries(people, hotline):
    _app, key = services.register_app(people["resident"], "应用", per_minute=100)
    c = Client()
    url = f"{API}/open/{hotline.slug}/rows"
    for params in ({"filters": json.dumps({"phone": SECRET})}, {"sort": "-phone"}):
        r = c.get(url, params, HTTP_X_APP_KEY=key)
        assert r.status_code == 403 and r.json()["field"] == "phone", r.content
    assert c.get(url, {"filters": json.dumps({"amount": 650})}, HTTP_X_APP_KEY=key).json()["total"] == 1
    for fmt in ("csv", "json", "xlsx"):
        plain = c.get(f"/catalog/d/{hotline.slug}/download.{fmt}").content
        tried = c.get(f"/catalog/d/{hotline.slug}/download.{fmt}",
                      {"filters": json.dumps({"phone": SECRET}), "sort": "phone", "q": "1380000"}).content
        if fmt != "xlsx":  # an xlsx carries its creation time
            assert tried == plain
        assert SECRET.encode() not in plain
    assert "138****0000" in c.get(f"/catalog/d/{hotline.slug}/download.csv").content.decode("utf-8-sig")


def test_the_owner_and_an_unmasked_grant_still_query_the_field(people, orgs, hotline):
    owner = _v1(people["civil_staff"], hotline, filters=json.dumps({"phone": SECRET}), sort="-phone")
    assert owner.status_code == 200 and owner.json()["total"] == 1 and owner.json()["rows"][0]["phone"] == SECRET
    r = _ckan(hotline, _token(people["civil_staff"]), filters={"phone": SECRET}, q={"phone": "138572"})
    assert r.status_code == 200 and r.json()["result"]["records"][0]["phone"] == SECRET
    health = orgs["health"]
    grant = Grant.objects.create(resource=hotline, grantee_org_id=health.pk, grantee_org_code=health.code,
                                 fields=["phone", "site"], unmasked_fields=["phone"], starts_on=date.today(),
                                 expires_at=services.sharing._end_of_day(date.today()))
    holder = _v1(people["health_staff"], hotline, filters=json.dumps({"phone": SECRET}))
    assert holder.status_code == 200 and holder.json()["rows"] == [{"phone": SECRET, "site": "东关站"}]
    assert _ckan(hotline, _token(people["health_staff"]), sort="phone desc").status_code == 200
    # a grant that leaves the phone masked, or leaves a field out, does not let its holder query them
    Grant.objects.filter(pk=grant.pk).update(unmasked_fields=[])
    assert _v1(people["health_staff"], hotline, filters=json.dumps({"phone": SECRET})).status_code == 403
    r = _v1(people["health_staff"], hotline, filters=json.dumps({"amount": 600}))
    assert r.status_code == 403 and r.json()["field"] == "amount"


# -- property: no sequence of allowed queries tells apart two values that mask alike ---------------

_digits = st.text("0123456789", min_size=4, max_size=4)


def _queries(values):
    """Queries an attacker would send, many of them built from the candidate values themselves."""
    exact = st.sampled_from(values) | st.text("0123456789", min_size=1, max_size=11)
    part = st.builds(lambda v, i, j: v[min(i, j):max(i, j) + 1], st.sampled_from(values), st.integers(0, 10),
                     st.integers(0, 10))
    return st.lists(st.one_of(
        st.builds(lambda v: {"filters": {"phone": v}}, exact),
        st.builds(lambda a, b: {"filters": {"phone": [a, b]}}, exact, exact),
        st.builds(lambda v: {"q": {"phone": v}}, part),
        st.builds(lambda v: {"q": v}, part),
        st.sampled_from([{"sort": "phone"}, {"sort": "-phone"}, {"sort": "amount"}, {"sort": "-amount"},
                         {"filters": {"site": "东关站"}}, {"filters": {"amount": 600}}, {"q": "东关"}, {}]),
    ), min_size=1, max_size=8)


def _outcome(resource, viewer, query):
    if "ckan" in viewer:  # CKAN's own parsing of filters, sort and q, for a key of another department
        params = {**query, "sort": query["sort"].lstrip("-") + (" desc" if query["sort"][0] == "-" else "")} \
            if "sort" in query else query
        r = _ckan(resource, viewer["ckan"], **params)
        return (r.status_code, r.json().get("result"), r.json().get("error"))
    kwargs = {"filters": query.get("filters"), "sort": query.get("sort"), "search": query.get("q"),
              "audit_read": False}
    try:
        result = services.read_rows(resource, **viewer, **kwargs)
    except ApiError as exc:
        return ("refused", exc.status, exc.code, exc.field)
    return ("rows", result.total, result.rows)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prefix=st.sampled_from(["138", "139", "150", "186"]), middle=st.lists(_digits, min_size=3, max_size=3,
                                                                              unique=True),
       suffix=_digits, data=st.data())
def test_values_that_mask_alike_cannot_be_told_apart(people, hotline, prefix, middle, suffix, data):
    first, second, probe = (prefix + m + suffix for m in middle)  # all three mask alike
    assert masking.mask("phone", first) == masking.mask("phone", second) == masking.mask("phone", probe)
    queries = data.draw(_queries([first, second, probe]))
    row, other = DataRow.objects.filter(version=hotline.current_version).order_by("number")[:2]
    # a neighbour to sort against: the order of the two would tell which side of it the secret lies
    DataRow.objects.filter(pk=other.pk).update(data={**ROWS[1], "phone": probe})
    key = _token(people["health_staff"])
    viewers = ({"org_id": people["health_staff"].organisation_id}, {"public": True}, {"ckan": key})
    answers = []
    for value in (first, second):
        DataRow.objects.filter(pk=row.pk).update(data={**ROWS[0], "phone": value})
        answers.append([_outcome(hotline, viewer, q) for viewer in viewers for q in queries])
    assert answers[0] == answers[1]
