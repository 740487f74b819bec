"""My account and the organisations pages, and the menu entries."""

from django.urls import reverse

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
    from smartcounty.foundation.accounts import services

    services.issue_token(people["admin_a"], "gateway", ["accounts"])
    client.force_login(people["admin_a"])
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "县政府办公室" in page and "gateway" in page and "accounts.manage_member" in page


def test_menu_entries(client, people):
    assert {"accounts.organisations", "accounts.profile"} <= set(registry.menu)
    client.force_login(people["resident"])
    page = client.get("/").content.decode()
    assert reverse("accounts:organisations") in page and reverse("accounts:profile") in page
    client.logout()
    assert reverse("accounts:profile") not in client.get("/").content.decode()
