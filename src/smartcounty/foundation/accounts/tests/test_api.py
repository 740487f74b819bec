"""The accounts API: authentication, organisation scoping, bad input, tokens, query counts."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from smartcounty.foundation.accounts import services
from smartcounty.foundation.accounts.models import ApiToken, User
from smartcounty.foundation.accounts.tests.conftest import problem
from smartcounty.kernel.models import AuditEntry

API = "/api/v1/accounts"


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def as_user(client, user):
    client.force_login(user)
    return client


# -- anonymous callers -------------------------------------------------------------------

@pytest.mark.parametrize("method,path", [
    ("get", "/me"), ("get", "/organisations"), ("get", "/organisations/gov-office"),
    ("get", "/organisations/gov-office/members"), ("post", "/users/1/role"),
    ("get", "/tokens"), ("post", "/tokens"), ("delete", "/tokens/1"),
])
def test_anonymous_callers_are_refused(client, orgs, method, path):
    kwargs = {"data": {"role": "staff"}, "content_type": "application/json"} if method == "post" else {}
    problem(getattr(client, method)(API + path, **kwargs), 401, "not-authenticated")


def test_a_bogus_bearer_token_is_refused(client, orgs):
    problem(client.get(f"{API}/me", **bearer("sc_deadbeef_nope")), 401, "not-authenticated")


# -- /me and organisations -------------------------------------------------------------

def test_me(client, people):
    body = as_user(client, people["staff_a"]).get(f"{API}/me").json()
    assert body["username"] == "staff-a" and body["role"] == "staff"
    assert body["organisation"]["code"] == "gov-office"
    assert "accounts.view_member" in body["permissions"]


def test_organisations_list_filters_and_paginates(client, people, django_assert_max_num_queries):
    as_user(client, people["resident"])
    with django_assert_max_num_queries(4):
        body = client.get(f"{API}/organisations?limit=10").json()
    assert body["count"] == 37 and len(body["items"]) == 10
    assert body["items"][0]["code"] == "leading-group"
    body = client.get(f"{API}/organisations?kind=party").json()
    assert {o["name"] for o in body["items"]} == {"县委政法委", "县委网信办", "县委宣传部"}
    body = client.get(f"{API}/organisations", {"q": "公安"}).json()
    assert [o["code"] for o in body["items"]] == ["public-security"]
    body = client.get(f"{API}/organisations", {"q": "telecom"}).json()
    assert [o["code"] for o in body["items"]] == ["china-telecom"]
    problem(client.get(f"{API}/organisations?kind=church"), 422, "invalid")
    problem(client.get(f"{API}/organisations?limit=abc"), 422, "invalid")


def test_organisation_by_code(client, people):
    as_user(client, people["resident"])
    assert client.get(f"{API}/organisations/pbc").json()["name"] == "中国人民银行冠县支行"
    problem(client.get(f"{API}/organisations/nowhere"), 404, "not-found")


# -- members ---------------------------------------------------------------------------

def test_members_of_ones_own_organisation(client, people, django_assert_max_num_queries):
    as_user(client, people["staff_a"])
    audits = AuditEntry.objects.filter(action="accounts.members_read").count()
    with django_assert_max_num_queries(10):
        body = client.get(f"{API}/organisations/gov-office/members").json()
    assert body["count"] == 3
    assert {m["username"] for m in body["items"]} == {"admin-a", "staff-a", "grid-a"}
    phones = {m["username"]: m["phone"] for m in body["items"]}
    assert phones["staff-a"] == "138****1111" and phones["admin-a"] == ""
    assert AuditEntry.objects.filter(action="accounts.members_read").count() == audits + 1
    body = client.get(f"{API}/organisations/gov-office/members?role=org_admin").json()
    assert [m["username"] for m in body["items"]] == ["admin-a"]
    problem(client.get(f"{API}/organisations/gov-office/members?role=emperor"), 422, "invalid")
    problem(client.get(f"{API}/organisations/nowhere/members"), 404, "not-found")
    client.logout()
    problem(client.get(f"{API}/organisations/nowhere/members"), 401, "not-authenticated")


def test_members_query_count_does_not_grow_with_members(client, people, orgs, make_user,
                                                        django_assert_max_num_queries):
    for n in range(30):
        make_user(f"extra-{n}", "staff", orgs["gov-office"])
    as_user(client, people["admin_a"])
    with django_assert_max_num_queries(10):
        assert client.get(f"{API}/organisations/gov-office/members?limit=100").json()["count"] == 33


def test_members_of_another_organisation_are_refused(client, people):
    problem(as_user(client, people["admin_b"]).get(f"{API}/organisations/gov-office/members"), 403, "forbidden")
    problem(as_user(client, people["resident"]).get(f"{API}/organisations/gov-office/members"), 403, "forbidden")
    problem(as_user(client, people["grid_a"]).get(f"{API}/organisations/gov-office/members"), 403, "forbidden")
    assert not AuditEntry.objects.filter(action="accounts.members_read").exists()


def test_platform_admin_sees_every_organisations_members(client, people):
    assert as_user(client, people["platform"]).get(f"{API}/organisations/law-enforcement/members").json()["count"] == 2


# -- roles -----------------------------------------------------------------------------

def role(client, user, **body):
    return client.post(f"{API}/users/{user.pk}/role", data=json.dumps(body), content_type="application/json")


def test_org_admin_sets_a_role_in_their_organisation(client, people):
    as_user(client, people["admin_a"])
    response = role(client, people["grid_a"], role="staff", organisation="gov-office")
    assert response.status_code == 200, response.content
    assert response.json()["role"] == "staff"
    people["grid_a"].refresh_from_db()
    assert people["grid_a"].role == "staff"
    assert AuditEntry.objects.filter(action="accounts.role_change", object_id=str(people["grid_a"].pk)).count() == 1


def test_role_changes_across_organisations_are_refused(client, people):
    as_user(client, people["admin_a"])
    problem(role(client, people["staff_b"], role="org_admin", organisation="law-enforcement"), 403, "forbidden")
    problem(role(client, people["staff_a"], role="staff", organisation="law-enforcement"), 403, "forbidden")
    problem(role(client, people["staff_a"], role="platform_admin"), 403, "forbidden")
    as_user(client, people["staff_a"])
    problem(role(client, people["grid_a"], role="staff", organisation="gov-office"), 403, "forbidden")
    for name in ("staff_b", "staff_a", "grid_a"):
        people[name].refresh_from_db()
    assert (people["staff_b"].role, people["staff_a"].role, people["grid_a"].role) == ("staff", "staff", "grid_worker")
    assert not AuditEntry.objects.filter(action="accounts.role_change").exists()


@pytest.mark.parametrize("body,status,field", [
    (b"{not json", 400, None),
    ({"role": 7}, 422, "role"),
    ({"role": "staff", "organisation": "gov-office", "salary": 1}, 422, "salary"),
    ({"role": "king", "organisation": "gov-office"}, 422, "role"),
    ({"role": "staff", "organisation": "atlantis"}, 422, "organisation"),
    ({}, 422, "role"),
])
def test_bad_role_input_changes_nothing(client, people, body, status, field):
    as_user(client, people["admin_a"])
    data = body if isinstance(body, bytes) else json.dumps(body)
    response = client.post(f"{API}/users/{people['grid_a'].pk}/role", data=data, content_type="application/json")
    out = problem(response, status)
    if field:
        assert field in {e["field"] for e in out.get("errors", [])} | {out.get("field")}
    people["grid_a"].refresh_from_db()
    assert people["grid_a"].role == "grid_worker"
    assert not AuditEntry.objects.filter(action="accounts.role_change").exists()


def test_unknown_user_is_not_found(client, people):
    problem(role(as_user(client, people["platform"]), User(pk=999999), role="staff"), 404, "not-found")


# -- tokens ----------------------------------------------------------------------------

def create_token(client, **body):
    return client.post(f"{API}/tokens", data=json.dumps(body), content_type="application/json")


def test_token_lifecycle(client, people):
    as_user(client, people["staff_a"])
    response = create_token(client, name="sensor gateway", scopes=["accounts"], days=30)
    assert response.status_code == 201, response.content
    created = response.json()
    secret = created["secret"]
    assert secret.startswith("sc_") and created["prefix"] in secret
    token = ApiToken.objects.get(pk=created["id"])
    assert secret not in json.dumps(ApiToken.objects.filter(pk=token.pk).values().first(), default=str)
    assert token.digest == services._digest(secret)
    listed = client.get(f"{API}/tokens").json()
    assert listed["count"] == 1 and "secret" not in listed["items"][0]

    assert client.get(f"{API}/me").json()["token_scopes"] is None
    client.logout()
    me = client.get(f"{API}/me", **bearer(secret)).json()
    assert me["username"] == "staff-a" and me["token_scopes"] == ["accounts"]
    body = client.get(f"{API}/organisations/gov-office/members", **bearer(secret)).json()
    assert body["count"] == 3

    assert client.delete(f"{API}/tokens/{token.pk}", **bearer(secret)).status_code == 204
    problem(client.get(f"{API}/me", **bearer(secret)), 401, "not-authenticated")
    assert AuditEntry.objects.filter(action="accounts.token_revoke", object_id=str(token.pk)).count() == 1


def test_an_expired_token_is_refused(client, people):
    token, secret = services.issue_token(people["staff_a"], "old", ["*"], days=1)
    assert client.get(f"{API}/me", **bearer(secret)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    problem(client.get(f"{API}/me", **bearer(secret)), 401, "not-authenticated")


def test_a_token_of_an_inactive_user_is_refused(client, people):
    _, secret = services.issue_token(people["staff_a"], "t", ["*"])
    User.objects.filter(pk=people["staff_a"].pk).update(is_active=False)
    problem(client.get(f"{API}/me", **bearer(secret)), 401, "not-authenticated")


def test_an_out_of_scope_token_is_refused(client, people):
    _, secret = services.issue_token(people["staff_a"], "tokens only", ["accounts.manage_token"])
    problem(client.get(f"{API}/organisations", **bearer(secret)), 403, "forbidden")
    problem(client.get(f"{API}/organisations/gov-office/members", **bearer(secret)), 403, "forbidden")
    assert client.get(f"{API}/tokens", **bearer(secret)).status_code == 200
    _, narrow = services.issue_token(people["staff_a"], "orgs", ["accounts.view_organisation"])
    assert client.get(f"{API}/organisations", **bearer(narrow)).status_code == 200
    problem(client.get(f"{API}/organisations/gov-office/members", **bearer(narrow)), 403, "forbidden")
    problem(client.get(f"{API}/tokens", **bearer(narrow)), 403, "forbidden")


def test_tokens_are_private_to_their_owner(client, people):
    token, _ = services.issue_token(people["staff_b"], "b's", ["*"])
    as_user(client, people["admin_a"])
    assert client.get(f"{API}/tokens").json()["count"] == 0
    problem(client.delete(f"{API}/tokens/{token.pk}"), 404, "not-found")
    token.refresh_from_db()
    assert token.revoked_at is None
    assert as_user(client, people["platform"]).delete(f"{API}/tokens/{token.pk}").status_code == 204


@pytest.mark.parametrize("body,field", [
    ({"name": "x", "scopes": []}, "scopes"),
    ({"name": "x", "scopes": ["nonsense"]}, "scopes"),
    ({"name": "x", "scopes": ["*"], "days": 0}, "days"),
    ({"name": "x", "scopes": ["*"], "days": 5000}, "days"),
    ({"name": "", "scopes": ["*"]}, "name"),
    ({"name": "x", "scopes": "*"}, "scopes"),
    ({"name": "x", "scopes": ["*"], "owner": 1}, "owner"),
])
def test_bad_token_input_changes_nothing(client, people, body, field):
    as_user(client, people["staff_a"])
    out = problem(create_token(client, **body), 422, "invalid")
    assert field in {e["field"] for e in out.get("errors", [])} | {out.get("field")}
    assert not ApiToken.objects.exists()


def test_malformed_token_json_changes_nothing(client, people):
    as_user(client, people["staff_a"])
    problem(client.post(f"{API}/tokens", data=b"{", content_type="application/json"), 400, "malformed-json")
    assert not ApiToken.objects.exists()


def test_token_list_query_count(client, people, django_assert_max_num_queries):
    for n in range(20):
        services.issue_token(people["staff_a"], f"t{n}", ["*"])
    as_user(client, people["staff_a"])
    with django_assert_max_num_queries(4):
        assert client.get(f"{API}/tokens?limit=100").json()["count"] == 20


def test_never_expiring_token(client, people):
    as_user(client, people["staff_a"])
    response = create_token(client, name="forever", scopes=["accounts"], days=None)
    assert response.status_code == 201 and response.json()["expires_at"] is None


def test_the_openapi_document_describes_the_accounts_api(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/me", "/organisations", "/organisations/{code}", "/organisations/{code}/members",
                 "/users/{user_id}/role", "/tokens", "/tokens/{token_id}"):
        assert f"/api/v1/accounts{path}" in paths
