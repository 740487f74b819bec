"""Planning demo: synthetic planning layers around Guan County, the pre-check rules, and a few checks.

The layers are **made up** (no official planning data is public): their names end in （演示） and they are
marked ``is_demo``. They are drawn inside places' estimated county box, deterministically (a fixed seed):

- 城镇开发边界: an irregular ring around the county seat and a small one around each town's point;
- 生态保护红线: a band along the 卫运河 on the county's western edge, and a wetland patch;
- 河湖管理范围: a band along a canal across the east of the county;
- 永久基本农田: field blocks on a 0.015° lattice (gaps for roads), outside the three layers above.

They go through the real import (a GeoJSON file per layer, places' layer import), so they are versioned and
indexed like any imported layer. Loading again changes nothing.
"""

import json
import math
import random
import tempfile
from pathlib import Path

import shapely
from django.db import transaction

from smartcounty.domains.planning import services
from smartcounty.domains.planning.models import Check, Rule
from smartcounty.foundation.accounts import services as accounts
from smartcounty.foundation.places import services as places

BOX = (115.27, 36.36, 115.78, 36.70)  # places.data.ESTIMATED_BBOX
SEAT = (115.450462, 36.492479)

LAYERS = (
    ("planning-farmland", "永久基本农田（演示）", "#d4a017", "永久基本农田保护红线内的耕地（示意数据）"),
    ("planning-eco", "生态保护红线（演示）", "#2e8b57", "生态保护红线（示意数据）"),
    ("planning-ubd", "城镇开发边界（演示）", "#c0392b", "城镇开发边界（示意数据）"),
    ("planning-river", "河湖管理范围（演示）", "#2f6fb0", "河道、湖泊管理范围（示意数据）"),
)

RULES = (
    ("farmland", "永久基本农田", "planning-farmland", "overlaps", 0.0, "block",
     "地块占用永久基本农田：除国家重大项目外不得选址，须调整选址避让", "《土地管理法》第三十五条"),
    ("eco", "生态保护红线", "planning-eco", "overlaps", 0.0, "block",
     "地块位于生态保护红线内：原则上禁止开发性、生产性建设活动", "《关于在国土空间规划中统筹划定落实三条控制线的指导意见》"),
    ("ubd-outside", "城镇开发边界外", "planning-ubd", "outside", 0.0, "warn",
     "地块有部分位于城镇开发边界外：城镇集中建设须在边界内，边界外按村庄规划和用途管制审查",
     "《关于在国土空间规划中统筹划定落实三条控制线的指导意见》"),
    ("ubd-inside", "城镇开发边界内", "planning-ubd", "overlaps", 0.0, "note",
     "地块位于城镇开发边界内：按控制性详细规划核定规划条件", "《城乡规划法》第三十八条"),
    ("river", "河湖管理范围", "planning-river", "overlaps", 0.0, "warn",
     "地块涉及河湖管理范围：须征求水行政主管部门意见", "《河道管理条例》第十一条"),
)


def _blob(x, y, r, rng, n=24, squash=0.8):
    pts = []
    for i in range(n):
        a = 2 * math.pi * i / n
        rr = r * rng.uniform(0.75, 1.2)
        pts.append((x + rr * math.cos(a) / math.cos(math.radians(y)) * 0.8, y + rr * math.sin(a) * squash))
    return shapely.Polygon(pts).buffer(0)


