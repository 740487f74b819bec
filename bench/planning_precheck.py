"""Site pre-check of one parcel against a layer of 200,000 polygons: p50/p95 through the layers' own cell index,
beside a brute-force shapely loop over the same polygons (and shapely's in-memory STRtree), in the same run.

Run: ``.venv/bin/python bench/planning_precheck.py [--polygons 200000 --parcels 200]``; SQLite by default (a
fresh file under /tmp), ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db>`` for PostgreSQL (the layer is
written into that database). The polygons are field blocks of 20-150 m scattered over Guan County's box; a
parcel is a 100-400 m square at a random place. The layer goes in through the real import (a GeoJSON file,
``places.services.import_layer_file``); its time is printed too. Measured per parcel: ``layer_overlaps`` (index
query, WKB decoding, shapely intersections, equal-area areas: what a pre-check does per layer) and the whole
``planning.services.evaluate`` with one rule on that layer. Target: p95 < 100 ms.
"""

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOX = (115.27, 36.36, 115.78, 36.70)


def p95(xs):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--polygons", type=int, default=200_000)
    ap.add_argument("--parcels", type=int, default=200)
    ap.add_argument("--brute", type=int, default=20, help="parcels for the brute-force loop (it is slow)")
    args = ap.parse_args()
    os.environ.setdefault("SMARTCOUNTY_DATA_DIR", tempfile.mkdtemp(prefix="sc-precheck-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcounty.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    import shapely
    from django.core.management import call_command
    from django.db import connection

    from smartcounty.domains.planning import services as planning
    from smartcounty.domains.planning.models import Rule
    from smartcounty.foundation.places import services as places
    from smartcounty.foundation.places.layers import crs as crsmod

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    rng = random.Random(200_000)
    west, south, east, north = BOX
    features, shapes = [], []
    for n in range(args.polygons):
        x, y = rng.uniform(west, east), rng.uniform(south, north)
        w, h = rng.uniform(20, 150) / 89_000, rng.uniform(20, 150) / 111_000
        g = shapely.Polygon([(x, y), (x + w, y), (x + w, y + h), (x + 0.3 * w, y + 1.2 * h)])
        shapes.append(g)
        features.append({"type": "Feature", "geometry": json.loads(shapely.to_geojson(g)),
                         "properties": {"name": f"图斑{n + 1}", "dlbm": "0101"}})
    key = f"bench-farmland-{os.getpid()}"
    places.ensure_layer(key, "基准测试农田")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
        size = path.stat().st_size
        t0 = time.perf_counter()
        out = places.import_layer_file(key, path, path.name, background=False, keep_file=True)
        took = time.perf_counter() - t0
    assert out.status == "ready", out.error
    print(f"import of {args.polygons} polygons ({size / 1e6:.1f} MB GeoJSON): {took:.1f} s")
    del features
    Rule.objects.filter(code="bench").delete()
    Rule.objects.update(active=False)
    Rule.objects.create(code="bench", title="bench", layer_key=key, condition="overlaps", verdict="block",
                        message="bench")

    def parcel():
        x, y = rng.uniform(west + 0.01, east - 0.01), rng.uniform(south + 0.01, north - 0.01)
        s = rng.uniform(100, 400)
        return shapely.box(x, y, x + s / 89_000, y + s / 111_000)

    parcels = [parcel() for _ in range(args.parcels)]
    geojsons = [json.loads(shapely.to_geojson(p)) for p in parcels]
    places.layer_overlaps(key, geojsons[0])  # warm the connection and the caches
    index_ms, hits, whole_ms = [], [], []
    for g in geojsons:
        t0 = time.perf_counter()
        found = places.layer_overlaps(key, g)
        index_ms.append((time.perf_counter() - t0) * 1000)
        hits.append(len(found["features"]))
    for g in geojsons:
        t0 = time.perf_counter()
        planning.evaluate(g)
        whole_ms.append((time.perf_counter() - t0) * 1000)

    brute_ms, brute_hits = [], []
    for p in parcels[:args.brute]:
        t0 = time.perf_counter()
        found = [crsmod.area_m2(p.intersection(s)) for s in shapes if p.intersects(s)]
        brute_ms.append((time.perf_counter() - t0) * 1000)
        brute_hits.append(len(found))
    assert brute_hits == hits[:args.brute], "the index and the brute-force loop disagree"
    t0 = time.perf_counter()
    tree = shapely.STRtree(shapes)
    tree_build = time.perf_counter() - t0
    tree_ms = []
    for p in parcels:
        t0 = time.perf_counter()
        [crsmod.area_m2(p.intersection(shapes[i])) for i in tree.query(p, predicate="intersects")]
        tree_ms.append((time.perf_counter() - t0) * 1000)

    print(f"{args.parcels} parcels, {statistics.mean(hits):.1f} polygons hit on average (max {max(hits)})")
    print(f"layer_overlaps (cell index, {connection.vendor}):   p50 {statistics.median(index_ms):7.2f} ms  "
          f"p95 {p95(index_ms):7.2f} ms  max {max(index_ms):7.2f} ms")
    print(f"planning.evaluate (whole pre-check, one rule):    p50 {statistics.median(whole_ms):7.2f} ms  "
          f"p95 {p95(whole_ms):7.2f} ms")
    print(f"brute-force shapely loop ({args.brute} parcels, same hits): p50 {statistics.median(brute_ms):7.2f} ms  "
          f"p95 {p95(brute_ms):7.2f} ms")
    print(f"shapely STRtree in memory (build {tree_build:.2f} s):  p50 {statistics.median(tree_ms):7.2f} ms  "
          f"p95 {p95(tree_ms):7.2f} ms")
    print(f"target p95 < 100 ms: {'met' if p95(whole_ms) < 100 else 'NOT met'}")
    Rule.objects.filter(code="bench").delete()
    if connection.vendor == "postgresql":
        places.delete_layer(key)  # the bench leaves nothing behind in a shared database


if __name__ == "__main__":
    main()
