"""Roles hold permissions only inside their own organisation."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartcounty.foundation.accounts import services
from smartcounty.foundation.accounts.roles import Role
from smartcounty.foundation.accounts.schemas import mask_phone
from smartcounty.kernel.models import AuditEntry
from smartcounty.kernel.problems import ApiError


def test_org_admin_manages_only_their_own_organisation(people, orgs):
    a, b = orgs["gov-office"], orgs["law-enforcement"]
    admin_a = people["admin_a"]
    assert admin_a.has_scoped_perm("accounts.manage_member", a.pk)
    assert not admin_a.has_scoped_perm("accounts.manage_member", b.pk)
    assert admin_a.has_scoped_perm("accounts.view_member", a.pk)
    assert not admin_a.has_scoped_perm("accounts.view_member", b.pk)


def test_staff_may_view_but_not_manage_members(people, orgs):
    staff = people["staff_a"]
    assert staff.has_scoped_perm("accounts.view_member", orgs["gov-office"].pk)
    assert not staff.has_scoped_perm("accounts.manage_member", orgs["gov-office"].pk)
    assert not people["grid_a"].has_scoped_perm("accounts.view_member", orgs["gov-office"].pk)


def test_residents_see_no_members_anywhere(people, orgs):
    resident = people["resident"]
    assert resident.has_scoped_perm("accounts.view_organisation")
    for org in orgs.values():
        assert not resident.has_scoped_perm("accounts.view_member", org.pk)


def test_platform_admin_and_inactive_users(people, orgs):
    assert people["platform"].has_scoped_perm("accounts.manage_member", orgs["pbc"].pk)
    people["admin_a"].is_active = False
    assert not people["admin_a"].has_scoped_perm("accounts.manage_member", orgs["gov-office"].pk)


def test_set_role_is_scoped_and_audited(people, orgs):
    a, b = orgs["gov-office"], orgs["law-enforcement"]
    with pytest.raises(ApiError) as err:
        services.set_role(people["staff_b"], Role.ORG_ADMIN, b, actor=people["admin_a"])
    assert err.value.status == 403
    with pytest.raises(ApiError):
        services.set_role(people["staff_a"], Role.ORG_ADMIN, b, actor=people["admin_a"])  # move into B
    with pytest.raises(ApiError):
        services.set_role(people["staff_a"], Role.PLATFORM_ADMIN, None, actor=people["admin_a"])
    with pytest.raises(ApiError):
        services.set_role(people["grid_a"], Role.STAFF, a, actor=people["staff_a"])
    with pytest.raises(ApiError):
        services.set_role(people["admin_a"], Role.STAFF, a, actor=people["admin_a"])  # not oneself
    assert not AuditEntry.objects.filter(action="accounts.role_change").exists()

    services.set_role(people["grid_a"], Role.STAFF, a, actor=people["admin_a"])
    people["grid_a"].refresh_from_db()
    assert people["grid_a"].role == Role.STAFF
    row = AuditEntry.objects.get(action="accounts.role_change")
    assert row.actor == "admin-a" and row.organisation_id == a.pk
    assert row.detail["before"]["role"] == "grid_worker" and row.detail["after"]["role"] == "staff"


def test_staff_roles_need_an_organisation_and_residents_have_none(people, orgs):
    with pytest.raises(ApiError) as err:
        services.set_role(people["resident"], Role.STAFF, None, actor=people["platform"])
    assert err.value.status == 422 and err.value.field == "organisation"
    services.set_role(people["staff_a"], Role.RESIDENT, orgs["gov-office"], actor=people["platform"])
    people["staff_a"].refresh_from_db()
    assert people["staff_a"].organisation_id is None and people["staff_a"].kind == "resident"


def test_permissions_of_each_role(people):
    own = [p for p in services.permissions_of(people["resident"]) if p.startswith("accounts.")]
    assert own == ["accounts.manage_token", "accounts.view_organisation"]
    assert "accounts.manage_member" in services.permissions_of(people["admin_a"])
    assert "accounts.manage_member" not in services.permissions_of(people["staff_a"])
    assert set(services.permissions_of(people["platform"])) >= set(services.permissions_of(people["admin_a"]))


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_masked_phone_keeps_only_the_ends(phone):
    masked = mask_phone(phone)
    assert len(masked) == 11 and masked[:3] == phone[:3] and masked[-4:] == phone[-4:]
    assert masked[3:7] == "****"


def test_mask_phone_edge_cases():
    assert mask_phone("") == ""
    assert mask_phone("12345") == "*****"


def test_a_role_change_is_published_after_commit(people, orgs, django_capture_on_commit_callbacks):
    from smartcounty.kernel import events

    seen = []
    handler = lambda name, payload: seen.append((name, payload))  # noqa: E731
    events.subscribe("accounts.role_changed", handler, module="accounts-test")
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.set_role(people["grid_a"], Role.STAFF, orgs["gov-office"], actor=people["admin_a"])
        assert seen == []
        for callback in callbacks:
            callback()
    finally:
        events.unsubscribe("accounts.role_changed", handler)
    assert seen == [("accounts.role_changed", {
        "user_id": people["grid_a"].pk, "role": "staff", "organisation_id": orgs["gov-office"].pk,
        "previous_role": "grid_worker", "previous_organisation_id": orgs["gov-office"].pk})]