def shapes() -> dict[str, list[tuple[shapely.Geometry, dict]]]:
    rng = random.Random(16)
    west, south, east, north = BOX
    ubd = [(_blob(*SEAT, 0.035, rng), {"name": "中心城区城镇开发边界", "code": "UBD-01"})]
    for n, t in enumerate(places.town_points(), start=2):
        if t.lon is None or t.code.startswith("3715250"):  # the three streets lie in the seat's ring
            continue
        ubd.append((_blob(t.lon, t.lat, 0.008, rng), {"name": f"{t.name}镇区城镇开发边界", "code": f"UBD-{n:02d}"}))
    river = shapely.LineString([(west + 0.012 + 0.006 * math.sin(k / 3), south + k * (north - south) / 30)
                                for k in range(31)])
    eco = [(river.buffer(0.006).intersection(shapely.box(*BOX)), {"name": "卫运河生态保护红线", "type": "河流湿地"}),
           (_blob(115.62, 36.60, 0.012, rng), {"name": "示意湿地公园生态保护红线", "type": "湿地"})]
    canal = shapely.LineString([(115.58 + 0.01 * math.sin(k / 2), north - k * (north - south) / 20) for k in range(21)])
    rivers = [(canal.buffer(0.003), {"name": "示意干渠管理范围", "level": "县级"})]
    taken = shapely.union_all([g for g, _ in ubd + eco + rivers]).buffer(0.002)
    shapely.prepare(taken)
    farmland = []
    step = 0.015
    for i in range(int((east - west) / step)):
        for j in range(int((north - south) / step)):
            x, y = west + i * step, south + j * step
            cell = shapely.box(x + 0.001, y + 0.001, x + step - rng.uniform(0.001, 0.003), y + step - 0.001)
            if rng.random() < 0.25:
                continue
            piece = cell.difference(taken) if taken.intersects(cell) else cell
            piece = piece if piece.geom_type in ("Polygon", "MultiPolygon") else piece.buffer(0)
            if piece.is_empty or piece.area < 0.2 * step * step:
                continue
            farmland.append((shapely.set_precision(piece, 1e-7), {
                "name": f"永久基本农田保护图斑{len(farmland) + 1:04d}", "dlbm": "0101", "dlmc": "水浇地",
                "bh": f"371525{i:03d}{j:03d}"}))
    return {"planning-ubd": ubd, "planning-eco": eco, "planning-river": rivers, "planning-farmland": farmland}


def _import(key: str, features) -> None:
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": json.loads(shapely.to_geojson(g)), "properties": p} for g, p in features]}
    with tempfile.TemporaryDirectory(prefix="sc-planning-demo-") as tmp:
        path = Path(tmp) / f"{key}.geojson"
        path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
        out = places.import_layer_file(key, path, path.name, background=False)
    if out.status != "ready":
        raise RuntimeError(f"demo layer {key}: {out.error}")


DEMO_CHECKS = (
    ("冠县示意物流仓储项目地块（演示）", [(115.452, 36.489), (115.457, 36.489), (115.457, 36.493), (115.452, 36.493)]),
    ("示意农村产业融合项目地块（演示）", [(115.33, 36.44), (115.338, 36.44), (115.338, 36.446), (115.33, 36.446)]),
    ("示意沿河文旅项目地块（演示）", [(115.278, 36.55), (115.292, 36.55), (115.292, 36.556), (115.278, 36.556)]),
)


def load(stdout=None) -> dict:
    org = accounts.organisation(services.AUTHORITY_CODE)
    org_id = org.id if org else None
    made_layers = 0
    all_shapes = None
    for key, name, colour, description in LAYERS:
        places.ensure_layer(key, name, description=description, organisation_id=org_id, is_demo=True,
                            style={"color": colour})
        if places.layer(key).version is None:
            all_shapes = all_shapes or shapes()
            _import(key, all_shapes[key])
            made_layers += 1
    made_rules = 0
    with transaction.atomic():
        for order, (code, title, layer, condition, share, verdict, message, basis) in enumerate(RULES, start=1):
            _, created = Rule.objects.get_or_create(code=code, defaults={
                "title": title, "layer_key": layer, "condition": condition, "min_share": share, "verdict": verdict,
                "message": message, "basis": basis, "order": order * 10})
            made_rules += int(created)
    made_checks = 0
    staff = accounts.members_of(org_id, "staff", limit=1) if org_id else []
    if staff and not Check.objects.exists():
        for name, ring in DEMO_CHECKS:
            geometry = {"type": "Polygon", "coordinates": [[list(p) for p in ring + ring[:1]]]}
            services.record(geometry, name=name, user_id=staff[0].id, organisation_id=org_id, source="demo")
            made_checks += 1
    if stdout is not None:
        stdout.write(f"  planning: {made_layers} demo layers imported, {made_rules} rules, {made_checks} checks")
    return {"layers": made_layers, "rules": made_rules, "checks": made_checks}
