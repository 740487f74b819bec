"""GeoJSON import (all or nothing, errors per feature) and mapping speed streams onto segments."""

import pytest

from smartcounty.domains.traffic import network
from smartcounty.domains.traffic.models import RoadSegment, SegmentStream
from smartcounty.domains.traffic.tests.conftest import line
from smartcounty.foundation.sensing import services as sensing
from smartcounty.kernel.problems import ApiError

pytestmark = pytest.mark.django_db


def fc(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def test_import_creates_with_length_and_default_free_flow_then_updates():
    out = network.import_geojson(fc(line("S1", "主干路", (115.43, 36.48), (115.44, 36.48)),
                                    line("S2", "expressway", (115.40, 36.45), (115.50, 36.46))))
    assert out == {"created": 2, "updated": 0, "errors": []}
    s1 = RoadSegment.objects.get(code="S1")
    # 0.01 degree of longitude at 36.48 N: 111.195 km x cos(36.48) ~= 894 m
    assert s1.road_class == "arterial" and s1.length_m == pytest.approx(894, abs=2)
    assert s1.free_flow_kmh == 55.0 and (s1.west, s1.east) == (115.43, 115.44)
    again = network.import_geojson(fc(line("S1", "secondary", (115.43, 36.48), (115.45, 36.48), name="改名")))
    assert again == {"created": 0, "updated": 1, "errors": []}
    s1.refresh_from_db()
    assert s1.road_class == "secondary" and s1.name == "改名" and s1.length_m == pytest.approx(1789, abs=3)


def test_any_bad_feature_writes_nothing_and_each_error_is_reported():
    bad_geom = line("X2", "arterial", (115.43, 36.48), (115.44, 36.48))
    bad_geom["geometry"] = {"type": "Point", "coordinates": [115.4, 36.4]}
    out_of_range = line("X4", "branch", (200, 36.48), (115.44, 36.48))
    out = network.import_geojson(fc(line("X1", "arterial", (115.43, 36.48), (115.44, 36.48)), bad_geom,
                                    line("X3", "lane", (115.43, 36.48), (115.44, 36.48)), out_of_range,
                                    line("X1", "arterial", (115.43, 36.48), (115.44, 36.48))))
    assert out["created"] == 0
    assert [(e["feature"], e["field"]) for e in out["errors"]] == [(1, "geometry"), (2, "class"), (3, "geometry"),
                                                                  (4, "code")]
    assert not RoadSegment.objects.exists()


def test_not_a_feature_collection_is_refused():
    with pytest.raises(ApiError) as e:
        network.import_geojson({"type": "Feature"})
    assert e.value.status == 422


def test_map_stream_checks_property_and_nearest_detector_mapping():
    network.import_geojson(fc(line("N1", "arterial", (115.43, 36.48), (115.45, 36.48)),
                              line("N2", "arterial", (115.43, 36.50), (115.45, 36.50))))
    sensing.sync_observed_properties()
    t = sensing.create_thing("det-1", "检测器1", lon=115.44, lat=36.4805, kind="traffic")
    flow = sensing.create_datastream(t, "traffic_flow")
    with pytest.raises(ApiError) as e:
        network.map_stream("N1", flow.id)
    assert e.value.status == 422
    with pytest.raises(ApiError):
        network.map_stream("nope", flow.id)
    speed = sensing.create_datastream(t, "traffic_speed")
    far = sensing.create_thing("det-far", "远处检测器", lon=115.60, lat=36.60, kind="traffic")
    sensing.create_datastream(far, "traffic_speed")
    mapped = network.map_detectors()
    assert [(m["segment"], m["datastream_id"]) for m in mapped] == [("N1", speed.id)]  # 56 m away; the far one is not
    assert SegmentStream.objects.get(datastream_id=speed.id).source == "detector"
    assert network.map_detectors() == []  # already mapped
