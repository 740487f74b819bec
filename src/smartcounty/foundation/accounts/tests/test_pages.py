"""My account and the organisations pages, and the menu entries."""

from django.urls import reverse

from smartcounty.foundation.accounts import services
from smartcounty.kernel import registry
from smartcounty.kernel.models import AuditEntry


def test_pages_need_a_sign_in(client, orgs):
    for url in (reverse("accounts:profile"), reverse("accounts:organisations"),
                reverse("accounts:organisation", args=["gov-office"])):
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_organisations_page_lists_filters_and_counts_members(client, people, django_assert_max_num_queries):
    client.force_login(people["resident"])
    with django_assert_max_num_queries(6):
        page = client.get(reverse("accounts:organisations")).content.decode()
    assert "数字冠县建设领导小组" in page and "中国人民银行冠县支行" in page
    page = client.get(reverse("accounts:organisations"), {"kind": "party"}).content.decode()
    assert "县委宣传部" in page and "县公安局" not in page
    page = client.get(reverse("accounts:organisations"), {"q": "气象"}).content.decode()
    assert "县气象局" in page and "县水利局" not in page


def test_members_shown_only_inside_ones_organisation_and_audited(client, people):
    url = reverse("accounts:organisation", args=["gov-office"])
    client.force_login(people["staff_a"])
    page = client.get(url).content.decode()
    assert "admin-a" in page and "138****1111" in page and "13800001111" not in page
    assert AuditEntry.objects.filter(action="accounts.members_read").count() == 1
    client.force_login(people["staff_b"])
    page = client.get(url).content.decode()
    assert "admin-a" not in page and "县政府办公室" in page
    client.force_login(people["resident"])
    assert "admin-a" not in client.get(url).content.decode()
    assert AuditEntry.objects.filter(action="accounts.members_read").count() == 1


def test_profile_shows_role_organisation_and_tokens(client, people):
    services.issue_token(people["admin_a"], "gateway", ["accounts"])
    client.force_login(people["admin_a"])
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "县政府办公室" in page and "gateway" in page
    # what he may do, in words (the permission's title), not as codes
    assert str(registry.permissions.get("accounts.manage_member").title) in page
    assert "accounts.manage_member" not in page


def test_a_residents_own_page_has_no_token_form(client, people):
    client.force_login(people["resident"])
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "Authorization" not in page and 'name="scopes"' not in page


def test_menu_entries(client, people):
    assert {"accounts.organisations", "accounts.profile"} <= set(registry.menu)
    client.force_login(people["resident"])
    page = client.get("/").content.decode()
    assert reverse("accounts:organisations") in page and reverse("accounts:profile") in page
    client.logout()
    assert reverse("accounts:profile") not in client.get("/").content.decode()


def test_tokens_are_created_shown_once_and_revoked_on_the_profile_page(client, people):
    from smartcounty.foundation.accounts.models import ApiToken

    client.force_login(people["staff_a"])
    url = reverse("accounts:profile")
    page = client.post(url, {"name": "my script", "scopes": ["accounts"], "days": "30"}).content.decode()
    token = ApiToken.objects.get(user=people["staff_a"])
    secret = page.split('<code id="new-token">')[1].split("</code>")[0]
    assert secret.startswith(f"sc_{token.prefix}_") and token.scopes == ["accounts"]
    assert client.get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    assert secret not in client.get(url).content.decode()
    # Bad input creates nothing.
    client.post(url, {"name": "", "scopes": ["accounts"], "days": "30"})
    client.post(url, {"name": "x", "scopes": ["root"], "days": "30"})
    client.post(url, {"name": "x", "scopes": ["accounts"], "days": "7"})
    assert ApiToken.objects.count() == 1
    # Someone else's token cannot be revoked from here.
    other, _ = services.issue_token(people["staff_b"], "b", ["*"])
    assert client.post(url, {"revoke": other.pk}).status_code == 404
    assert client.post(url, {"revoke": token.pk}).status_code == 302
    token.refresh_from_db()
    other.refresh_from_db()
    assert token.revoked_at is not None and other.revoked_at is None
    assert AuditEntry.objects.filter(action="accounts.token_revoke").count() == 1


def test_an_org_admin_changes_a_members_role_on_the_page(client, people):
    url = reverse("accounts:organisation", args=["gov-office"])
    client.force_login(people["admin_a"])
    page = client.get(url).content.decode()
    assert 'name="role"' in page and 'value="platform_admin"' not in page
    assert client.post(url, {"user": people["grid_a"].pk, "role": "staff"}).status_code == 302
    people["grid_a"].refresh_from_db()
    assert people["grid_a"].role == "staff"
    assert AuditEntry.objects.filter(action="accounts.role_change").count() == 1
    # No platform admins made here, no members of other organisations, no staff doing it.
    client.post(url, {"user": people["grid_a"].pk, "role": "platform_admin"})
    assert client.post(url, {"user": people["staff_b"].pk, "role": "staff"}).status_code == 404
    client.force_login(people["admin_b"])
    assert client.post(url, {"user": people["grid_a"].pk, "role": "org_admin"}).status_code == 403
    client.force_login(people["staff_a"])
    assert 'name="role"' not in client.get(url).content.decode()
    assert client.post(url, {"user": people["grid_a"].pk, "role": "org_admin"}).status_code == 403
    people["grid_a"].refresh_from_db()
    assert people["grid_a"].role == "staff"
    assert AuditEntry.objects.filter(action="accounts.role_change").count() == 1


def test_setting_a_member_to_resident_removes_them(client, people):
    client.force_login(people["admin_a"])
    client.post(reverse("accounts:organisation", args=["gov-office"]), {"user": people["staff_a"].pk, "role": "resident"})
    people["staff_a"].refresh_from_db()
    assert (people["staff_a"].role, people["staff_a"].organisation_id) == ("resident", None)
