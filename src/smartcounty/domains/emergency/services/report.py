"""The situation report (态势报告) of an incident at any moment: the same facts as the command view, as data
for the HTML page and as a PDF (ReportLab, with the Adobe Song CID font for Chinese, which PDF readers carry,
so nothing is embedded or fetched)."""

import io

from django.utils import timezone

from smartcounty.domains.emergency.services import incidents

FONT = "STSong-Light"


def situation(incident_id: int) -> dict | None:
    view = incidents.command_view(incident_id, k=3)
    if view is None:
        return None
    return {**view, "at": timezone.now()}


def _fmt(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M") if dt else "—"


def pdf(report: dict) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=14, wordWrap="CJK")
    h1 = ParagraphStyle("h1", parent=body, fontSize=16, leading=22, spaceAfter=6)
    h2 = ParagraphStyle("h2", parent=body, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4)
    inc = report["incident"]

    def p(text, style=body):
        return Paragraph(escape(str(text)), style)

    def table(head, rows):
        data = [[p(h) for h in head]] + [[p(c) for c in r] for r in rows] if rows else [[p(h) for h in head],
                                                                                         [p("无")] + [""] * (len(head) - 1)]
        t = Table(data, repeatRows=1, hAlign="LEFT")
        t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return t

    story = [p(f"突发事件态势报告 {inc['number']}", h1),
             p(f"{inc['title']} · {inc['kind_name']} · {inc['level_name']} · {inc['state_name']}"),
             p(f"地点：{inc['address'] or '—'}（{inc['lon']:.5f}, {inc['lat']:.5f}），影响半径 {inc['radius_m']} 米"),
             p(f"接报：{_fmt(inc['opened_at'])}　报告时间：{_fmt(report['at'])}"), Spacer(1, 4 * mm),
             p("关联告警", h2),
             table(["告警", "级别", "状态", "时间"], [[a["title"], a["level"], a["state"], _fmt(a["raised_at"])]
                                                 for a in report["alerts"]]),
             p("关联案件", h2),
             table(["编号", "标题", "状态"], [[c["number"], c["title"], c["state"]] for c in report["cases"]]),
             p("周边资源（直线距离）", h2),
             table(["类别", f"{report['resources'][0]['within_m'] if report['resources'] else 0} 米内", "最近"],
                   [[r["name"], r["within"], "；".join(f"{n['name']} {n['distance_m']} 米" for n in r["nearest"])]
                    for r in report["resources"]]),
             p("可用避难场所", h2),
             table(["名称", "类别", "距离（米）", "空余（人）"],
                   [[s["name"], s["class_name"], s["distance_m"], s["free"]] for s in report["shelters"]]),
             p("处置任务", h2),
             table(["队伍", "任务", "状态", "时限"], [[t["team"], t["title"], t["state_name"], _fmt(t["deadline"])]
                                                for t in report["tasks"]]),
             p("公众预警", h2),
             table(["预警", "发布", "解除"], [[w["headline"], _fmt(w["sent_at"]), _fmt(w["cancelled_at"])]
                                            for w in report["warnings"]]),
             p("时间线", h2),
             table(["时间", "事项"], [[_fmt(e["at"]), e["text"]] for e in report["timeline"]])]
    if inc.get("review"):
        story += [p("复盘评估", h2), p(inc["review"])]
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                      bottomMargin=15 * mm, title=f"态势报告 {inc['number']}", author="冠县应急管理局").build(story)
    return buf.getvalue()
