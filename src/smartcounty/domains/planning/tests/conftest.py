"""A parcel of 100 m × 100 m built geodesically at 115.4°E 36.5°N, and planning layers whose edges are known:
the farmland layer covers exactly the west half of the parcel (its east edge is the parcel's geodesic midline)."""

import json

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from pyproj import Geod

from smartcounty.domains.planning.models import Rule
from smartcounty.foundation.places import services as places

GEOD = Geod(ellps="GRS80")
A = (115.4, 36.5)


def fwd(p, azimuth, metres):
    lon, lat, _ = GEOD.fwd(p[0], p[1], azimuth, metres)
    return (lon, lat)


B = fwd(A, 90, 100)
D = fwd(A, 0, 100)
C = fwd(B, 0, 100)
M1 = fwd(A, 90, 50)   # middle of the south edge
M2 = fwd(D, 90, 50)   # middle of the north edge


def polygon(*points):
    ring = [list(p) for p in points]
    return {"type": "Polygon", "coordinates": [ring + [ring[0]]]}


PARCEL = polygon(A, B, C, D)
WEST_HALF_LAYER = polygon((115.39, 36.49), (M1[0], 36.49), M1, M2, (M2[0], 36.51), (115.39, 36.51))
AROUND = polygon((115.35, 36.45), (115.45, 36.45), (115.45, 36.55), (115.35, 36.55))
FAR = polygon((115.6, 36.6), (115.61, 36.6), (115.61, 36.61), (115.6, 36.61))


def fc(*geometries, names=None):
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": g, "properties": {"name": (names or [])[i] if names else f"要素{i + 1}"}}
        for i, g in enumerate(geometries)]}


def load_layer(tmp_path, key, name, collection, org_id=None):
    places.ensure_layer(key, name, organisation_id=org_id)
    path = tmp_path / f"{key}.geojson"
    path.write_text(json.dumps(collection), encoding="utf-8")
    out = places.import_layer_file(key, path, path.name, background=False)
    assert out.status == "ready", out.error


@pytest.fixture
def authority(db):
    Organisation = apps.get_model("accounts", "Organisation")
    org, _ = Organisation.objects.get_or_create(code="natural-resources", defaults={"name": "县自然资源和规划局"})
    return org


@pytest.fixture
def other_org(db):
    Organisation = apps.get_model("accounts", "Organisation")
    return Organisation.objects.create(code="planning-test-other", name="县测试局")


@pytest.fixture
def make_user(db):
    def make(username, role, organisation=None):
        return get_user_model().objects.create_user(username=username, password="x-planning-test-1", role=role,
                                                    organisation=organisation, kind="staff")
    return make


@pytest.fixture
def checker(make_user, authority):
    return make_user("planning-checker", "staff", authority)


def rule(code, layer, condition, verdict, share=0.0, order=10):
    return Rule.objects.create(code=code, title=code, layer_key=layer, condition=condition, min_share=share,
                               verdict=verdict, message=f"{code} applies", order=order)


@pytest.fixture
def layers(db, tmp_path, authority):
    """farmland: the parcel's west half (+ a far feature); eco: far away; ubd: around the parcel; river: none."""
    load_layer(tmp_path, "t-farmland", "永久基本农田", fc(WEST_HALF_LAYER, FAR, names=["农田A", "农田B"]), authority.pk)
    load_layer(tmp_path, "t-eco", "生态保护红线", fc(FAR), authority.pk)
    load_layer(tmp_path, "t-ubd", "城镇开发边界", fc(AROUND), authority.pk)
    rule("farmland", "t-farmland", "overlaps", "block", order=10)
    rule("eco", "t-eco", "overlaps", "block", order=20)
    rule("ubd-outside", "t-ubd", "outside", "warn", order=30)
    rule("ubd-inside", "t-ubd", "overlaps", "note", order=40)
