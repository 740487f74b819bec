import threading
from datetime import date, timedelta

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from smartcounty.foundation.catalog import services
from smartcounty.foundation.catalog.models import Resource, SharingRequest
from smartcounty.foundation.catalog.schemas import ResourceSpec
from smartcounty.kernel import events, registry
from smartcounty.kernel.problems import ApiError


@pytest.mark.django_db
@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)), st.integers(0, 40))
def test_working_days_land_on_working_days_and_grow_monotonically(start, n):
    from smartcounty.foundation.cases import services as cases_services

    due = services.add_working_days(start, n)
    assert due >= start
    if n:
        assert cases_services.calendar().is_working_day(due)
        assert services.add_working_days(start, n + 1) > due
        # n working days span at least n calendar days
        assert (due - start).days >= n


@pytest.mark.django_db
def test_ten_working_days_from_a_friday():
    assert services.add_working_days(date(2026, 11, 27), 10) == date(2026, 12, 11)


def test_field_names_that_would_break_row_filters_are_refused(orgs):
    for bad in ("a__b", "_id", "", 'x"y'):
        with pytest.raises(ApiError):
            services.create_resource({"code": "210001/00001", "slug": "x", "name": "x", "domain": "10",
                                      "sharing_type": "unconditional"}, [{"name": bad}],
                                     provider_org_id=orgs["health"].pk)


def test_modules_declare_resources_and_publish_rows(orgs, django_capture_on_commit_callbacks):
    spec = ResourceSpec(provider="ecology-environment", slug="aqi-by-station", name="各站点逐日AQI", domain="10",
                        items=[{"name": "station"}, {"name": "aqi", "data_type": "integer"}])
    registry.catalog_resources.register("210001/00077", spec, module="catalog_test")
    seen = []

    def handler(event, payload):
        seen.append(payload)

    events.subscribe("catalog.dataset_published", handler, module="catalog_test")
    try:
        assert "210001/00077" in services.ensure_registered_resources()  # with the installed modules' own
        assert services.ensure_registered_resources() == []
        with django_capture_on_commit_callbacks(execute=True):
            v = services.publish_dataset("210001/00077", [{"station": "冠县站", "aqi": 60}])
        assert v.source == "service" and v.row_count == 1
    finally:
        registry.catalog_resources._items.pop("210001/00077", None)
        registry.catalog_resources._owners.pop("210001/00077", None)
        events.unsubscribe("catalog.dataset_published", handler)
    assert seen == [{"code": "210001/00077", "version": 1, "rows": 1}]


@pytest.mark.django_db(transaction=True)
def test_scheduler_escalates_late_requests(people, allowance):
    req = services.submit_request(allowance, org_id=people["health_staff"].organisation_id, org_code="health",
                                  user=people["health_staff"], purpose="核查", fields=["name"],
                                  period_start=date.today(), period_end=date.today() + timedelta(days=5))
    SharingRequest.objects.filter(pk=req.pk).update(due_on=date.today() - timedelta(days=1))
    stop = threading.Event()
    stop.set()  # one round, then stop
    worker = threading.Thread(target=services.run_scheduler, args=(stop,))  # as `smartcounty serve` runs it
    worker.start()
    worker.join(timeout=60)
    assert SharingRequest.objects.get(pk=req.pk).escalated_at is not None


def test_decisions_stay_within_the_request(people, allowance):
    req = services.submit_request(allowance, org_id=people["health_staff"].organisation_id, org_code="health",
                                  user=people["health_staff"], purpose="核查", fields=["name", "town"],
                                  unmasked_fields=[], period_start=date.today(),
                                  period_end=date.today() + timedelta(days=5))
    for bad in ({"fields": ["name", "amount"]}, {"unmasked_fields": ["name"]},
                {"expires_on": date.today() + timedelta(days=6)}, {"row_filter": {"nope": 1}}):
        with pytest.raises(ApiError):
            services.decide_request(req, user=people["civil_admin"], approve=True, **bad)
    grant = services.decide_request(req, user=people["civil_admin"], approve=True, fields=["town"])
    assert grant.fields == ["town"]
    with pytest.raises(ApiError):
        services.decide_request(req, user=people["civil_admin"], approve=False)
    result = services.read_rows(allowance, org_id=people["health_staff"].organisation_id, actor=people["health_staff"])
    assert result.fields == ["town"] and result.rows[0] == {"town": "清泉街道"}
    with pytest.raises(ApiError):
        services.submit_request(allowance, org_id=people["civil_staff"].organisation_id, org_code="civil-affairs",
                                user=people["civil_staff"], purpose="x", fields=["name"], period_start=date.today(),
                                period_end=date.today())


def test_pages_need_their_permission(people, aqi, django_assert_max_num_queries):
    anon = Client()
    assert anon.get("/catalog/internal/").status_code == 302
    assert anon.get("/catalog/apps/").status_code == 302
    resident = Client()
    resident.force_login(people["resident"])
    assert resident.get("/catalog/internal/").status_code == 403
    r = resident.post("/catalog/apps/", {"name": "公厕地图"})
    assert r.status_code == 200 and "od_" in r.content.decode()
    staff = Client()
    staff.force_login(people["env_staff"])
    assert staff.get("/catalog/internal/").status_code == 200
    for n in range(25):
        services.create_resource({"code": f"210001/{n + 200:05d}", "slug": f"open{n}", "name": f"开放资源{n}",
                                  "domain": "10", "sharing_type": "unconditional", "open_type": "metadata"},
                                 [{"name": "a"}], provider_org_id=people["env_staff"].organisation_id)
    with django_assert_max_num_queries(12):
        page = anon.get("/catalog/", {"q": "开放资源"})
    assert page.status_code == 200 and page.content.decode().count('<li data-slug="') == 20
    assert Resource.objects.filter(open_type="metadata").count() == 25


def test_provider_uploads_from_the_page_and_sees_reads(people, aqi, allowance):
    from django.core.files.uploadedfile import SimpleUploadedFile

    staff = Client()
    staff.force_login(people["env_staff"])
    good = SimpleUploadedFile("aqi.csv", "station,day,aqi\n冠县站,2026-11-01,50\n".encode())
    r = staff.post("/catalog/internal/aqi-daily/upload/", {"file": good}, follow=True)
    assert r.status_code == 200 and Resource.objects.get(pk=aqi.pk).current_version.row_count == 1
    bad = SimpleUploadedFile("aqi.csv", "station,day,aqi\n冠县站,2026-11-01,坏\n".encode())
    r = staff.post("/catalog/internal/aqi-daily/upload/", {"file": bad}, follow=True)
    assert "row 2" in r.content.decode() and Resource.objects.get(pk=aqi.pk).current_version.number == 1
    other = Client()
    other.force_login(people["health_staff"])
    assert other.post("/catalog/internal/aqi-daily/upload/", {"file": good}).status_code == 403
    services.read_rows(allowance, org_id=people["civil_staff"].organisation_id, actor=people["civil_staff"])
    admin = Client()
    admin.force_login(people["civil_admin"])
    page = admin.get("/catalog/internal/").content.decode()
    assert "civil_staff" in page and "216001/00001" in page


@pytest.mark.django_db
def test_decision_deadline_skips_public_holidays_and_counts_make_up_days():
    from smartcounty.foundation.cases import services as cases_services

    cal = cases_services.calendar()
    due = services.add_working_days(date(2026, 9, 30), 1)
    assert cal.is_working_day(due)
    # National Day (国庆节) falls in between: the next working day is after the holiday, not 1 October.
    assert due > date(2026, 10, 1) and not cal.is_working_day(date(2026, 10, 1))
