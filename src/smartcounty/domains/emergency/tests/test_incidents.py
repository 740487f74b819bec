"""Incidents opened by hand, from an alert and from a case; the command view; tasks on the workflow; warnings
(portal and CAP 1.2); the situation report; closing with a review."""

from xml.etree import ElementTree as ET

import pytest

from smartcounty.domains.emergency import services
from smartcounty.domains.emergency.models import Resource, Task
from smartcounty.foundation.alerts import services as alerts
from smartcounty.foundation.cases import services as cases
from smartcounty.kernel.problems import ApiError

from .conftest import LAT, LON, team

pytestmark = pytest.mark.django_db
CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"


def _incident(world, **kw):
    return services.open_incident(title="幸福家园燃气泄漏", kind="hazmat", level=2, lon=LON, lat=LAT, radius_m=400,
                                  actor=world.staff, **kw)


def test_open_by_hand_and_the_command_view(world):
    near = team("T-NEAR", lon=LON + 0.003, org=world.brigade)
    team("T-FAR", lon=LON + 0.2)
    services.create_shelter(code="S1", name="东关小学操场", shelter_class="urgent", lon=LON + 0.004, lat=LAT,
                            effective_area_m2=3000)
    services.create_shelter(code="S2", name="远处公园", shelter_class="urgent", lon=LON + 0.1, lat=LAT,
                            effective_area_m2=3000)
    pk = _incident(world)
    v = services.command_view(pk)
    assert v["incident"]["number"].startswith("TF") and v["incident"]["level_name"] == "较大"
    teams = next(r for r in v["resources"] if r["kind"] == "team")
    assert [n["id"] for n in teams["nearest"]][0] == near and teams["within"] == 1
    assert [s["code"] for s in v["shelters"]] == ["S1"]
    assert v["timeline"][0]["kind"] == "opened"
    with pytest.raises(ApiError):
        services.open_incident(title="x", kind="fire", level=5, lon=LON, lat=LAT, actor=world.staff)


def test_from_an_alert_and_from_a_case(world):
    a = alerts.raise_alert(source="water", key="level:1", title="卫河水位超警戒", level=3, property="water_level",
                           town="371525001")
    pk = services.open_from_alert(a.id, actor=world.staff)
    i = services.incident_detail(pk)
    assert (i["kind"], i["level"], i["source"]) == ("flood", 3, "alert")
    assert services.open_from_alert(a.id, actor=world.staff) == pk  # once
    assert [x["id"] for x in services.command_view(pk)["alerts"]] == [a.id]
    case = cases.create_case("emergency.maintenance", title="路面塌陷", lon=LON, lat=LAT,
                             organisation_id=world.brigade)
    pk2 = services.open_from_case(case.pk, actor=world.staff, level=1, kind="accident")
    assert services.command_view(pk2)["cases"][0]["number"] == case.number


def test_task_runs_on_the_workflow_and_the_team_comes_back(world, django_capture_on_commit_callbacks):
    t = team("T-F", org=world.brigade)
    pk = _incident(world)
    task = services.give_task(pk, t, title="现场警戒", deadline_minutes=20, actor=world.staff)
    assert Resource.objects.get(pk=t).status == "deployed"
    case = cases.get_case(task["case_id"])
    assert case.case_type == "emergency.task" and case.organisation_id == world.brigade
    with pytest.raises(ApiError):  # another department may not take the team's steps
        cases.transition(case.pk, "accept", actor=world.other)
    for step, data in (("accept", {}), ("arrive", {}), ("finish", {"result": "已排除险情"})):
        with django_capture_on_commit_callbacks(execute=True):  # cases.transitioned, delivered after commit
            cases.transition(case.pk, step, actor=world.fire, data=data)
    assert Task.objects.get(pk=task["id"]).state == "done"
    assert Resource.objects.get(pk=t).status == "ready"
    kinds = [e["kind"] for e in services.timeline(pk)]
    assert kinds.count("task_step") == 3


def test_warning_on_the_portal_and_as_cap(world, client, django_capture_on_commit_callbacks):
    from django.core.cache import cache

    pk = _incident(world)
    with django_capture_on_commit_callbacks(execute=True):  # the cockpit's live items follow alerts' events
        w = services.publish_warning(pk, headline="燃气泄漏，请勿靠近", instruction="听从指挥撤离", level=3,
                                     actor=world.staff)
    home = client.get("/portal/").content.decode()
    assert "燃气泄漏，请勿靠近" in home
    root = ET.fromstring(services.cap_xml(w))
    assert root.tag == CAP + "alert"
    names = [c.tag.replace(CAP, "") for c in root]
    assert names[:6] == ["identifier", "sender", "sent", "status", "msgType", "scope"]
    assert root.findtext(CAP + "msgType") == "Alert" and root.findtext(CAP + "status") == "Actual"
    info = root.find(CAP + "info")
    assert [c.tag.replace(CAP, "") for c in info][:8] == ["language", "category", "event", "responseType", "urgency",
                                                          "severity", "certainty", "senderName"]
    assert info.findtext(CAP + "category") == "CBRNE" and info.findtext(CAP + "severity") == "Moderate"
    circle = info.find(CAP + "area").findtext(CAP + "circle")
    lat, rest = circle.split(",")
    assert float(lat) == pytest.approx(LAT) and rest.endswith(" 0.400")
    assert " " not in root.findtext(CAP + "sender") and "," not in root.findtext(CAP + "sender")
    assert root.findtext(CAP + "sent")[-6:] == "+08:00"
    r = client.get(f"/api/v1/emergency/warnings/{w['identifier']}/cap.xml")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/cap+xml")
    with django_capture_on_commit_callbacks(execute=True):
        gone = services.withdraw_warning(w["id"], actor=world.staff)
    cache.clear()  # the portal's warnings panel is shared for a few seconds
    cancel = ET.fromstring(services.cap_xml(gone))
    assert cancel.findtext(CAP + "msgType") == "Cancel"
    assert cancel.findtext(CAP + "references").split(",")[1] == w["identifier"]
    assert "燃气泄漏，请勿靠近" not in client.get("/portal/").content.decode()
    assert alerts.find_open_alert("emergency", f"warning:{w['identifier']}") is None


def test_report_and_closing(world, django_capture_on_commit_callbacks):
    t = team("T-F", org=world.brigade)
    pk = _incident(world)
    task = services.give_task(pk, t, title="现场警戒", actor=world.staff)
    services.publish_warning(pk, headline="请勿靠近", instruction="撤离", level=2, actor=world.staff)
    pdf = services.situation_pdf(services.situation(pk))
    assert pdf[:5] == b"%PDF-" and len(pdf) > 1000
    with pytest.raises(ApiError) as e:
        services.close_incident(pk, "处置完毕，复盘如下。", actor=world.staff)
    assert e.value.status == 409
    with django_capture_on_commit_callbacks(execute=True):
        cases.transition(task["case_id"], "withdraw", actor=world.staff, note="险情解除")
    with pytest.raises(ApiError):
        services.close_incident(pk, "短", actor=world.staff)
    services.close_incident(pk, "处置及时，燃气公司30分钟到场；需加强老旧小区管线巡查。", actor=world.staff)
    i = services.incident_detail(pk)
    assert i["state"] == "closed" and i["review"].startswith("处置及时")
    assert all(w["cancelled_at"] for w in services.command_view(pk)["warnings"])
    with pytest.raises(ApiError):
        services.add_note(pk, "关闭后", actor=world.staff)
