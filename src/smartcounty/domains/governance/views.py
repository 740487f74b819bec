"""The grid-governance statistics page: by town and by grid, for a month."""

from datetime import date, datetime, time

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from smartcounty.domains.governance import services
from smartcounty.foundation.cases.services import BEIJING
from smartcounty.foundation.places import services as places
from smartcounty.kernel import authz


def _month(value):
    try:
        y, m = (int(x) for x in (value or "").split("-"))
        return date(y, m, 1)
    except ValueError:
        return timezone.localdate().replace(day=1)


@login_required
def stats(request):
    user = request.user
    if not authz.user_has_perm(user, "governance.view_stats", user.organisation_id):
        raise PermissionDenied
    month = _month(request.GET.get("month"))
    nxt = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    since, until = datetime.combine(month, time.min, BEIJING), datetime.combine(nxt, time.min, BEIJING)
    town_names = {t.code: t.name for t in places.towns()}
    by_town = services.statistics("town", since=since, until=until, user=user)
    for r in by_town:
        r["name"] = town_names.get(r["key"], r["key"] or "—")
    by_grid = services.statistics("grid", since=since, until=until, user=user)
    by_category = services.statistics("category", since=since, until=until, user=user)
    from smartcounty.domains.governance.catalogue import CATEGORIES

    for r in by_category:
        r["name"] = CATEGORIES.get(r["key"], (r["key"],))[0]
    return render(request, "governance/stats.html", {"month": month.strftime("%Y-%m"), "by_town": by_town,
                                                     "by_grid": by_grid, "by_category": by_category})
