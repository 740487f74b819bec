"""Cockpit panel: overdue special equipment (a figure, by the viewer's scope; trapping alarms show as alerts)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartcounty.foundation.cockpit.schemas import CockpitPanel, Figure


def overdue_figure(ctx) -> dict:
    from smartcounty.domains.market import services

    scope = services.reader(ctx.user)
    if not scope.sees:
        return Figure(None, "", _("Not in your remit")).as_dict()
    s = services.due_summary(scope)
    note = _("%(d)s due within a month · %(n)s in use") % {"d": s["due"], "n": s["total"]}
    return Figure(s["overdue"], _("pieces"), note, "bad" if s["overdue"] else "ok").as_dict()


def panels() -> list[CockpitPanel]:
    return [
        CockpitPanel(key="market.overdue", title=gettext_lazy("Special equipment overdue"), kind="figure", order=45,
                     refresh=300, permission="market.view", data=overdue_figure,
                     help=gettext_lazy("Pieces in use past their inspection date")),
    ]
