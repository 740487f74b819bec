"""The pre-check report as a PDF (fpdf2, Noto Sans CJK from Debian's fonts-noto-cjk): the verdicts, the layers
met with their areas and shares, the features hit, and a map drawn as vectors (the parcel, the layers' features
around it, the overlaps), so the PDF needs no tile server and no browser."""

import math
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF

from smartcounty.domains.planning.schemas import CheckOut
from smartcounty.foundation.places import services as places

FONT_PATHS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
              "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc")
BOLD_PATHS = tuple(p.replace("Regular", "Bold") for p in FONT_PATHS)
SC_INDEX = 2  # Simplified Chinese in the Noto CJK collection
VERDICT_NAMES = {"pass": "通过", "note": "提示", "warn": "警示", "block": "禁止"}
VERDICT_COLOURS = {"pass": (30, 120, 60), "note": (40, 90, 160), "warn": (190, 120, 0), "block": (180, 30, 30)}
DEFAULT_COLOUR = "#1f5fa8"


@lru_cache(maxsize=2)
def font_path(bold: bool = False) -> str:
    for p in BOLD_PATHS if bold else FONT_PATHS:
        if Path(p).is_file():
            return p
    if bold:
        return font_path(False)
    raise RuntimeError("Noto Sans CJK is not installed (Debian package fonts-noto-cjk)")


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = (hex_colour or DEFAULT_COLOUR).lstrip("#")
    try:
        return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)
    except (ValueError, IndexError):
        return _rgb(DEFAULT_COLOUR)


def _rings(geometry: dict):
    t = geometry.get("type")
    if t == "Polygon":
        yield from geometry["coordinates"][:1]
    elif t == "MultiPolygon":
        for poly in geometry["coordinates"]:
            yield poly[0]
    elif t == "GeometryCollection":
        for g in geometry.get("geometries", []):
            yield from _rings(g)


def _bounds(geometry: dict):
    xs, ys = [], []
    for ring in _rings(geometry):
        xs += [p[0] for p in ring]
        ys += [p[1] for p in ring]
    return min(xs), min(ys), max(xs), max(ys)


class _Map:
    """Lon/lat to millimetres in a box on the page (equirectangular at the parcel's latitude: small areas)."""

    def __init__(self, pdf, x, y, w, h, bounds):
        west, south, east, north = bounds
        pad_x, pad_y = (east - west) * 0.6 + 0.001, (north - south) * 0.6 + 0.001
        self.west, self.south, self.east, self.north = west - pad_x, south - pad_y, east + pad_x, north + pad_y
        self.k = math.cos(math.radians((south + north) / 2))
        span_x, span_y = (self.east - self.west) * self.k, self.north - self.south
        self.scale = min(w / span_x, h / span_y)
        self.x0 = x + (w - span_x * self.scale) / 2
        self.y0 = y + (h - span_y * self.scale) / 2
        self.h = span_y * self.scale
        self.pdf = pdf

    @property
    def bbox(self):
        return [self.west, self.south, self.east, self.north]

    def point(self, lon, lat):
        return self.x0 + (lon - self.west) * self.k * self.scale, self.y0 + self.h - (lat - self.south) * self.scale

    def draw(self, geometry, style):
        for ring in _rings(geometry):
            pts = [self.point(x, y) for x, y in ring]
            if len(pts) >= 3:
                self.pdf.polygon(pts, style=style)

    def metres_per_mm(self):
        return 111_320 / self.scale


