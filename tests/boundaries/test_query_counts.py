"""Query counts of the pages and APIs moved onto plain-data services (issue 21): none may need more than it
did before the move. ``BEFORE`` holds the counts measured on the code before the move (same demo data, as
the platform admin); each request is asserted against it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

#: path -> queries it took before the move (admin, demo data, caches cleared), measured on main 47e5006.
BEFORE = {
    "/sensing/": 12,
    "/environment/": 6,
    # 11 before the move; main's water page then gained its map and level/rain charts (2d9aa23, 57c4050)
    "/water/": 11 + 1,
    "/weather/": 15,
    "/api/v1/sensing/things?limit=50": 5,
    "/api/v1/sensing/datastreams?limit=100": 4,
    "/api/v1/sensing/datastreams?property=water_level&limit=100": 4,
    # 18 before the move; modules landed since add their panels' queries: traffic 3 (incidents, two for TPI),
    # then parking, tourism, agriculture and logistics 9, market 4 (the bureau, three range counts), emergency 7
    # (the viewer's organisation, open incidents by level, resources by kind, shelters, market's overdue figure
    # beside them, the open-incident list), services 3 (the published totals, the figures by department, the organisations' names)
    "/api/v1/cockpit/live": 18 + 3 + 9 + 4 + 7 + 3,
    "/api/v1/cockpit/layers/cockpit.sensors?bbox=115.27,36.36,115.78,36.70&limit=1000": 6,
}


def _count(client, path) -> int:
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as seen:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(seen.captured_queries)


@pytest.mark.parametrize("path", list(BEFORE))
def test_no_page_needs_more_queries_than_before(demo, as_user, path):
    client = as_user("admin")
    client.get("/")  # session and language settled
    n = _count(client, path)
    print(f"QUERIES {n:4d} {path}")
    assert n <= BEFORE[path], f"{path}: {n} queries, {BEFORE[path]} before"
