"""Pages of emergency management: incidents (list, opening one, the command view with its map, the situation
report as HTML and PDF), resources (map and lists, one resource with its members or stock ledger), the import,
the duty desk's notices, and the public warnings page residents read."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from smartcounty.domains.emergency import catalogue, services
from smartcounty.foundation.places import services as places
from smartcounty.kernel import audit, authz
from smartcounty.kernel.problems import ApiError

PER_PAGE = 25


def _outside(request, template: str, **extra):
    """A menu page for staff outside the bureau and the brigade: the page, with nothing in it but why."""
    if not authz.user_has_perm(request.user, "emergency.view"):
        raise PermissionDenied
    return render(request, template, {"outside": True, "page": Paginator([], PER_PAGE).get_page(1), **extra})


def _sees(request) -> bool:
    return services.reader(request.user).sees


def _error(exc: ApiError) -> str:
    return str(exc.detail or exc.code)


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _float(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


@login_required
def index(request):
    if not _sees(request):
        return _outside(request, "emergency/index.html")
    error = ""
    may_command = services.may(request.user, "command")
    if request.method == "POST":
        if not may_command:
            raise PermissionDenied
        try:
            pk = services.open_incident(
                title=request.POST.get("title", "")[:200], kind=request.POST.get("kind", ""),
                level=_int(request.POST.get("level"), 0), lon=_float(request.POST.get("lon")),
                lat=_float(request.POST.get("lat")), radius_m=_int(request.POST.get("radius_m"), 500),
                address=request.POST.get("address", "")[:200], description=request.POST.get("description", "")[:5000],
                actor=request.user)
            return redirect("emergency:incident", pk=pk)
        except ApiError as exc:
            error = _error(exc)
    state = request.GET.get("state", "open")
    state = state if state in ("open", "closed", "") else "open"
    page = Paginator(services.incident_list(state=state), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "emergency/index.html", {
        "page": page, "state": state, "query": f"state={state}", "error": error, "may_command": may_command,
        "kinds": catalogue.KINDS.items(), "levels": services.LEVEL_NAMES.items(), "open": services.open_counts()},
        status=422 if error else 200)


def _command_post(request, pk: int) -> None:
    if not services.may(request.user, "command"):
        raise PermissionDenied
    action = request.POST.get("action", "")
    if action == "task":
        services.give_task(pk, _int(request.POST.get("team_id"), 0), title=request.POST.get("title", "")[:200],
                           deadline_minutes=_int(request.POST.get("deadline_minutes"), 60), actor=request.user)
    elif action == "warning":
        services.publish_warning(pk, headline=request.POST.get("headline", "")[:160],
                                 instruction=request.POST.get("instruction", "")[:1000],
                                 level=_int(request.POST.get("level"), 0),
                                 area_desc=request.POST.get("area_desc", "")[:200], actor=request.user)
    elif action == "withdraw":
        services.withdraw_warning(_int(request.POST.get("warning_id"), 0), actor=request.user)
    elif action == "level":
        services.set_level(pk, _int(request.POST.get("level"), 0), note=request.POST.get("note", "")[:300],
                           actor=request.user)
    elif action == "note":
        services.add_note(pk, request.POST.get("text", "")[:500], actor=request.user)
    elif action == "close":
        services.close_incident(pk, request.POST.get("review", ""), actor=request.user)
    else:
        raise ApiError(422, "invalid", _("unknown action"))


@login_required
def incident(request, pk: int):
    if not _sees(request):
        raise PermissionDenied
    error = ""
    if request.method == "POST":
        try:
            _command_post(request, pk)
            return redirect("emergency:incident", pk=pk)
        except ApiError as exc:
            error = _error(exc)
    view = services.command_view(pk)
    if view is None:
        raise Http404
    teams = next(r for r in view["resources"] if r["kind"] == "team")["nearest"]
    points = {"incident": {"lon": view["incident"]["lon"], "lat": view["incident"]["lat"],
                           "radius": view["incident"]["radius_m"], "label": view["incident"]["title"]},
              "resources": [{"lon": n["lon"], "lat": n["lat"], "kind": r["kind"], "label": f"{r['name']} · {n['name']}"}
                            for r in view["resources"] for n in r["nearest"]],
              "shelters": [{"lon": s["lon"], "lat": s["lat"], "radius": s["service_radius_m"],
                            "label": f"{s['name']} · {s['free']}"} for s in view["shelters"]],
              "sensors": [{"lon": s["lon"], "lat": s["lat"], "label": s["thing"]} for s in view["sensors"]]}
    return render(request, "emergency/incident.html", {
        **view, "i": view["incident"], "error": error, "points": points, "teams": teams,
        "may_command": services.may(request.user, "command"), "levels": services.LEVEL_NAMES.items(),
        "colours": (("1", _("Blue")), ("2", _("Yellow")), ("3", _("Orange")), ("4", _("Red")))},
        status=422 if error else 200)


@login_required
def report(request, pk: int):
    if not _sees(request):
        raise PermissionDenied
    data = services.situation(pk)
    if data is None:
        raise Http404
    if request.GET.get("format") == "pdf":
        resp = HttpResponse(services.situation_pdf(data), content_type="application/pdf")
        resp["Content-Disposition"] = f'inline; filename="situation-{data["incident"]["number"]}.pdf"'
        return resp
    return render(request, "emergency/report.html", {**data, "i": data["incident"]})


@login_required
def resources(request):
    if not _sees(request):
        return _outside(request, "emergency/resources.html", f={}, counts={})
    f = {k: request.GET.get(k, "")[:40] for k in ("kind", "town", "q")}
    if f["kind"] not in services.KIND_NAMES:
        f["kind"] = ""
    page = Paginator(services.resource_list(kind=f["kind"], town_code=f["town"][:9], q=f["q"]),
                     PER_PAGE).get_page(request.GET.get("page"))
    shelters = Paginator(services.shelter_list(town_code=f["town"][:9]), PER_PAGE).get_page(request.GET.get("spage"))
    query = "&".join(f"{k}={v}" for k, v in f.items() if v)
    return render(request, "emergency/resources.html", {
        "page": page, "shelters": shelters, "f": f, "query": query, "counts": services.counts(),
        "kinds": services.KIND_NAMES.items(), "towns": places.towns(), "points": services.map_points(),
        "may_manage": services.may(request.user, "manage")})


@login_required
def resource(request, pk: int):
    if not _sees(request):
        raise PermissionDenied
    error = ""
    may_manage = services.may(request.user, "manage")
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        try:
            kind, item, q = request.POST.get("kind"), _int(request.POST.get("item_id"), 0), _int(
                request.POST.get("quantity"), -1)
            note = request.POST.get("note", "")[:200]
            if kind == "in":
                services.receive(pk, item, q, note=note, actor=request.user)
            elif kind == "out":
                services.issue(pk, item, q, note=note, actor=request.user)
            elif kind == "transfer":
                services.transfer(pk, _int(request.POST.get("to_depot_id"), 0), item, q, note=note, actor=request.user)
            elif kind == "count":
                services.count(pk, item, q, note=note, actor=request.user)
            else:
                raise ApiError(422, "invalid", _("choose the kind of movement"))
            return redirect("emergency:resource", pk=pk)
        except ApiError as exc:
            error = _error(exc)
    r = services.resource_detail(pk)
    if r is None:
        raise Http404
    ctx = {"r": r, "error": error, "may_manage": may_manage}
    if r["kind"] == "team":
        ctx["members"] = services.members(pk, unmasked=may_manage)
        if may_manage:
            audit.record("emergency.members.read", actor=request.user, object_type="emergency.resource",
                         object_id=str(pk))
    if r["kind"] == "depot":
        ctx["stock"] = services.stock_of(pk)
        ctx["ledger"] = Paginator(services.ledger(pk), PER_PAGE).get_page(request.GET.get("page"))
        ctx["items"] = services.items()
        ctx["depots"] = [d for d in services.resource_list(kind="depot")[:200] if d["id"] != pk]
    return render(request, "emergency/resource.html", ctx, status=422 if error else 200)


@login_required
def import_page(request):
    if not _sees(request):
        raise PermissionDenied
    if not services.may(request.user, "manage"):
        raise PermissionDenied
    result, error = None, ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("choose a CSV or XLSX file")
        else:
            what = request.POST.get("what", "resources")
            try:
                fn = services.import_stock if what == "stock" else services.import_resources
                result = fn(upload.read(), upload.name or "", actor=request.user)
            except ApiError as exc:
                error = _error(exc)
                result = {"errors": getattr(exc, "errors", None) or []}
    return render(request, "emergency/import.html", {"result": result, "error": error},
                  status=422 if error or (result and result["errors"]) else 200)


@login_required
def duty(request):
    """The duty desk: notices to the viewer's organisation and to the viewer."""
    if not _sees(request):
        raise PermissionDenied
    org = getattr(request.user, "organisation_id", None)
    rows = services.fire.notices(organisation_id=org) if org else []
    return render(request, "emergency/duty.html", {"notices": rows, "mine": services.fire.notices(
        user_id=request.user.pk), "buildings": services.fire.buildings()})


def warnings(request):
    """Public: warnings in force, for residents (no sign-in)."""
    return render(request, "emergency/warnings.html", {"warnings": services.warnings_in_force()})
