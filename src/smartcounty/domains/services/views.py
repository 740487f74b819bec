"""Pages: the public catalogue and item pages, applying online, my applications, one application (every step,
the clock, the actions the viewer may take), the window's intake (一窗受理), the desk of a department, the
rectification tasks, the public licence check and the published statistics."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from smartcounty.domains.services import services
from smartcounty.domains.services.catalogue import LEVELS
from smartcounty.kernel import authz
from smartcounty.kernel.problems import ApiError

PER_PAGE = 20


def _error(exc: ApiError) -> str:
    return str(exc.detail or exc.code)


def _page(request, rows):
    return Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))


def index(request):
    f = {"q": request.GET.get("q", "")[:40].strip(), "type": request.GET.get("type", "")[:2],
         "org": request.GET.get("org", "")[:40]}
    rows = services.search(f["q"], item_type=f["type"], organisation_code=f["org"])
    query = "&".join(f"{k}={v}" for k, v in f.items() if v)
    return render(request, "services/index.html", {
        "page": _page(request, rows), "f": f, "query": query, "types": services.types(),
        "orgs": services.organisations_with_items(), "bundles": services.search(bundles=True)[:10]})


def item(request, code: str):
    d = services.item_detail(code)
    if d is None:
        raise Http404
    return render(request, "services/item.html", {"item": d, "bundle_materials":
                  services.bundle_materials(code) if d["is_bundle"] else []})


def _materials_from(request, choices, *, prefix="m"):
    given = []
    for m in choices:
        upload = request.FILES.get(f"{prefix}{m['id']}")
        if upload is not None:
            given.append({"material_id": m["id"], "upload": upload})
        elif request.POST.get(f"paper{m['id']}"):
            given.append({"material_id": m["id"], "source": "paper"})
    return given


@login_required
def apply(request, code: str):
    if not authz.user_has_perm(request.user, "services.apply"):
        raise PermissionDenied
    d = services.item_detail(code)
    if d is None:
        raise Http404
    error = ""
    if request.method == "POST":
        consent = request.POST.get("consent") == "1"
        try:
            if d["is_bundle"]:
                given = [{"name": m["name"], "upload": request.FILES[f"b{i}"]}
                         for i, m in enumerate(services.bundle_materials(code)) if f"b{i}" in request.FILES]
                out = services.submit_bundle(request.user, code, materials=given, consent=consent,
                                             applicant_phone=request.POST.get("phone", "")[:20])
                return redirect("services:bundle", out["id"])
            out = services.submit(request.user, code, channel="online", materials=_materials_from(request, d["materials"]),
                                  consent=consent, applicant_id_number=request.POST.get("id_number", "")[:18].upper(),
                                  applicant_phone=request.POST.get("phone", "")[:20])
            return redirect("services:application", out["id"])
        except ApiError as exc:
            error = _error(exc)
    return render(request, "services/apply.html", {
        "item": d, "error": error, "bundle_materials": services.bundle_materials(code) if d["is_bundle"] else [],
        "licences": [x for x in services.licences_of(request.user.pk) if x["status"] == "valid"]})


@login_required
def mine(request):
    scope = services.reader(request.user)
    return render(request, "services/mine.html", {
        "page": _page(request, services.applications(scope, mine=True)),
        "licences": services.licences_of(request.user.pk), "query": ""})


def _step_data(request, key: str) -> tuple[str, dict]:
    note = request.POST.get("note", "")[:2000]
    data = {}
    if key in ("ask", "ask_review"):
        data["missing"] = request.POST.getlist("missing")[:30]
    if key == "approve":
        data["opinion"] = request.POST.get("opinion", "")[:500]
    if key == "deliver":
        data["delivery"] = request.POST.get("delivery", "")
        data["tracking_no"] = request.POST.get("tracking_no", "")[:40]
    if key == "evaluate":
        data["rating"] = request.POST.get("rating")
        data["comment"] = request.POST.get("comment", "")[:500]
    return note, data


@login_required
def application(request, pk: int):
    scope = services.reader(request.user)
    error = ""
    if request.method == "POST":
        key = request.POST.get("step", "")[:30]
        note, data = _step_data(request, key)
        try:
            materials = (_materials_from(request, services.material_choices(pk))
                         if key in ("supply", "supply_review") else None)
            services.step(request.user, scope, pk, key, note=note, data=data, materials=materials)
            return redirect("services:application", pk)
        except ApiError as exc:
            if exc.status == 404:
                raise Http404 from None
            error = _error(exc)
    try:
        d = services.detail(request.user, scope, pk)
    except ApiError:
        raise Http404 from None
    qr = ""
    if d["licence"]:
        qr = services.qr_svg(request.build_absolute_uri(d["licence"]["verify_path"]))
    return render(request, "services/application.html", {
        "app": d, "error": error, "qr": qr, "levels": sorted(LEVELS.items(), reverse=True),
        "choices": services.material_choices(pk), "allowed": {a["key"]: a for a in d["allowed"]}})


@login_required
def bundle(request, pk: int):
    d = services.bundle_detail(services.reader(request.user), pk)
    if d is None:
        raise Http404
    return render(request, "services/bundle.html", {"b": d})


def _handler(request):
    if not authz.user_has_perm(request.user, "services.handle"):
        raise PermissionDenied
    return services.reader(request.user)


@login_required
def desk(request):
    scope = _handler(request)
    f = {"state": request.GET.get("state", "")[:30], "q": request.GET.get("q", "")[:40].strip()}
    counts = services.state_counts(scope)
    rows = services.applications(scope, state=f["state"], q=f["q"])
    states = [(k, services.state_name(k), counts.get(k, 0)) for k in
              ("submitted", "supplement", "review", "review_supplement", "approved", "issued", "delivered",
               "closed", "evaluated", "refused", "denied", "split", "joined")]
    query = "&".join(f"{k}={v}" for k, v in f.items() if v)
    return render(request, "services/desk.html", {"page": _page(request, rows), "f": f, "states": states,
                                                  "scope": scope, "query": query,
                                                  "tasks": services.tasks(scope, open_only=True)[:5]})


@login_required
def window(request):
    scope = _handler(request)
    if not scope.window:
        return render(request, "services/window.html", {"outside": True})
    code = request.GET.get("item", request.POST.get("item", ""))[:24]
    d = services.item_detail(code) if code else None
    error = ""
    if request.method == "POST" and d is not None:
        p = request.POST
        applicant = {"applicant_name": p.get("name", "")[:60].strip(), "applicant_id_number":
                     p.get("id_number", "")[:18].upper(), "applicant_phone": p.get("phone", "")[:20]}
        try:
            if d["is_bundle"]:
                given = [{"name": m["name"], "source": "paper"} for i, m in enumerate(services.bundle_materials(code))
                         if p.get(f"b{i}")]
                out = services.submit_bundle(request.user, code, channel="window", materials=given,
                                             consent=p.get("consent") == "1", **applicant)
                return redirect("services:bundle", out["id"])
            out = services.submit(request.user, code, channel="window", materials=_materials_from(request, d["materials"]),
                                  consent=p.get("consent") == "1", window=p.get("window", "")[:40], **applicant)
            return redirect("services:application", out["id"])
        except ApiError as exc:
            error = _error(exc)
    q = request.GET.get("q", "")[:40].strip()
    found = services.search(q)[:15] if q else []
    return render(request, "services/window.html", {"item": d, "error": error, "q": q, "found": found,
                                                    "bundle_materials": services.bundle_materials(code) if d and
                                                    d["is_bundle"] else []})


@login_required
def rectification(request):
    scope = _handler(request)
    error = ""
    if request.method == "POST":
        try:
            task = int(request.POST.get("task", "0"))
            if request.POST.get("action") == "visit":
                services.return_visit(request.user, scope, task, request.POST.get("note", ""))
            else:
                services.rectify(request.user, scope, task, request.POST.get("measures", ""))
            return redirect("services:rectification")
        except (ValueError, ApiError) as exc:
            error = _error(exc) if isinstance(exc, ApiError) else "无效的任务"
    return render(request, "services/rectification.html", {"tasks": services.tasks(scope), "scope": scope,
                                                           "error": error})


def verify(request):
    code = request.GET.get("code", "")[:20].strip()
    if code:
        return redirect("services:verify_code", code.upper())
    return render(request, "services/verify.html", {"lic": None, "code": ""})


def verify_code(request, code: str):
    lic = services.public_view(code[:20])
    qr = services.qr_svg(request.build_absolute_uri(reverse("services:verify_code", args=[lic["verify_code"]]))) \
        if lic else ""
    return render(request, "services/verify.html", {"lic": lic, "code": code[:20], "checked": True, "qr": qr},
                  status=200 if lic else 404)


def statistics(request):
    group = request.GET.get("by", "organisation")
    if group not in ("item", "organisation", "month"):
        group = "organisation"
    return render(request, "services/statistics.html", {
        "total": services.totals(None), "rows": services.by(None, group), "group": group,
        "windows": services.satisfaction_by_window(), "levels": services.level_counts(),
        "level_names": sorted(LEVELS.items(), reverse=True)})
