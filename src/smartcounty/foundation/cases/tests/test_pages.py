import pytest

from smartcounty.foundation.cases import services

pytestmark = pytest.mark.django_db


def test_workbench_and_steps_from_the_page(client, world):
    case = services.create_case("cases.test", title="占道经营", category="road", reporter=world.resident)
    assert client.get("/cases/workbench/").status_code == 302  # sign in first
    client.force_login(world.resident)
    assert client.get("/cases/workbench/").status_code == 403
    client.force_login(world.centre_staff)
    r = client.get("/cases/workbench/")
    assert r.status_code == 200 and case.number in r.content.decode()
    r = client.post(f"/cases/{case.pk}/steps/register/", {"note": "立案"})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.state == "dispatched"
    client.force_login(world.other_staff)
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert client.post(f"/cases/{case.pk}/steps/handle/", {"result": "x"}).status_code == 404
    client.force_login(world.dept_staff)
    r = client.get(f"/cases/{case.pk}/")
    assert r.status_code == 200 and 'id="step-handle"' in r.content.decode()
    client.post(f"/cases/{case.pk}/steps/handle/", {"result": "已清理", "note": ""})
    case.refresh_from_db()
    assert case.state == "handled"
    client.force_login(world.resident)
    r = client.get(f"/cases/{case.pk}/")
    assert r.status_code == 200 and "占道经营" in r.content.decode()
