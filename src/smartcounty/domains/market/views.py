"""Pages for the market supervision bureau: equipment by due date, one user unit, one piece of equipment
(with its schedule and inspection form), food businesses (the inspection plan), one business, the import."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from smartcounty.domains.market import services
from smartcounty.foundation.places import services as places
from smartcounty.kernel import authz
from smartcounty.kernel.problems import ApiError

PER_PAGE = 25


def _scope(request):
    scope = services.reader(request.user)
    if not scope.sees:
        raise PermissionDenied
    return scope


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _error(exc: ApiError) -> str:
    return str(exc.detail or exc.code) if hasattr(exc, "detail") else str(exc)


def _outside(request, template: str):
    """A menu page for staff outside the bureau (the menu shows it to every holder of ``market.view``): the page,
    with nothing in it but why. Anyone without the permission (residents, grid workers) is refused."""
    if not authz.user_has_perm(request.user, "market.view"):
        raise PermissionDenied
    return render(request, template, {"outside": True, "page": Paginator([], PER_PAGE).get_page(1), "f": {},
                                      "summary": {}, "grades": {}})


@login_required
def index(request):
    scope = services.reader(request.user)
    if not scope.sees:
        return _outside(request, "market/index.html")
    f = {k: request.GET.get(k, "")[:40] for k in ("state", "kind", "town", "q")}
    if f["state"] not in services.STATES:
        f["state"] = ""
    if f["kind"] not in services.KIND_NAMES:
        f["kind"] = ""
    rows = services.equipment_list(scope, state=f["state"], kind=f["kind"], town_code=f["town"][:9], q=f["q"])
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    query = "&".join(f"{k}={v}" for k, v in f.items() if v)
    return render(request, "market/index.html", {
        "page": page, "f": f, "query": query, "summary": services.due_summary(scope, by_kind=True),
        "kinds": services.KIND_NAMES.items(), "towns": places.towns(), "may_manage": services.may(request.user, "manage"),
        "states": (("overdue", _("Past due")), ("due", _("Due within a month")), ("ok", _("Not yet due")))})


@login_required
def unit(request, uscc: str):
    scope = _scope(request)
    info = services.unit_info(scope, uscc[:18])
    if info is None:
        raise Http404
    rows = services.equipment_list(scope, unit_uscc=info["uscc"])
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "market/unit.html", {"unit": info, "page": page,
                                                "counts": services.unit_counts(scope, info["uscc"])})


@login_required
def equipment(request, pk: int):
    scope = _scope(request)
    error = ""
    if request.method == "POST":
        if not services.may(request.user, "inspect"):
            raise PermissionDenied
        try:
            done_on = _date(request.POST.get("done_on", ""))
            if done_on is None:
                raise ApiError(422, "invalid", _("give the date"), field="done_on")
            services.record_inspection(pk, task=request.POST.get("task", ""), done_on=done_on,
                                       result=request.POST.get("result", ""), body=request.POST.get("body", ""),
                                       report_no=request.POST.get("report_no", ""),
                                       note=request.POST.get("note", ""), actor=request.user)
            return redirect("market:equipment", pk=pk)
        except ApiError as exc:
            error = _error(exc)
    d = services.equipment_detail(scope, pk)
    if d is None:
        raise Http404
    return render(request, "market/equipment.html", {
        "e": d, "error": error, "may_inspect": services.may(request.user, "inspect"), "today": services.today(),
        "tasks": services.TASK_NAMES.items() if d["kind"] == "elevator" else [("inspection", _("Periodic inspection"))],
        "results": (("passed", _("Passed")), ("fixed", _("Passed after rectification")), ("failed", _("Failed inspection")))},
        status=422 if error else 200)


@login_required
def food(request):
    scope = services.reader(request.user)
    if not scope.sees:
        return _outside(request, "market/food.html")
    f = {"grade": request.GET.get("grade", "")[:1], "town": request.GET.get("town", "")[:9],
         "overdue": request.GET.get("overdue", "") == "1", "q": request.GET.get("q", "")[:40]}
    if f["grade"] not in ("A", "B", "C", "D"):
        f["grade"] = ""
    rows = services.businesses(scope, grade=f["grade"], town_code=f["town"], overdue=f["overdue"], q=f["q"])
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    query = "&".join(f"{k}={'1' if v is True else v}" for k, v in f.items() if v)
    return render(request, "market/food.html", {"page": page, "f": f, "query": query, "towns": places.towns(),
                                                "grades": services.grade_counts(scope)})


@login_required
def business(request, pk: int):
    scope = _scope(request)
    error = ""
    if request.method == "POST":
        if not services.may(request.user, "inspect"):
            raise PermissionDenied
        try:
            if request.POST.get("form") == "assess":
                services.assess(pk, year=int(request.POST.get("year") or 0),
                                static_score=int(request.POST.get("static_score") or -1),
                                dynamic_score=int(request.POST.get("dynamic_score") or -1), actor=request.user)
            else:
                done_on = _date(request.POST.get("done_on", ""))
                if done_on is None:
                    raise ApiError(422, "invalid", _("give the date"), field="done_on")
                services.inspect(pk, done_on=done_on, inspector=request.POST.get("inspector", ""),
                                 result=request.POST.get("result", ""), findings=request.POST.get("findings", ""),
                                 rectification=request.POST.get("rectification", ""), actor=request.user)
            return redirect("market:business", pk=pk)
        except ValueError:
            error = _("scores and the year are whole numbers")
        except ApiError as exc:
            error = _error(exc)
    d = services.business_detail(scope, pk)
    if d is None:
        raise Http404
    return render(request, "market/business.html", {
        "b": d, "error": error, "may_inspect": services.may(request.user, "inspect"), "today": services.today(),
        "results": (("conform", _("Conforms")), ("basic", _("Basically conforms")),
                    ("nonconform", _("Does not conform")))}, status=422 if error else 200)


@login_required
def import_page(request):
    _scope(request)
    if not services.may(request.user, "manage"):
        raise PermissionDenied
    result, error = None, ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("choose a CSV file")
        else:
            try:
                result = services.import_csv(upload.read(), upload.name or "", actor=request.user)
            except ApiError as exc:
                error = _error(exc)
                result = {"errors": getattr(exc, "errors", None) or [], "created": 0}
    return render(request, "market/import.html", {"result": result, "error": error},
                  status=422 if error or (result and result["errors"]) else 200)