def render(check: CheckOut) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_font("cjk", fname=font_path(), collection_font_number=SC_INDEX)
    pdf.add_font("cjk", style="B", fname=font_path(True), collection_font_number=SC_INDEX)
    pdf.set_title(f"选址预审报告 {check.name}")
    pdf.add_page()
    pdf.set_font("cjk", size=16)
    pdf.cell(0, 10, "建设项目选址预审（多规合一）报告", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    pdf.multi_cell(0, 6, f"地块：{check.name}　面积：{check.area_m2:,.1f} 平方米（{check.area_m2 / 666.6667:,.2f} 亩）\n"
                         f"预审编号：{check.id}　时间：{check.created_at[:19].replace('T', ' ')}　预审人：{check.created_by}",
                   new_x="LMARGIN", new_y="NEXT")
    colour = VERDICT_COLOURS.get(check.verdict, (0, 0, 0))
    pdf.set_text_color(*colour)
    pdf.set_font("cjk", size=14)
    pdf.cell(0, 10, f"总体结论：{VERDICT_NAMES.get(check.verdict, check.verdict)}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    _draw_map(pdf, check)
    pdf.set_font("cjk", size=11)
    pdf.cell(0, 8, "规则结论", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=9)
    with pdf.table(col_widths=(40, 16, 90, 44), text_align="LEFT") as table:
        table.row(["规则", "结论", "说明", "依据"])
        for r in check.rules:
            table.row([r.title, VERDICT_NAMES.get(r.verdict, r.verdict), r.message or "未涉及", r.basis])
    pdf.ln(3)
    pdf.set_font("cjk", size=11)
    pdf.cell(0, 8, "各图层叠加分析（面积按CGCS2000椭球Albers等积投影计算）", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=9)
    with pdf.table(col_widths=(50, 16, 34, 24, 66), text_align="LEFT") as table:
        table.row(["图层", "版本", "重叠面积（平方米）", "占地块比例", "涉及要素（前10个）"])
        for lr in check.layers:
            names = "、".join(f"{f.name or '#' + str(f.number)}（{f.overlap_m2:,.0f}㎡）" for f in lr.features[:10])
            table.row([lr.name, "—" if lr.missing else f"v{lr.version}", f"{lr.overlap_m2:,.1f}",
                       f"{lr.share * 100:.2f}%", ("图层尚无数据" if lr.missing else names or "无")])
    pdf.ln(3)
    pdf.set_font("cjk", size=8)
    pdf.multi_cell(0, 5, "本报告由智慧冠县平台依据系统内的规划图层自动生成，仅供选址参考，不作为审批依据。"
                         "标注“演示”的图层为示意数据。", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _draw_map(pdf, check: CheckOut):
    x, y, w, h = pdf.l_margin, pdf.get_y() + 2, pdf.epw, 95
    m = _Map(pdf, x, y, w, h, _bounds(check.geometry))
    pdf.set_draw_color(160, 160, 160)
    pdf.set_fill_color(248, 246, 240)
    pdf.rect(x, y, w, h, style="DF")
    for lr in check.layers:
        if lr.missing:
            continue
        meta = places.layer(lr.key)
        rgb = _rgb((meta.style or {}).get("color", DEFAULT_COLOUR))
        around = places.layer_geojson(lr.key, m.bbox, version=lr.version, limit=400)
        with pdf.local_context(fill_opacity=0.25, stroke_opacity=0.8):
            pdf.set_draw_color(*rgb)
            pdf.set_fill_color(*rgb)
            pdf.set_line_width(0.2)
            for f in around["features"]:
                m.draw(f["geometry"], "DF")
        if lr.overlap_geometry:
            with pdf.local_context(fill_opacity=0.7):
                pdf.set_fill_color(*rgb)
                m.draw(lr.overlap_geometry, "F")
    pdf.set_draw_color(200, 0, 0)
    pdf.set_line_width(0.6)
    m.draw(check.geometry, "D")
    # scale bar: a round number of metres about a fifth of the map wide
    target = m.metres_per_mm() * w / 5
    step = 10 ** math.floor(math.log10(target))
    metres = next(s * step for s in (5, 2, 1) if s * step <= target)
    length = metres / m.metres_per_mm()
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.4)
    pdf.line(x + 4, y + h - 5, x + 4 + length, y + h - 5)
    pdf.set_font("cjk", size=7)
    pdf.text(x + 4, y + h - 6.5, f"{metres:,.0f} 米")
    pdf.text(x + w - 30, y + 5, "红框：预审地块")
    pdf.set_line_width(0.2)
    pdf.set_y(y + h + 3)
