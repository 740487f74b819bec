"""Import of a 100 MB zipped Shapefile as a map layer: time, features per second and peak RSS, with the import's
progress printed as it goes; beside it, in the same run, the bare floor: pyshp reading the same file and shapely
building each polygon, nothing validated, converted or written.

Run: ``.venv/bin/python bench/layers_import.py [--mb 100]`` (SQLite in a fresh folder under /tmp by default;
``DATABASE_URL=...`` for PostgreSQL). The Shapefile is generated here with pyshp: field blocks of 24 vertices
with four attributes, in CGCS2000 (a .prj is written), zipped. The import runs as the management command
``smartcounty places_layer_import`` in a child process, so its peak RSS is its own (``ru_maxrss`` of the child).
"""

import argparse
import math
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOX = (115.27, 36.36, 115.78, 36.70)
PRJ = ('GEOGCS["China Geodetic Coordinate System 2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,'
       '298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]')


def generate(folder: Path, megabytes: int) -> tuple[Path, int]:
    import shapefile

    rng = random.Random(100)
    west, south, east, north = BOX
    base = folder / "blocks"
    n = 0
    with shapefile.Writer(str(base), shapeType=shapefile.POLYGON, encoding="utf-8") as w:
        w.field("BSM", "C", 18)
        w.field("DLBM", "C", 4)
        w.field("DLMC", "C", 20)
        w.field("TBMJ", "N", 12, 2)
        while True:
            x, y, r = rng.uniform(west, east), rng.uniform(south, north), rng.uniform(30, 120) / 100_000
            ring = [(x + r * math.cos(-2 * math.pi * k / 24), y + 0.8 * r * math.sin(-2 * math.pi * k / 24))
                    for k in range(24)]
            w.poly([ring + ring[:1]])
            w.record(f"371525{n:012d}", "0101", "水浇地", round(math.pi * (r * 1e5) ** 2 * 0.8, 2))
            n += 1
            if n % 20_000 == 0 and sum(os.path.getsize(f"{base}.{s}") for s in ("shp", "dbf") if
                                       os.path.exists(f"{base}.{s}")) >= megabytes * 1_000_000:
                break
    (folder / "blocks.prj").write_text(PRJ)
    (folder / "blocks.cpg").write_text("UTF-8")
    zpath = folder / "blocks.zip"
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for s in ("shp", "shx", "dbf", "prj", "cpg"):
            z.write(folder / f"blocks.{s}", f"blocks.{s}")
    return zpath, n


def bare(folder: Path) -> float:
    import shapefile
    from shapely.geometry import shape

    t0 = time.perf_counter()
    with shapefile.Reader(str(folder / "blocks")) as r:
        for rec in r.iterShapeRecords():
            shape(rec.shape.__geo_interface__)
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=100, help="size of the .shp + .dbf to generate, in MB")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="sc-layers-bench-") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        zpath, n = generate(folder, args.mb)
        raw = sum((folder / f"blocks.{s}").stat().st_size for s in ("shp", "shx", "dbf"))
        print(f"generated {n} polygons: {raw / 1e6:.1f} MB Shapefile, {zpath.stat().st_size / 1e6:.1f} MB zipped, "
              f"in {time.perf_counter() - t0:.1f} s")
        floor = bare(folder)
        print(f"bare floor (pyshp read + shapely build, nothing written): {floor:.1f} s, {n / floor:,.0f} features/s")
        env = dict(os.environ)
        env.setdefault("SMARTCOUNTY_DATA_DIR", str(folder / "data"))
        sc = Path(sys.executable).with_name("smartcounty")
        subprocess.run([str(sc), "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        t0 = time.perf_counter()
        proc = subprocess.run([str(sc), "places_layer_import", f"bench-blocks-{os.getpid()}", str(zpath),
                               "--name", "基准测试图斑"], env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        took = time.perf_counter() - t0
        lines = proc.stdout.splitlines()
        for line in lines[:3] + (["  ..."] if len(lines) > 8 else []) + lines[-5:]:
            print(line)
        if proc.returncode:
            sys.exit(f"import failed ({proc.returncode})")
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(f"import: {took:.1f} s, {n / took:,.0f} features/s, {raw / 1e6 / took:.1f} MB/s; "
              f"peak RSS of the import process {max(peak, before) / 1024:.0f} MB "
              f"(the file is {raw / 1e6:.0f} MB; the bare floor took {floor:.1f} s)")


if __name__ == "__main__":
    main()
