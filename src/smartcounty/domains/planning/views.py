"""Planning pages: the pre-check (draw or upload a parcel), the history of checks, a report and its PDF."""

from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from smartcounty.domains.planning import services
from smartcounty.foundation.places import services as places
from smartcounty.kernel.problems import ApiError

VERDICT_NAMES = services.VERDICT_NAMES


def _when(iso: str) -> str:
    """An ISO time as local minutes (Asia/Shanghai): 2026-12-04 20:15."""
    return timezone.localtime(datetime.fromisoformat(iso)).strftime("%Y-%m-%d %H:%M")
CONDITION_NAMES = {"overlaps": "与图层重叠", "outside": "位于图层外"}


def _scope(request):
    scope = services.reader(request.user)
    if not scope.allowed:
        raise PermissionDenied
    return scope


def _layers():
    out = []
    for key in services.layer_keys():
        try:
            out.append(places.layer(key))
        except ApiError:
            continue
    return out


@login_required
def index(request):
    scope = _scope(request)
    error, name, geometry = "", "", ""
    if request.method == "POST":
        name = (request.POST.get("name") or "").strip()
        geometry = request.POST.get("geometry") or ""
        upload = request.FILES.get("file")
        try:
            if upload is not None:
                path = places.save_layer_upload(upload.chunks(), upload.name)
                try:
                    geometry_obj = places.read_parcel_file(path, upload.name, crs=request.POST.get("crs") or None)
                finally:
                    path.unlink(missing_ok=True)
                done = services.precheck(geometry_obj, name=name, actor=request.user, source="upload")
            elif geometry:
                done = services.precheck(geometry, name=name, actor=request.user, source="drawn")
            else:
                raise ApiError(422, "invalid", "请先在地图上画出地块，或上传地块文件", field="geometry")
            return redirect("planning:check", pk=done.id)
        except ApiError as exc:
            error = exc.detail or "预审失败"
    recent = [{"row": c, "when": _when(c.created_at)} for c in services.checks(scope)[0:5]]
    return render(request, "planning/index.html", {
        "layers": _layers(), "rules": services.rules(), "recent": recent, "error": error, "name": name,
        "geometry": geometry, "verdict_names": VERDICT_NAMES, "condition_names": CONDITION_NAMES,
        "layer_urls": {lay.key: f"/api/v1/places/layers/{lay.key}/features.geojson" for lay in _layers()}})


@login_required
def checks(request):
    scope = _scope(request)
    verdict = request.GET.get("verdict") or None
    if verdict not in VERDICT_NAMES:
        verdict = None
    page = Paginator(services.checks(scope, verdict=verdict), 50).get_page(request.GET.get("page"))
    return render(request, "planning/checks.html", {
        "page": page, "rows": [{"row": c, "when": _when(c.created_at)} for c in page.object_list],
        "verdict": verdict or "", "verdict_names": VERDICT_NAMES})


@login_required
def check(request, pk: int):
    scope = _scope(request)
    try:
        c = services.check(pk, scope)
    except ApiError as exc:
        if exc.status == 404:
            raise Http404 from None
        raise
    styles = {lay.key: (lay.style or {}).get("color", "#1f5fa8") for lay in _layers()}
    return render(request, "planning/check.html", {
        "check": c, "when": _when(c.created_at), "verdict_names": VERDICT_NAMES, "mu": c.area_m2 / (10000 / 15),
        "map_data": {"parcel": c.geometry, "layers": [
            {"key": lr.key, "name": lr.name, "color": styles.get(lr.key, "#1f5fa8"), "overlap": lr.overlap_geometry,
             "url": f"/api/v1/places/layers/{lr.key}/features.geojson?version={lr.version}"}
            for lr in c.layers if not lr.missing]}})


@login_required
def report_pdf(request, pk: int):
    scope = _scope(request)
    try:
        content = services.report_pdf(pk, scope)
    except ApiError as exc:
        if exc.status == 404:
            raise Http404 from None
        raise
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="precheck-{int(pk)}.pdf"'
    return response
