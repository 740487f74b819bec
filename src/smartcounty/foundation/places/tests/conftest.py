"""Fixtures: a small county of squares whose borders, vertices and outside are known exactly.

    36.1 +-----------+-----------+-----------------------+
         | grid      | grid      | grid        :         |
         | ...00101  | ...00102  | ...00201    : no grid |
         |        town 001       |        town 002       |
    36.0 +-----------+-----------+-----------------------+
       115.0       115.05      115.1       115.15      115.2
"""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from smartcounty.foundation.places import services

A, B = "371525001", "371525002"


def square(w, s, e, n):
    return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}


def feature(code, geometry, name="", **props):
    return {"type": "Feature", "geometry": geometry, "properties": {"code": code, "name": name, **props}}


def collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


TOWNS = collection(feature(A, square(115.0, 36.0, 115.1, 36.1)), feature(B, square(115.1, 36.0, 115.2, 36.1)))
GRIDS = collection(
    feature("37152500100101", square(115.0, 36.0, 115.05, 36.1), "A-1"),
    feature("37152500100102", square(115.05, 36.0, 115.1, 36.1), "A-2"),
    feature("37152500200101", square(115.1, 36.0, 115.15, 36.1), "B-1"),
)


@pytest.fixture
def divisions(db):
    from smartcounty.foundation.places.demo import ensure_divisions

    ensure_divisions()


@pytest.fixture
def squares(divisions):
    services.import_geojson(TOWNS, "town")
    services.import_geojson(GRIDS, "grid")


@pytest.fixture
def organisation(db):
    Organisation = apps.get_model("accounts", "Organisation")
    return Organisation.objects.create(code="places-test-org", name="县测试局")


@pytest.fixture
def make_user(db):
    def make(username, role, organisation=None):
        return get_user_model().objects.create_user(username=username, password="x-places-test-1",
                                                    role=role, organisation=organisation, kind="staff")
    return make


@pytest.fixture
def platform_admin(make_user):
    return make_user("places-admin", "platform_admin")


@pytest.fixture
def org_admin(make_user, organisation):
    return make_user("places-orgadmin", "org_admin", organisation)
