import json
from datetime import UTC, datetime, timedelta

import pytest

from smartcounty.foundation.cockpit import services
from smartcounty.foundation.cockpit.schemas import CockpitPanel, Figure, WorkItem
from smartcounty.foundation.cockpit.tests.conftest import registered
from smartcounty.kernel.problems import ApiError

LIVE = "/api/v1/cockpit/live"


def figure(key, value, **kw):
    return CockpitPanel(key=key, title=key, kind="figure", data=lambda ctx: Figure(value=value).as_dict(), **kw)


def test_panel_spec_is_checked():
    with pytest.raises(ValueError):
        CockpitPanel(key="x.y", title="t", data=dict, kind="pie")
    with pytest.raises(ValueError):
        CockpitPanel(key="nodot", title="t", data=dict)
    with pytest.raises(ValueError):
        CockpitPanel(key="x.y", title="t", data=dict, audience="everyone")
    with pytest.raises(ValueError):
        CockpitPanel(key="x.y", title="t", data=dict, refresh=1)


def test_live_refuses_anonymous_and_residents(client, resident):
    r = client.get(LIVE)
    assert r.status_code == 401 and r["Content-Type"] == "application/problem+json"
    client.force_login(resident)
    r = client.get(LIVE)
    assert r.status_code == 403 and r.json()["code"] == "forbidden"


def test_live_gives_staff_every_panel_in_order_and_isolates_failures(client, staff_a):
    def broken(ctx):
        raise RuntimeError("boom")

    with registered(figure("testmod.b", 2, order=2), figure("testmod.a", 1, order=1, refresh=7),
                    CockpitPanel(key="testmod.broken", title="x", data=broken)):
        client.force_login(staff_a)
        body = client.get(LIVE).json()
    assert body["panels"]["testmod.a"] == {"ok": True, "data": {"value": 1, "unit": "", "note": "", "level": ""}}
    assert body["panels"]["testmod.b"]["data"]["value"] == 2
    assert body["panels"]["testmod.broken"]["ok"] is False and body["panels"]["testmod.broken"]["error"]
    assert body["refresh"] <= 7
    keys = [k for k in body["panels"] if k.startswith("testmod.")]
    assert keys.index("testmod.a") < keys.index("testmod.b")


def test_panel_permission_hides_a_panel_from_those_without_it(client, staff_a, resident, settings):
    with registered(figure("testmod.secret", 9, permission="testmod.nobody_has_this")):
        client.force_login(staff_a)
        assert "testmod.secret" not in client.get(LIVE).json()["panels"]


def test_public_mode_shows_only_public_panels_to_anonymous(client, settings, staff_a):
    with registered(figure("testmod.pub", 1, audience="public"), figure("testmod.staffonly", 2)):
        assert client.get(LIVE).status_code == 401
        settings.SMARTCOUNTY_COCKPIT_PUBLIC = True
        panels = client.get(LIVE).json()["panels"]
        assert "testmod.pub" in panels and "testmod.staffonly" not in panels
        client.force_login(staff_a)
        panels = client.get(LIVE).json()["panels"]
        assert "testmod.pub" in panels and "testmod.staffonly" in panels


def test_live_update_is_small(client, staff_a):
    client.force_login(staff_a)
    r = client.get(LIVE)
    assert r.status_code == 200
    assert len(r.content) < 100 * 1024


def test_panels_endpoint_lists_specs(client, staff_a):
    with registered(figure("testmod.a", 1, order=1)):
        assert client.get("/api/v1/cockpit/panels").status_code == 401
        client.force_login(staff_a)
        specs = client.get("/api/v1/cockpit/panels").json()
    assert {"key": "testmod.a", "kind": "figure"}.items() <= next(s for s in specs if s["key"] == "testmod.a").items()


# ---- map layers ----

def points_layer(n):
    def data(ctx):
        pts = [{"id": str(i), "lon": 115.3 + i * 1e-4, "lat": 36.4, "label": f"p{i}", "state": "ok"} for i in range(n)]
        inside = [p for p in pts if ctx.bbox[0] <= p["lon"] <= ctx.bbox[2] and ctx.bbox[1] <= p["lat"] <= ctx.bbox[3]]
        return {"points": inside, "total": len(inside)}  # deliberately ignores ctx.limit

    return CockpitPanel(key="testmod.pts", title="points", kind="map-layer", data=data)


