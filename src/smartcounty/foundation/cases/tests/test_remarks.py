"""Remarks on a case are internal or public: the reporter only ever reads the public ones (his page and
the API), and the case page shows names, never the engine's keys."""

import pytest

from smartcounty.foundation.cases import services, wording

pytestmark = pytest.mark.django_db


def _walk_the_case(world):
    case = services.create_case("cases.test", title="路灯不亮", category="light", reporter=world.resident,
                                description="东关街路灯不亮")
    services.transition(case.pk, "register", actor=world.centre_staff, note="请尽快维修")
    services.comment(case.pk, actor=world.dept_staff, note="请核查现场", public=False)
    services.comment(case.pk, actor=world.dept_staff, note="维修人员已出发", public=True)
    services.transition(case.pk, "ask", actor=world.dept_staff, note="请提供具体门牌号")
    services.transition(case.pk, "reply", actor=world.resident, note="东关街12号门口")
    return case


def test_the_reporter_reads_only_public_remarks_on_his_page(client, world):
    case = _walk_the_case(world)
    client.force_login(world.resident)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    for internal in ("请尽快维修", "请核查现场"):
        assert internal not in page
    for public in ("东关街路灯不亮", "维修人员已出发", "请提供具体门牌号", "东关街12号门口"):
        assert public in page
    client.force_login(world.dept_staff)
    staff_page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "请尽快维修" in staff_page and "请核查现场" in staff_page


def test_the_reporter_reads_only_public_remarks_through_the_api(client, world):
    case = _walk_the_case(world)
    client.force_login(world.resident)
    notes = [e["note"] for e in client.get(f"/api/v1/cases/{case.pk}").json()["events"]]
    assert "请尽快维修" not in notes and "请核查现场" not in notes
    assert "维修人员已出发" in notes and "请提供具体门牌号" in notes


def test_the_case_page_names_actions_states_and_fields(client, world):
    case = services.create_case("cases.test", title="占道经营", category="road", reporter=world.resident)
    services.transition(case.pk, "register", actor=world.centre_staff)
    client.force_login(world.dept_staff)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    # the history names the report (not the key "create"); the steps by their titles
    assert "<td>create" not in page and f"<td>{wording.ACTIONS['create']}" in page
    assert "提交反映" in page  # in Chinese
    # the required field of the "handle" step has a label, not its key
    assert '<label for="handle-result">result' not in page
    assert f'<label for="handle-result">{wording.field_label("result")}' in page
