"""Cockpit panels over the real cases services: figures, map layer, the staff work list, and the
live items kept from the cases.* events."""

import pytest
from django.apps import apps

from smartcounty.foundation.cockpit import panels, services
from smartcounty.foundation.cockpit.schemas import PanelContext
from smartcounty.kernel import registry

pytestmark = pytest.mark.skipif(not apps.is_installed("smartcounty.foundation.cases"), reason="cases not installed")

KEY = "cockpit.testcase"


def _case_type():
    from smartcounty.foundation.cases.schemas import CaseType, Limit, State, Transition, Who

    staff = ("staff", "org_admin")
    return CaseType(
        key=KEY, title="cockpit test case", initial="new", categories={"road": "道路破损"}, prefix="CK",
        states=(State("new", "new", lane="owner", limit=Limit(1, "hours")),
                State("dispatched", "dispatched", lane="responsible", limit=Limit(2, "days")),
                State("closed", "closed", lane="none", final=True)),
        transitions=(Transition("register", "register", ("new",), "dispatched", (Who(staff, "owner"),), assign=True),
                     Transition("close", "close", ("dispatched",), "closed", (Who(staff, "responsible"),),
                                closes=True)))


@pytest.fixture
def world(db, orgs, make_user):
    from smartcounty.foundation.cases import services as cases

    if KEY not in registry.case_types:
        ct = _case_type()
        ct.validate()
        registry.case_types.register(KEY, ct, module="cockpit")
    centre, dept = orgs
    cases.configure_case_type(KEY, owner_organisation_id=centre.pk, supervisor_organisation_id=None)
    cases.set_assignment_rule(KEY, "category", "road", dept.pk)
    return {"centre": make_user("centre", "staff", centre), "dept": make_user("dept", "staff", dept),
            "admin": make_user("admin", "platform_admin"), "resident": make_user("res", "resident")}


def report(world, lon, lat, title="路面坑洼"):
    from smartcounty.foundation.cases import services as cases

    return cases.create_case(KEY, title=title, category="road", lon=lon, lat=lat, grid_code="37152500100101",
                             town_code="371525001", reporter=world["resident"])


def ctx(user, **kw):
    return PanelContext(user=user, organisation_id=getattr(user, "organisation_id", None),
                        bbox=kw.pop("bbox", services.COUNTY_BBOX), limit=kw.pop("limit", 1000), **kw)


def test_figures_map_and_worklist(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report(world, 115.45, 36.50)
        report(world, 115.60, 36.60, "井盖缺失")
    admin, centre, dept = world["admin"], world["centre"], world["dept"]
    assert panels.open_cases(ctx(admin))["value"] == 2
    assert panels.reports_today(ctx(admin))["value"] == 2
    chart = panels.cases_by_category(ctx(admin))
    # the category by its name in its own case type (another type may use the code "road" too)
    assert chart["categories"] == ["道路破损"] and chart["series"][0]["data"] == [2]
    # the map shows what is in view
    west = panels.case_points(ctx(admin, bbox=(115.40, 36.45, 115.50, 36.55)))
    assert west["total"] == 1 and west["points"][0]["label"].endswith("路面坑洼")
    # new cases wait on the owning centre: its staff see them on the staff home, the department does not
    queue = panels.case_queue(ctx(centre))["items"]
    assert len(queue) == 2 and all(i["due"] for i in queue) and queue[0]["url"].startswith("/cases/")
    assert panels.case_queue(ctx(dept))["items"] == []
    # a resident or an anonymous screen has no case figures
    assert panels.open_cases(PanelContext())["value"] is None
    # the cases.created events became live items (placed where the case is)
    LiveItem = apps.get_model("cockpit", "LiveItem")
    assert LiveItem.objects.filter(source="cases", is_open=True).count() == 2


def test_staff_home_api_orders_cases_by_time_left(client, world):
    report(world, 115.45, 36.50)
    client.force_login(world["centre"])
    items = client.get("/api/v1/cockpit/worklist").json()["items"]
    cases_items = [i for i in items if i["panel"] == "cockpit.case_queue"]
    assert len(cases_items) == 1 and cases_items[0]["due"]
    client.force_login(world["dept"])
    assert [i for i in client.get("/api/v1/cockpit/worklist").json()["items"] if i["panel"] == "cockpit.case_queue"] == []


def test_case_figures_need_a_signed_in_viewer(world):
    assert panels.cases_by_category(PanelContext())["series"] == []
    assert panels.case_points(PanelContext(bbox=services.COUNTY_BBOX))["total"] == 0
