"""Public attraction page (visitors now against the carrying capacity, warnings) and visitor statistics."""

from datetime import date

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from smartcounty.domains.tourism import capacity, services
from smartcounty.kernel.problems import ApiError


def index(request):
    page = Paginator(services.attractions(), 50).get_page(request.GET.get("page"))
    rows = services.attraction_rows(page.object_list)
    return render(request, "tourism/index.html", {"rows": rows, "page": page, "levels": [
        (capacity.LEVEL_NAMES[lv], capacity.LEVEL_COLOURS[lv]) for lv in (1, 2, 3)], "now": timezone.now()})


def _day(value, default):
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


def stats(request):
    since, until = services.today_range()
    since, until = _day(request.GET.get("since"), since), _day(request.GET.get("until"), until)
    try:
        data = services.statistics(since, until)
        error = ""
    except ApiError as exc:
        data, error = {"by_day": [], "holiday": None, "other_days": None, "by_attraction": []}, exc.detail
    chart = {"days": [r["day"].isoformat() for r in data["by_day"]], "entries": [r["entries"] for r in data["by_day"]],
             "holiday": [bool(r["holiday"]) for r in data["by_day"]]}
    return render(request, "tourism/stats.html", {"data": data, "since": since, "until": until, "error": error,
                                                  "chart": chart})
