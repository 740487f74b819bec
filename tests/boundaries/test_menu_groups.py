"""The top bar stays short: every menu entry sits in one of the groups (``kernel.registry.MENU_GROUPS``), except
the few entries that are each role's home; a group a user sees one entry of is shown as that entry's link."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from smartcounty.kernel import registry
from smartcounty.kernel.context import navigation

TOP_LEVEL = {"portal", "portal.staff", "accounts.profile"}


def test_every_menu_entry_has_a_known_group():
    wrong = {e.key: e.group for e in registry.menu.values()
             if e.key not in TOP_LEVEL and e.group not in registry.MENU_GROUPS}
    assert not wrong, (f"menu entries without a known group: {wrong}; give each MenuEntry group= one of "
                       f"{sorted(registry.MENU_GROUPS)}")


def _nav(user, path="/"):
    request = RequestFactory().get(path)
    request.user = user
    return navigation(request)["nav_items"]


@pytest.mark.django_db
def test_anonymous_top_bar_is_grouped_and_single_entries_collapse():
    items = _nav(AnonymousUser(), "/environment/")
    keys = [i["key"] for i in items]
    assert keys[0] == "portal"
    groups = [i for i in items if "children" in i]
    assert groups and all(len(g["children"]) > 1 for g in groups)
    # the data group holds only the open-data portal for a visitor: shown as that link, not as a group
    assert "catalog.portal" in keys and "data" not in keys
    env = next(g for g in groups if g["key"] == "environment")
    assert env["active"] and [c["key"] for c in env["children"] if c["active"]] == ["environment"]
    assert all(not c.get("children") for g in groups for c in g["children"])
    assert len(items) <= 10


@pytest.mark.django_db
def test_platform_admin_sees_every_entry_once_in_a_bar_of_at_most_twelve(django_user_model):
    admin = django_user_model.objects.create_user("menu-admin", role="platform_admin", kind="staff")
    items = _nav(admin)
    links = [c["key"] for i in items for c in i.get("children", [i])]
    assert len(links) == len(set(links))
    assert set(links) >= {"cockpit", "cases.workbench", "plan", "accounts.organisations"}
    assert len(items) <= 12