def test_layer_is_cut_to_the_limit_and_filtered_by_bbox(client, staff_a):
    with registered(points_layer(1500)):
        client.force_login(staff_a)
        body = client.get("/api/v1/cockpit/layers/testmod.pts", {"bbox": "115.2,36.3,115.8,36.7"}).json()
        assert body["ok"] and len(body["data"]["points"]) == services.MAP_LIMIT and body["data"]["total"] == 1500
        body = client.get("/api/v1/cockpit/layers/testmod.pts", {"bbox": "115.2,36.3,115.8,36.7", "limit": 10}).json()
        assert len(body["data"]["points"]) == 10
        body = client.get("/api/v1/cockpit/layers/testmod.pts", {"bbox": "115.30,36.3,115.3050,36.7"}).json()
        assert body["data"]["total"] == 51


@pytest.mark.parametrize("bbox", ["1,2,3", "a,b,c,d", "115.8,36.3,115.2,36.7", "0,0,90,10", "nan,1,2,3", "1,2,3,inf"])
def test_bad_bbox_is_a_problem(client, staff_a, bbox):
    with registered(points_layer(3)):
        client.force_login(staff_a)
        r = client.get("/api/v1/cockpit/layers/testmod.pts", {"bbox": bbox})
    assert r.status_code == 422 and r["Content-Type"] == "application/problem+json"
    assert r.json()["field"] == "bbox"


def test_layer_refuses_anonymous_residents_and_unknown_or_non_layer_keys(client, resident, staff_a):
    with registered(points_layer(3), figure("testmod.fig", 1)):
        assert client.get("/api/v1/cockpit/layers/testmod.pts").status_code == 401
        client.force_login(resident)
        assert client.get("/api/v1/cockpit/layers/testmod.pts").status_code == 403
        client.force_login(staff_a)
        assert client.get("/api/v1/cockpit/layers/testmod.nope").status_code == 404
        assert client.get("/api/v1/cockpit/layers/testmod.fig").status_code == 404
        for bad in ({"zoom": 99}, {"zoom": "x"}, {"limit": "abc"}, {"limit": 0}, {"limit": 5000}):
            r = client.get("/api/v1/cockpit/layers/testmod.pts", bad)
            assert r.status_code == 422 and r["Content-Type"] == "application/problem+json", bad
        assert client.get("/api/v1/cockpit/worklist", {"limit": "x"}).status_code == 422


def test_several_layers_in_one_answer_are_each_the_single_layers_answer(client, staff_a):
    pins = CockpitPanel(key="testmod.pins", title="pins", kind="map-layer",
                        data=lambda ctx: {"points": [{"id": "1", "lon": 115.5, "lat": 36.5, "label": "x"}], "total": 1})
    broken = CockpitPanel(key="testmod.broken", title="broken", kind="map-layer", data=lambda ctx: 1 / 0)
    with registered(points_layer(1500), pins, broken):
        client.force_login(staff_a)
        query = {"bbox": "115.2,36.3,115.8,36.7", "limit": 10}
        r = client.get("/api/v1/cockpit/layers", {"layers": "testmod.pts,testmod.pins,testmod.broken,testmod.pts", **query})
        assert r.status_code == 200
        together = r.json()
        alone = [client.get(f"/api/v1/cockpit/layers/{k}", query).json()
                 for k in ("testmod.pts", "testmod.pins", "testmod.broken")]
    assert together == alone  # in the order asked, each once; a failing layer fails alone
    assert len(together[0]["data"]["points"]) == 10 and together[0]["data"]["total"] == 1500
    assert not together[2]["ok"]


def test_several_layers_refuse_anonymous_residents_and_bad_keys(client, resident, staff_a):
    with registered(points_layer(3), figure("testmod.fig", 1)):
        assert client.get("/api/v1/cockpit/layers", {"layers": "testmod.pts"}).status_code == 401
        client.force_login(resident)
        assert client.get("/api/v1/cockpit/layers", {"layers": "testmod.pts"}).status_code == 403
        client.force_login(staff_a)
        assert client.get("/api/v1/cockpit/layers", {"layers": "testmod.pts,testmod.nope"}).status_code == 404
        assert client.get("/api/v1/cockpit/layers", {"layers": "testmod.pts,testmod.fig"}).status_code == 404
        for bad in ({}, {"layers": ""}, {"layers": ",".join(["testmod.pts"] * 2 + [f"k{i}" for i in range(30)])},
                    {"layers": "testmod.pts", "bbox": "1,2,3"}, {"layers": "testmod.pts", "zoom": 99}):
            r = client.get("/api/v1/cockpit/layers", bad)
            assert r.status_code == 422 and r["Content-Type"] == "application/problem+json", bad


def test_parse_bbox_defaults_to_the_county():
    assert services.parse_bbox("") == services.COUNTY_BBOX
    with pytest.raises(ApiError):
        services.parse_bbox("115,36,125,37")


