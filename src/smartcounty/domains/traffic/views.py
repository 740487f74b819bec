"""Road conditions for residents (county TPI, each segment's level on a map, today's TPI and the weekday
profile) and the incident list for the transport bureau."""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from smartcounty.domains.traffic import congestion, services, tpi
from smartcounty.foundation.sensing.services import to_ms
from smartcounty.kernel import audit, authz


def _class_names():
    from smartcounty.domains.traffic.models import RoadSegment

    return dict(RoadSegment.RoadClass.choices)


def index(request):
    now = datetime.now(UTC)
    names = _class_names()
    current = services.current_tpi()
    if current:
        current["by_class_rows"] = [(names.get(c, c), v, tpi.LEVEL_NAMES[tpi.tpi_level(v)])
                                    for c, v in sorted(current["by_class"].items(),
                                                       key=lambda kv: tpi.CLASSES.index(kv[0]))]
    history = congestion.history(to_ms(now - timedelta(days=1)), to_ms(now) + 1)
    weekday = timezone.localtime(now).weekday()
    profile = services.profile(weekday)
    states = services.latest_states()
    congested = [s for s in states if s["level"] >= congestion.CONGESTED_LEVEL]
    congested.sort(key=lambda s: (-s["level"], s["speed_kmh"]))
    for s in states:
        s["colour"] = tpi.LEVEL_COLOURS[s["level"]]
        s["class_name"] = names.get(s["road_class"], s["road_class"])
    for s in congested:
        s["class_name"] = names.get(s["road_class"], s["road_class"])
    chart = {"history": [[timezone.localtime(h["start"]).strftime("%Y-%m-%d %H:%M"), h["tpi"]] for h in history],
             "profile": [[p["time"], p["mean"]] for p in profile["slots"]]}
    levels = [{"level": lv, "name": tpi.LEVEL_NAMES[lv], "colour": tpi.LEVEL_COLOURS[lv],
               "low": 0 if lv == 1 else tpi.TPI_BOUNDS[lv - 2], "high": 10 if lv == 5 else tpi.TPI_BOUNDS[lv - 1]}
              for lv in tpi.LEVELS]
    return render(request, "traffic/index.html", {
        "current": current, "states": states, "congested": congested[:50], "chart": chart, "levels": levels,
        "profile": profile, "weekday_name": ["周一", "周二", "周三", "周四", "周五", "周六", "周日"][weekday],
        "tile_url": getattr(settings, "SMARTCOUNTY_TILE_URL", "") or "",
        "tile_attribution": getattr(settings, "SMARTCOUNTY_TILE_ATTRIBUTION", "") or ""})


@login_required
def incidents(request):
    if not authz.user_has_perm(request.user, "traffic.view_incidents", services.authority_id() or -1):
        raise PermissionDenied
    state = request.GET.get("state") or None
    if state not in (None, "active", "cleared"):
        state = None
    page = Paginator(services.incident_rows(state=state), 50).get_page(request.GET.get("page"))
    audit.record("traffic.incidents_read", actor=request.user, detail={"state": state or ""})
    rows = [services.incident_out(i) for i in page.object_list]
    return render(request, "traffic/incidents.html", {"rows": rows, "page": page, "state": state or ""})


STATUS_NAMES = {"available": "有空位", "few": "车位紧张", "full": "已满", "closed": "未开放", "offline": "传感器离线"}


def _parking_context(request):
    from smartcounty.domains.traffic.models import CarPark

    kinds = dict(CarPark.Kind.choices)
    kind = request.GET.get("kind") if request.GET.get("kind") in kinds else None
    page = Paginator(services.parking_page(kind=kind), 50).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for r in rows:
        r["kind_name"] = kinds.get(r["kind"], r["kind"])
        r["status_name"] = STATUS_NAMES[r["status"]]
    return {"rows": rows, "page": page, "kind": kind or "", "kinds": kinds.items(), "totals": services.parking_totals(),
            "now": timezone.now()}


def parking(request):
    ctx = _parking_context(request)
    ctx["points"] = [{"name": r["name"], "lon": r["lon"], "lat": r["lat"], "vacant": r["vacant"],
                      "status": r["status_name"]} for r in ctx["rows"]]
    return render(request, "traffic/parking.html", ctx)


def parking_live(request):
    return render(request, "traffic/parking_live.html", _parking_context(request))


def notices(request):
    from smartcounty.domains.traffic import notices as notices_service
    from smartcounty.domains.traffic.models import Notice

    kinds = dict(Notice.Kind.choices)
    now = timezone.now()
    page = Paginator(notices_service.current(now), 50).get_page(request.GET.get("page"))
    rows = [{"n": n, "kind_name": kinds[n.kind], "in_force": n.starts_at <= now} for n in page.object_list]
    return render(request, "traffic/notices.html", {"rows": rows, "page": page})
