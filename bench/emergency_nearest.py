"""Nearest resources and covering shelters for an incident among 100,000 resources and 5,000 shelters, beside a
plain bounding-box query of the same area.

Run: ``.venv/bin/python bench/emergency_nearest.py [--resources 100000 --shelters 5000 --queries 300]``
(``DATABASE_URL=postgres://.../<db>`` for PostgreSQL: the emergency resource and shelter tables of that database
are emptied; default a fresh SQLite file under /tmp).

The rows: resources of the five kinds scattered uniformly over Guan County's box (about 45 x 38 km) and a little
beyond, shelters of the four GB/T 44013 classes with their class's service radius. Each query is an incident at a
random point: ``services.nearest`` (the 5 nearest of every kind and the count within 5 km: a (lat, lon) bounding box
through the index, exact haversine, the box doubled for a kind with too few) plus
``services.covering_shelters`` (shelters whose service radius reaches a 500 m affected area, with free places).
Beside it, the peer: one plain ``COUNT(*)`` of the resources in a 5 km bounding box (what any map query costs).
Printed: median and p95 in milliseconds of each; the target is p95 < 30 ms.
"""

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import django_on_own_database, timeit  # noqa: E402

WEST, SOUTH, EAST, NORTH = 115.18, 36.30, 115.72, 36.66


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--resources", type=int, default=100_000)
    ap.add_argument("--shelters", type=int, default=5_000)
    ap.add_argument("--queries", type=int, default=300)
    args = ap.parse_args()
    django_on_own_database("emergency-bench")

    from django.db import connection

    from smartcounty.domains.emergency import catalogue, services
    from smartcounty.domains.emergency.models import Resource, Shelter
    from smartcounty.domains.emergency.services import geo

    rnd = random.Random(22)
    Shelter.objects.all().delete()
    Resource.objects.filter(stock__isnull=True, tasks__isnull=True, moves__isnull=True).delete()
    kinds = list(services.KIND_NAMES)
    Resource.objects.bulk_create(
        [Resource(kind=kinds[i % 5], code=f"B{i}", name=f"资源{i}", lon=rnd.uniform(WEST - 0.1, EAST + 0.1),
                  lat=rnd.uniform(SOUTH - 0.1, NORTH + 0.1), status="ready" if i % 7 else "deployed")
         for i in range(args.resources)], batch_size=5000)
    classes = list(catalogue.SHELTER_CLASSES)
    Shelter.objects.bulk_create(
        [Shelter(code=f"BS{i}", name=f"场所{i}", shelter_class=(c := classes[i % 4]), lon=rnd.uniform(WEST, EAST),
                 lat=rnd.uniform(SOUTH, NORTH), effective_area_m2=5000, capacity=5000 // 4,
                 occupied=rnd.randint(0, 5000 // 4), service_radius_m=catalogue.SHELTER_CLASSES[c][3] // 4)
         for i in range(args.shelters)], batch_size=5000)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    points = [(rnd.uniform(WEST, EAST), rnd.uniform(SOUTH, NORTH)) for _ in range(args.queries)]
    it = iter(points * 3)

    def ours():
        lon, lat = next(it)
        reach = geo.max_service_radius()
        services.nearest(lon, lat, k=5, within_m=5000)
        geo.covering_shelters(lon, lat, radius_m=500, reach_m=reach)

    it2 = iter(points * 3)

    def plain():
        lon, lat = next(it2)
        geo.bbox_only(lon, lat, 5000)

    med, p95 = timeit(ours, args.queries)
    bmed, bp95 = timeit(plain, args.queries)
    print(f"{connection.vendor}: {args.resources} resources, {args.shelters} shelters, {args.queries} incidents")
    print(f"  nearest of 5 kinds + covering shelters: median {med:.2f} ms, p95 {p95:.2f} ms (target p95 < 30 ms)")
    print(f"  plain 5 km bounding-box COUNT(*):       median {bmed:.2f} ms, p95 {bp95:.2f} ms")


if __name__ == "__main__":
    main()
