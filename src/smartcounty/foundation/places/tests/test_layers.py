"""Map layers: import (GeoJSON, Shapefile zip, KML), CRS detection, validation, versions, the index, the API."""

import io
import json
import zipfile

import pytest
import shapefile
import shapely
from pyproj import CRS, Transformer

from smartcounty.foundation.places import services
from smartcounty.foundation.places.layers import crs as crsmod
from smartcounty.foundation.places.layers import index
from smartcounty.foundation.places.models import LayerCell, LayerVersion
from smartcounty.kernel.problems import ApiError

W, S = 115.40, 36.50
GOOD = [[W, S], [W + 0.01, S], [W + 0.01, S + 0.01], [W, S + 0.01], [W, S]]
BOWTIE = [[W, S], [W + 0.01, S + 0.01], [W + 0.01, S], [W, S + 0.01], [W, S]]


def fc(*rings, crs=None, props=None):
    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
         "properties": {"name": f"图斑{n}", **(props or {})}} for n, ring in enumerate(rings, start=1)]}
    if crs:
        data["crs"] = {"type": "name", "properties": {"name": crs}}
    return data


@pytest.fixture
def layer(db):
    return services.ensure_layer("test-farmland", "测试农田", public=False)


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
    return path


def run(tmp_path, name, content, **kw):
    return services.import_layer_file("test-farmland", write(tmp_path, name, content), name, background=False, **kw)


def shapefile_zip(rings, *, prj: str | None = CRS.from_epsg(4490).to_wkt("WKT1_ESRI"), name="parcels",
                  transform=None) -> bytes:
    shp, shx, dbf = io.BytesIO(), io.BytesIO(), io.BytesIO()
    with shapefile.Writer(shp=shp, shx=shx, dbf=dbf, shapeType=shapefile.POLYGON, encoding="utf-8") as w:
        w.field("NAME", "C", 40)
        w.field("DLBM", "C", 10)
        for n, ring in enumerate(rings, start=1):
            pts = [transform(*p) for p in ring] if transform else ring
            w.poly([list(reversed(pts))])  # clockwise outer ring, as Shapefile wants
            w.record(f"地块{n}", "0101")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{name}.shp", shp.getvalue())
        z.writestr(f"{name}.shx", shx.getvalue())
        z.writestr(f"{name}.dbf", dbf.getvalue())
        z.writestr(f"{name}.cpg", "UTF-8")
        if prj is not None:
            z.writestr(f"{name}.prj", prj)
    return out.getvalue()


KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
<Placemark><name>河道管理范围</name><ExtendedData><Data name="level"><value>县级</value></Data></ExtendedData>
<Polygon><outerBoundaryIs><LinearRing><coordinates>{ring}</coordinates></LinearRing></outerBoundaryIs></Polygon>
</Placemark>
<Placemark><name>水文站</name><Point><coordinates>115.405,36.505,0</coordinates></Point></Placemark>
</Document></kml>"""


def kml_ring(ring):
    return " ".join(f"{x},{y},0" for x, y in ring)


# --- formats ----------------------------------------------------------------------------------------


def test_geojson_import_is_a_ready_version_with_index(layer, tmp_path):
    v = run(tmp_path, "a.geojson", fc(GOOD))
    assert v.status == "ready" and v.feature_count == 1 and v.current and v.number == 1
    assert v.source_format == "geojson" and "4326" in v.source_crs
    assert LayerCell.objects.filter(version_id=v.id).count() >= 1
    out = services.layer_geojson("test-farmland", [W - 0.001, S - 0.001, W + 0.001, S + 0.001])
    assert [f["properties"]["_name"] for f in out["features"]] == ["图斑1"]
    assert services.layer_geojson("test-farmland", [W + 0.02, S, W + 0.03, S + 0.01])["features"] == []


def test_geojson_cgcs2000_accepted_and_gcj02_warned(layer, tmp_path):
    v = run(tmp_path, "a.geojson", fc(GOOD, crs="urn:ogc:def:crs:EPSG::4490"))
    assert v.status == "ready" and "4490" in v.source_crs and v.warnings == []
    v2 = run(tmp_path, "b.geojson", fc(GOOD, crs="GCJ-02"))
    assert v2.status == "ready" and v2.source_crs == "GCJ-02"
    assert any("GCJ-02" in w for w in v2.warnings)
    # converted: the stored square lies south-west of the GCJ-02 coordinates by the offset (hundreds of metres)
    bbox = services.layer("test-farmland").bbox
    assert bbox[0] < W - 0.003 and bbox[1] < S + 0.001


def test_wrong_crs_refused(layer, tmp_path):
    v = run(tmp_path, "a.geojson", fc(GOOD, crs="EPSG:4214"))  # Beijing 1954
    assert v.status == "failed" and "不受支持" in v.error
    v2 = run(tmp_path, "b.geojson", fc([[500000, 4000000], [500100, 4000000], [500100, 4000100], [500000, 4000000]]))
    assert v2.status == "failed" and "坐标系不对" in v2.error and "第1个要素" in v2.error
    assert services.layer("test-farmland").version is None  # nothing became current


def test_broken_ring_refused_with_feature_number_or_repaired(layer, tmp_path):
    v = run(tmp_path, "a.geojson", fc(GOOD, BOWTIE))
    assert v.status == "failed" and "第2个要素" in v.error and "Self-intersection" in v.error
    assert v.feature_count == 0 and not LayerCell.objects.filter(version_id=v.id).exists()
    v2 = run(tmp_path, "b.geojson", fc(GOOD, BOWTIE), repair=True)
    assert v2.status == "ready" and v2.feature_count == 2 and any("第2个要素" in w for w in v2.warnings)
    repaired = services.layer_geojson("test-farmland", [W, S, W + 0.01, S + 0.01])["features"][1]["geometry"]
    assert shapely.geometry.shape(repaired).is_valid and repaired["type"] == "MultiPolygon"


def test_shapefile_zip_with_prj(layer, tmp_path):
    v = run(tmp_path, "parcels.zip", shapefile_zip([GOOD]))
    assert v.status == "ready" and v.source_format == "shapefile" and "2000" in v.source_crs
    f = services.layer_geojson("test-farmland", [W, S, W + 0.01, S + 0.01])["features"][0]
    assert f["properties"]["NAME"] == "地块1" and f["properties"]["DLBM"] == "0101"
    assert shapely.geometry.shape(f["geometry"]).equals(shapely.Polygon(GOOD))


def test_shapefile_gauss_kruger_reprojected(layer, tmp_path):
    gk = CRS.from_epsg(4547)  # CGCS2000 / 3-degree Gauss-Kruger CM 114E
    to_gk = Transformer.from_crs(4490, gk, always_xy=True)
    v = run(tmp_path, "gk.zip", shapefile_zip([GOOD], prj=gk.to_wkt("WKT1_ESRI"), transform=to_gk.transform))
    assert v.status == "ready" and "Gauss-Kruger" in v.source_crs
    geom = shapely.geometry.shape(services.layer_geojson("test-farmland", [W, S, W + 0.01, S + 0.01])
                                  ["features"][0]["geometry"])
    assert geom.symmetric_difference(shapely.Polygon(GOOD)).area < 1e-12


def test_shapefile_missing_prj_refused_unless_crs_given(layer, tmp_path):
    v = run(tmp_path, "noprj.zip", shapefile_zip([GOOD], prj=None))
    assert v.status == "failed" and ".prj" in v.error
    v2 = run(tmp_path, "noprj.zip", shapefile_zip([GOOD], prj=None), crs="EPSG:4490")
    assert v2.status == "ready"


def test_shapefile_broken_ring_refused(layer, tmp_path):
    v = run(tmp_path, "bad.zip", shapefile_zip([GOOD, GOOD, BOWTIE]))
    assert v.status == "failed" and "第3个要素" in v.error


def test_zip_bomb_refused(layer, tmp_path, settings):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("bomb.shp", b"\0" * (8 * 1024 * 1024))  # inflates ~1000 times
        z.writestr("bomb.dbf", b"\0" * 10)
    v = run(tmp_path, "bomb.zip", out.getvalue())
    assert v.status == "failed" and "压缩炸弹" in v.error
    settings.SMARTCOUNTY_LAYER_MAX_INFLATED_BYTES = 200
    v2 = run(tmp_path, "parcels.zip", shapefile_zip([GOOD]))
    assert v2.status == "failed" and "超过上限" in v2.error
    settings.SMARTCOUNTY_LAYER_MAX_INFLATED_BYTES = 10 ** 9
    settings.SMARTCOUNTY_LAYER_MAX_MEMBERS = 3
    v3 = run(tmp_path, "parcels.zip", shapefile_zip([GOOD]))
    assert v3.status == "failed" and "成员" in v3.error
    assert not list((tmp_path).glob("sc-layer-*"))


def test_kml_and_kmz(layer, tmp_path):
    v = run(tmp_path, "rivers.kml", KML.format(ring=kml_ring(GOOD)).encode())
    assert v.status == "ready" and v.feature_count == 2 and v.source_format == "kml"
    feats = services.layer_geojson("test-farmland", [W, S, W + 0.01, S + 0.01])["features"]
    assert [f["geometry"]["type"] for f in feats] == ["Polygon", "Point"]
    assert feats[0]["properties"] == {"name": "河道管理范围", "level": "县级", "_number": 1, "_name": "河道管理范围"}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("doc.kml", KML.format(ring=kml_ring(GOOD)))
    assert run(tmp_path, "rivers.kmz", out.getvalue()).status == "ready"


def test_kml_bad_files(layer, tmp_path):
    v = run(tmp_path, "bad.kml", KML.format(ring=kml_ring(BOWTIE)).encode())
    assert v.status == "failed" and "第1个要素" in v.error
    entity = b'<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY a "aaaa">]><kml>&a;</kml>'
    assert run(tmp_path, "x.kml", entity).status == "failed"
    assert run(tmp_path, "y.kml", b"<kml><Placemark>").status == "failed"


def test_unknown_format_refused(layer, tmp_path):
    with pytest.raises(ApiError):
        run(tmp_path, "a.dwg", b"xx")


# --- versions --------------------------------------------------------------------------------------


def test_new_import_is_a_new_version_and_the_old_one_stays_readable(layer, tmp_path):
    run(tmp_path, "a.geojson", fc(GOOD))
    moved = [[x + 0.02, y] for x, y in GOOD]
    v2 = run(tmp_path, "b.geojson", fc(moved))
    assert v2.number == 2 and v2.current
    box = [W, S, W + 0.005, S + 0.005]
    assert services.layer_geojson("test-farmland", box)["features"] == []
    assert len(services.layer_geojson("test-farmland", box, version=1)["features"]) == 1
    assert [v.number for v in services.layer_versions("test-farmland")] == [2, 1]
    failed = run(tmp_path, "c.geojson", fc(BOWTIE))
    assert failed.number == 3 and services.layer("test-farmland").version == 2
    with pytest.raises(ApiError):
        services.layer_geojson("test-farmland", box, version=3)


# --- the index -------------------------------------------------------------------------------------


def test_index_levels_and_cells():
    level, cells = index.cells(115.0, 36.0, 115.01, 36.01)
    assert 360 / 2 ** level >= 0.01 > 360 / 2 ** (level + 1) and 1 <= len(cells) <= 4
    assert index.cells(115.3, 36.3, 115.3, 36.3) == (index.MAX_LEVEL, [index.cells(115.3, 36.3, 115.3, 36.3)[1][0]])


def test_box_query_finds_exactly_what_brute_force_finds(layer, tmp_path):
    import random

    rng = random.Random(7)
    rings = []
    for _ in range(400):
        x, y = 115.3 + rng.random() * 0.3, 36.4 + rng.random() * 0.2
        dx, dy = rng.choice([0.0005, 0.003, 0.02, 0.1]), rng.choice([0.0005, 0.004, 0.03])
        rings.append([[x, y], [x + dx, y], [x + dx, y + dy], [x, y + dy], [x, y]])
    run(tmp_path, "many.geojson", fc(*rings))
    for _ in range(30):
        x, y = 115.3 + rng.random() * 0.3, 36.4 + rng.random() * 0.2
        size = rng.choice([0.001, 0.01, 0.05])
        q = shapely.box(x, y, x + size, y + size)
        got = {f["id"] for f in services.layer_geojson("test-farmland", list(q.bounds), limit=20000)["features"]}
        want = {n for n, r in enumerate(rings, start=1) if shapely.Polygon(r).intersects(q)}
        assert got == want


def test_box_query_uses_few_queries(layer, tmp_path, django_assert_max_num_queries):
    run(tmp_path, "a.geojson", fc(*[[[x + i * 0.02, y] for x, y in GOOD] for i in range(20)]))
    with django_assert_max_num_queries(3):  # the layer, the cells (one UNION ALL over the levels), the features
        services.layer_geojson("test-farmland", [W, S, W + 0.5, S + 0.5])


# --- areas -------------------------------------------------------------------------------------------


def test_equal_area_of_a_geodesic_square():
    from pyproj import Geod

    geod = Geod(ellps="GRS80")
    lon1, lat1, _ = geod.fwd(115.4, 36.5, 90, 100)
    lon2, lat2, _ = geod.fwd(lon1, lat1, 0, 100)
    lon3, lat3, _ = geod.fwd(115.4, 36.5, 0, 100)
    square = shapely.Polygon([(115.4, 36.5), (lon1, lat1), (lon2, lat2), (lon3, lat3)])
    assert crsmod.area_m2(square) == pytest.approx(10_000, rel=0.005)
    assert crsmod.area_m2(square) == pytest.approx(abs(geod.geometry_area_perimeter(square)[0]), rel=1e-4)


# --- API -----------------------------------------------------------------------------------------------


def test_api_import_and_read_authorisation(layer, client, make_user, organisation, tmp_path):
    from smartcounty.foundation.places.models import Layer

    Layer.objects.filter(key="test-farmland").update(organisation_id=organisation.pk)
    url = "/api/v1/places/layers/test-farmland"
    body = json.dumps(fc(GOOD)).encode()

    def upload():
        return client.post(url + "/versions", {"file": _file("a.geojson", body), "repair": "false"})

    assert upload().status_code == 401
    assert client.get(url).status_code == 403  # not public: anonymous may not read
    resident = make_user("layer-resident", "resident")
    client.force_login(resident)
    assert upload().status_code == 403 and client.get(url).status_code == 403
    other = make_user("layer-other-staff", "staff")  # staff, but of no organisation
    client.force_login(other)
    assert upload().status_code == 403
    assert client.get(url).status_code == 200  # may read non-public layers
    staff = make_user("layer-staff", "staff", organisation)
    client.force_login(staff)
    r = upload()
    assert r.status_code == 201, r.content
    vid = r.json()["id"]
    assert client.get(f"/api/v1/places/layers/versions/{vid}").json()["status"] == "ready"
    r = client.get(url + "/features.geojson", {"bbox": f"{W},{S},{W + 0.01},{S + 0.01}"})
    assert r.status_code == 200 and len(r.json()["features"]) == 1
    bad = client.post(url + "/versions", {"file": _file("b.geojson", json.dumps(fc(BOWTIE)).encode())})
    assert bad.status_code == 422 and "第1个要素" in bad.json()["error"]
    assert client.get(url + "/features.geojson", {"bbox": "1,2,3"}).status_code == 422
    assert LayerVersion.objects.filter(layer__key="test-farmland").count() == 2


def _file(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_public_layer_readable_by_anyone(db, client, tmp_path):
    services.ensure_layer("test-public", "公开图层", public=True)
    path = write(tmp_path, "p.geojson", fc(GOOD))
    services.import_layer_file("test-public", path, "p.geojson", background=False)
    assert client.get("/api/v1/places/layers/test-public").status_code == 200
    assert [x.key for x in services.layers(None)] == ["test-public"]


# --- villages and communities ------------------------------------------------------------------------


def test_demo_villages_and_communities_under_their_towns(db, client):
    from smartcounty.foundation.places import demo

    first = demo.load()
    assert first["villages_created"] > 18
    assert demo.load()["villages_created"] == 0  # idempotent
    street = services.villages("371525001")
    assert street and all(v.code.startswith("371525001") and len(v.code) == 12 for v in street)
    assert all(v.kind == "community" and v.name.endswith("社区（演示）") for v in street)
    assert street[0].parent_code == "371525001" and street[0].level == "village" and street[0].is_demo_geometry
    town = services.villages("371525101")
    assert town and all(v.kind == "village" and "村" in v.name for v in town)
    grids = {g.community_code for g in services.grids(town_code="371525101")}
    assert {v.code for v in town} == grids
    r = client.get("/api/v1/places/towns/371525101/villages")
    assert r.status_code == 200 and r.json()["items"][0]["code"] == town[0].code
    fc = client.get("/api/v1/places/towns/371525101/villages.geojson").json()
    assert len(fc["features"]) == len(town) and fc["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert client.get(f"/api/v1/places/villages/{town[0].code}").json()["parent_code"] == "371525101"
    assert client.get("/api/v1/places/towns/371525999/villages").status_code == 404
