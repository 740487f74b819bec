"""Nearest resources and covering shelters against a brute-force haversine scan; shelter capacity from the
GB/T 44013-2024 class's area per person."""

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartcounty.domains.emergency import catalogue, services
from smartcounty.domains.emergency.models import Resource, Shelter
from smartcounty.domains.emergency.services import geo
from smartcounty.kernel.geo import distance_m
from smartcounty.kernel.problems import ApiError

from .conftest import LAT, LON

pytestmark = pytest.mark.django_db


def _scatter(n, seed=7):
    rnd = random.Random(seed)
    kinds = ["depot", "team", "vehicle", "expert", "equipment"]
    Resource.objects.bulk_create([
        Resource(kind=kinds[i % 5], code=f"R{i}", name=f"资源{i}", lon=LON + rnd.uniform(-0.4, 0.4),
                 lat=LAT + rnd.uniform(-0.3, 0.3)) for i in range(n)])
    Shelter.objects.bulk_create([
        Shelter(code=f"S{i}", name=f"场所{i}", shelter_class="urgent", lon=LON + rnd.uniform(-0.1, 0.1),
                lat=LAT + rnd.uniform(-0.1, 0.1), effective_area_m2=1000, capacity=1000 if i % 3 else 0,
                service_radius_m=rnd.choice([500, 1000])) for i in range(200)])


def test_nearest_is_the_brute_force_answer(db):
    _scatter(1500)
    rows = list(Resource.objects.values("id", "kind", "lon", "lat"))
    for lon, lat in ((LON, LAT), (LON + 0.35, LAT - 0.25), (LON - 2, LAT + 1)):  # the last far outside
        got = services.nearest(lon, lat, k=4, within_m=8000)
        for kind in Resource.Kind.values:
            exact = sorted((round(distance_m(lon, lat, r["lon"], r["lat"])), r["id"]) for r in rows if r["kind"] == kind)
            assert [(n["distance_m"], n["id"]) for n in got[kind]["nearest"]] == exact[:4]
            assert got[kind]["within"] == sum(1 for d, _i in exact if d <= 8000)


def test_covering_shelters_are_those_whose_radius_reaches_the_area(db):
    _scatter(10)
    rows = list(Shelter.objects.values("id", "lon", "lat", "service_radius_m", "capacity", "occupied"))
    for radius in (0, 300):
        got = [s["id"] for s in services.covering_shelters(LON, LAT, radius_m=radius)]
        exact = sorted((round(distance_m(LON, LAT, s["lon"], s["lat"])), s["id"]) for s in rows
                       if distance_m(LON, LAT, s["lon"], s["lat"]) <= s["service_radius_m"] + radius
                       and s["capacity"] > s["occupied"])
        assert got == [i for _d, i in exact]
    assert all(s["free"] > 0 for s in services.covering_shelters(LON, LAT))


@given(st.floats(-60, 60), st.floats(1, 200_000), st.floats(0, 6.2832))
def test_box_holds_the_circle(lat, radius, bearing):
    """A point at the radius in any direction lies inside the box."""
    import math

    w, s, e, n = geo.box(LON, lat, radius)
    ang, p1 = radius / geo.EARTH_RADIUS_M, math.radians(lat)
    p2 = math.asin(math.sin(p1) * math.cos(ang) + math.cos(p1) * math.sin(ang) * math.cos(bearing))
    l2 = math.radians(LON) + math.atan2(math.sin(bearing) * math.sin(ang) * math.cos(p1),
                                        math.cos(ang) - math.sin(p1) * math.sin(p2))
    assert s <= math.degrees(p2) <= n and w <= math.degrees(l2) <= e


@given(st.sampled_from(list(catalogue.SHELTER_CLASSES)), st.integers(0, 10**6), st.integers(0, 10**6))
def test_capacity_grows_with_area_and_keeps_the_area_per_person(cls, a, b):
    small, large = sorted((a, b))
    assert catalogue.shelter_capacity(cls, small) <= catalogue.shelter_capacity(cls, large)
    per = catalogue.SHELTER_CLASSES[cls][2]
    cap = catalogue.shelter_capacity(cls, large)
    assert cap * per <= large < (cap + 1) * per or large == 0


def test_capacity_by_class_table():
    # 1 m², 2 m², 3 m² and 4.5 m² a person: 9,000 m² takes 9,000, 4,500, 3,000 and 2,000 persons
    assert [catalogue.shelter_capacity(c, 9000) for c in ("urgent", "short", "medium", "long")] == [9000, 4500, 3000,
                                                                                                 2000]


def test_shelter_checks_capacity_and_radius(world):
    sid = services.create_shelter(code="S-A", name="广场", shelter_class="short", lon=LON, lat=LAT,
                                  effective_area_m2=4000)
    s = Shelter.objects.get(pk=sid)
    assert (s.capacity, s.service_radius_m) == (2000, 2500)
    with pytest.raises(ApiError):
        services.create_shelter(code="S-B", name="广场", shelter_class="short", lon=LON, lat=LAT,
                                effective_area_m2=4000, capacity=2001)
    with pytest.raises(ApiError):
        services.create_shelter(code="S-C", name="广场", shelter_class="urgent", lon=LON, lat=LAT,
                                effective_area_m2=4000, service_radius_m=1500)
