from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model

from smartcounty.domains.traffic import live, network
from smartcounty.foundation.accounts import services as accounts
from smartcounty.foundation.sensing import services as sensing


def line(code, cls, a, b, name=None):
    return {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [list(a), list(b)]},
            "properties": {"code": code, "name": name or f"测试道路{code}", "class": cls}}


def user(username, role, org_id=None):
    return get_user_model().objects.create_user(username=username, password="Guanxian-2026!", role=role,
                                                organisation_id=org_id,
                                                kind="resident" if role == "resident" else "staff")


@pytest.fixture(autouse=True)
def _fresh_live_state():
    live.reset()
    yield
    live.reset()


@pytest.fixture
def orgs(db):
    accounts.ensure_plan_organisations()
    ids = accounts.organisation_ids_by_code()
    return SimpleNamespace(ids=ids, transport=user("transport", "staff", ids["transport"]),
                           housing=user("housing", "staff", ids["housing"]), resident=user("resident", "resident"),
                           admin=user("admin", "platform_admin"))


@pytest.fixture
def roads(db):
    """Two segments (an arterial of ~1.8 km and a branch of ~0.9 km), each with a floating speed stream."""
    sensing.sync_observed_properties()
    result = network.import_geojson({"type": "FeatureCollection", "features": [
        line("A1", "arterial", (115.43, 36.48), (115.45, 36.48)),
        line("B1", "branch", (115.44, 36.49), (115.45, 36.49)),
    ]})
    assert result["errors"] == []
    streams = {}
    for code, lon, lat in (("A1", 115.44, 36.48), ("B1", 115.445, 36.49)):
        t = sensing.create_thing(f"fcd-{code}", f"浮动车{code}", lon=lon, lat=lat, kind="traffic_fcd")
        ds = sensing.create_datastream(t, "traffic_speed", expected_interval_s=60)
        network.map_stream(code, ds.id)
        streams[code] = ds.id
    return streams


def speeds(stream_id, bucket_ms, values, *, step_ms=60_000, publish=False):
    sensing.ingest([{"datastream": stream_id, "phenomenonTime": bucket_ms + i * step_ms, "result": v}
                    for i, v in enumerate(values)], source="test", publish=publish)
