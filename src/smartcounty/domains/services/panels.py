"""Cockpit panels: applications on time and satisfaction (published figures, the same for every viewer), and
applications by department (a list)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartcounty.foundation.cockpit.schemas import CockpitPanel, Figure


def on_time_figure(ctx) -> dict:
    from smartcounty.domains.services import services

    t = services.totals(None)
    if not t["applications"]:
        return Figure(None, "", _("No applications yet")).as_dict()
    rate = round(100 * t["on_time_rate"], 1) if t["on_time_rate"] is not None else None
    note = _("%(n)s applications · %(o)s%% online · satisfied %(s)s%%") % {
        "n": t["applications"], "o": round(100 * (t["online_share"] or 0)),
        "s": round(100 * (t["satisfied_share"] or 0))}
    return Figure(rate, "%", note, "ok" if rate is None or rate >= 95 else "warn").as_dict()


def by_department(ctx) -> dict:
    from smartcounty.domains.services import services

    rows = sorted(services.by(None, "organisation"), key=lambda r: -r["applications"])[:10]
    return {"items": [{"title": r["label"], "meta": _("%(n)s applications · on time %(t)s") % {
        "n": r["applications"], "t": f"{round(100 * r['on_time_rate'])}%" if r["on_time_rate"] is not None else "—"},
        "level": "ok" if (r["on_time_rate"] or 1) >= 0.95 else "warn", "url": "/services/statistics/", "time": ""}
        for r in rows]}


def panels() -> list[CockpitPanel]:
    return [
        CockpitPanel(key="services.on_time", title=gettext_lazy("Government services on time"), kind="figure",
                     order=30, refresh=300, audience="public", data=on_time_figure, cache=300,
                     help=gettext_lazy("Share of closed applications finished within the promised limit")),
        CockpitPanel(key="services.by_department", title=gettext_lazy("Applications by department"), kind="list",
                     order=31, refresh=600, audience="public", data=by_department, cache=600),
    ]