# ---- work list (staff home) ----

def org_worklist(items_by_org):
    """A module's work list: items belong to an organisation; only its members see them."""

    def data(ctx):
        return {"items": [i.as_dict() for i in items_by_org.get(ctx.organisation_id, [])]}

    return CockpitPanel(key="testmod.work", title="work", kind="worklist", data=data)


def test_worklist_is_ordered_by_urgency_and_scoped_to_the_organisation(client, staff_a, staff_b, orgs):
    now = datetime.now(UTC)
    items = {orgs[0].pk: [
        WorkItem(title="no due, level 3", level=3),
        WorkItem(title="due later", due=now + timedelta(hours=5)),
        WorkItem(title="overdue", due=now - timedelta(hours=1)),
        WorkItem(title="due soon (Shanghai time)", due=(now + timedelta(hours=1)).astimezone(
            __import__("zoneinfo").ZoneInfo("Asia/Shanghai"))),
        WorkItem(title="no due, level 1", level=1),
    ]}
    with registered(org_worklist(items)):
        assert client.get("/api/v1/cockpit/worklist").status_code == 401
        client.force_login(staff_a)
        body = client.get("/api/v1/cockpit/worklist").json()
        titles = [i["title"] for i in body["items"]]
        assert titles == ["overdue", "due soon (Shanghai time)", "due later", "no due, level 3", "no due, level 1"]
        assert body["items"][0]["overdue"] is True and body["items"][1]["overdue"] is False
        assert client.get("/api/v1/cockpit/worklist", {"limit": 2}).json()["count"] == 5
        client.force_login(staff_b)
        assert client.get("/api/v1/cockpit/worklist").json()["items"] == []


def test_worklist_query_count_does_not_grow_with_items(client, staff_a, orgs, django_assert_max_num_queries):
    items = {orgs[0].pk: [WorkItem(title=f"item {n}") for n in range(200)]}
    with registered(org_worklist(items)):
        client.force_login(staff_a)
        with django_assert_max_num_queries(6):
            r = client.get("/api/v1/cockpit/worklist", {"limit": 50})
    assert r.json()["count"] == 200 and len(r.json()["items"]) == 50


def test_snapshot_json_is_serialisable_with_lazy_titles(staff_a):
    json.dumps(services.snapshot(staff_a))


def test_cached_panel_is_computed_once_for_every_viewer_and_never_for_a_place(client, staff_a, staff_b):
    calls = []

    def data(ctx):
        calls.append(ctx.town_code)
        return Figure(value=len(calls)).as_dict()

    shared = CockpitPanel(key="testmod.shared", title="s", kind="figure", data=data, cache=30, audience="public")
    with registered(shared):
        client.force_login(staff_a)
        assert client.get(LIVE).json()["panels"]["testmod.shared"]["data"]["value"] == 1
        client.force_login(staff_b)
        assert client.get(LIVE).json()["panels"]["testmod.shared"]["data"]["value"] == 1
        assert calls == [None]
        # a viewer's own place is never served from the shared cache
        assert services.topic("nothing", services.context_for(staff_a, town_code="371525001")) is None
        services.call(shared, services.context_for(staff_a, town_code="371525001"))
        assert calls == [None, "371525001"]


def test_uncached_panel_is_computed_per_request(client, staff_a):
    calls = []
    panel = CockpitPanel(key="testmod.fresh", title="f", kind="figure",
                         data=lambda ctx: calls.append(1) or Figure(value=len(calls)).as_dict())
    with registered(panel):
        client.force_login(staff_a)
        client.get(LIVE)
        assert client.get(LIVE).json()["panels"]["testmod.fresh"]["data"]["value"] == 2


def test_work_item_links_from_data_are_http_or_same_site_only(client, staff_a, orgs):
    items = {orgs[0].pk: [
        WorkItem(title="script", url="javascript:window.__xss=4"),
        WorkItem(title="data", url="data:text/html,<script>1</script>"),
        WorkItem(title="other host", url="//evil.example/x"),
        WorkItem(title="page", url="/cases/7/"),
        WorkItem(title="web", url="https://gk.example.cn/a?b=1"),
    ]}
    with registered(org_worklist(items)):
        client.force_login(staff_a)
        links = {i["title"]: i["url"] for i in client.get("/api/v1/cockpit/worklist").json()["items"]}
        assert links == {"script": "", "data": "", "other host": "", "page": "/cases/7/",
                         "web": "https://gk.example.cn/a?b=1"}
        page = client.get("/portal/staff/").content.decode()
        assert "javascript:" not in page and 'href="/cases/7/"' in page
