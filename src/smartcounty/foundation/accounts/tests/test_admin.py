"""The back office: organisations and users editable (role changes audited), tokens read-only."""

import pytest
from django.contrib import admin
from django.urls import reverse

from smartcounty.foundation.accounts import services
from smartcounty.foundation.accounts.models import ApiToken, Organisation, User
from smartcounty.kernel.admin import AuditedModelAdmin
from smartcounty.kernel.models import AuditEntry


@pytest.fixture
def boss(make_user):
    return make_user("boss", "platform_admin", is_superuser=True)


def test_models_are_registered_with_audited_admins():
    for model in (Organisation, User, ApiToken):
        assert isinstance(admin.site._registry[model], AuditedModelAdmin)


def test_changing_a_role_in_the_admin_is_audited(client, boss, people, orgs):
    client.force_login(boss)
    staff = people["staff_a"]
    url = reverse("admin:accounts_user_change", args=[staff.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = {
        "username": staff.username, "display_name": "", "phone": staff.phone, "email": "", "first_name": "",
        "last_name": "", "kind": "staff", "role": "org_admin", "organisation": orgs["gov-office"].pk,
        "is_active": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    staff.refresh_from_db()
    assert staff.role == "org_admin"
    row = AuditEntry.objects.get(action="accounts.role_change")
    assert row.actor == "boss" and row.detail["before"] == {"role": "staff"} and row.detail["via"] == "admin"
    assert AuditEntry.objects.filter(action="admin.change", object_id=str(staff.pk)).exists()


def test_tokens_are_read_only_in_the_admin(client, boss, people):
    token, secret = services.issue_token(people["staff_a"], "t", ["*"])
    client.force_login(boss)
    page = client.get(reverse("admin:accounts_apitoken_change", args=[token.pk])).content.decode()
    assert token.digest in page and secret not in page
    assert client.get(reverse("admin:accounts_apitoken_add")).status_code == 403
    client.post(reverse("admin:accounts_apitoken_change", args=[token.pk]), {"name": "renamed"})
    token.refresh_from_db()
    assert token.name == "t"


def test_organisations_list_in_the_admin(client, boss, orgs):
    client.force_login(boss)
    page = client.get(reverse("admin:accounts_organisation_changelist") + "?kind=enterprise").content.decode()
    assert "中国移动冠县分公司" in page and "县公安局" not in page


def test_adding_a_staff_member_in_the_admin(client, boss, orgs):
    client.force_login(boss)
    response = client.post(reverse("admin:accounts_user_add"), {
        "username": "newbie", "password1": "Long-Enough-Pass-1", "password2": "Long-Enough-Pass-1",
        "usable_password": "true", "display_name": "新人", "role": "staff", "organisation": orgs["water"].pk,
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="newbie")
    assert (user.kind, user.role, user.organisation_id) == ("staff", "staff", orgs["water"].pk)
    assert user.password.startswith("argon2")
    assert AuditEntry.objects.filter(action="admin.add", object_id=str(user.pk)).exists()


def test_opening_a_users_page_in_the_admin_is_an_audited_read_of_the_phone(client, boss, people):
    client.force_login(boss)
    staff = people["staff_a"]
    assert client.get(reverse("admin:accounts_user_change", args=[staff.pk])).status_code == 200
    row = AuditEntry.objects.get(action="admin.personal_read")
    assert (row.actor, row.object_type, row.object_id) == ("boss", "accounts.user", str(staff.pk))
    assert row.detail["fields"] == ["phone"]
    # A user without personal data shown: nothing to record; the list page shows no phone.
    client.get(reverse("admin:accounts_user_change", args=[people["grid_a"].pk]))
    client.get(reverse("admin:accounts_user_changelist"))
    assert AuditEntry.objects.filter(action="admin.personal_read").count() == 1
