"""Pages: the public open-data portal (browse the 22 domains, search, dataset pages with preview
and downloads), registering apps for the keyed API, and the government catalog for staff."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from smartcounty.foundation.catalog import ckan, domains, mapping, services
from smartcounty.foundation.catalog.models import OpenType, Resource
from smartcounty.kernel.authz import user_has_perm
from smartcounty.kernel.problems import ApiError

PAGE_SIZE = 20
PREVIEW_ROWS = 20


def _public_resource(slug):
    res = Resource.objects.select_related("current_version").filter(slug=slug).first()
    if res is None or res.open_type not in (OpenType.OPEN, OpenType.METADATA):
        raise Http404
    return res


def portal(request, domain_slug=None):
    domain = None
    if domain_slug:
        domain = domains.BY_SLUG.get(domain_slug)
        if domain is None:
            raise Http404
    q = request.GET.get("q", "").strip()[:100]
    qs = services.search(q, public=True, domain=domain.code if domain else None,
                         provider=request.GET.get("org") or None, order="score" if q else "-modified")
    page = Paginator(qs.select_related("current_version"), PAGE_SIZE).get_page(request.GET.get("page"))
    counts = dict(Resource.objects.filter(open_type__in=(OpenType.OPEN, OpenType.METADATA))
                  .values_list("domain").annotate(n=Count("id")))
    tiles = [{"domain": d, "count": counts.get(d.code, 0)} for d in domains.DOMAINS]
    return render(request, "catalog/portal.html", {"tiles": tiles, "page": page, "q": q, "domain": domain,
                                                   "terms": services.query_terms(q) if q else []})


def dataset(request, slug):
    res = _public_resource(slug)
    services.count(res, "views")
    names, rows = [], []
    if res.open_type == OpenType.OPEN and res.current_version_id:
        result = services.read_rows(res, public=True, limit=PREVIEW_ROWS)
        names, rows = result.fields, result.rows
    items = list(res.items.all())
    titles = {i.name: i.title for i in items}
    preview = [[mapping.shown(row.get(n)) for n in names] for row in rows]
    return render(request, "catalog/dataset.html", {
        "res": res, "items": items, "columns": [titles[n] for n in names], "preview": preview,
        "map_points": mapping.points(names, titles, rows),
        "formats": services.export_formats(res) if res.open_type == OpenType.OPEN else [],
        "usage": services.usage_totals(res), "domain": domains.BY_CODE.get(res.domain),
        "datastore_id": res.datastore_uuid})


def download(request, slug, fmt):
    """An open resource's file (the ``url`` CKAN gives for its resources): the same for everyone,
    no filters; a key sent with it is checked as CKAN checks it (a wrong-scope token is refused)."""
    if ckan.api_key(request):
        try:
            ckan.caller_for(request)
        except ckan.CkanError as err:
            response = HttpResponse(str(err.message), status=err.status, content_type="text/plain; charset=utf-8")
            for name, value in err.headers.items():
                response[name] = value
            return response
    res = _public_resource(slug)
    try:
        body = services.export(res, fmt)
    except ApiError as exc:
        raise Http404(exc.detail) from None
    services.count(res, "downloads")
    response = HttpResponse(body, content_type=services.opendata.EXPORT_FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{res.slug}.{fmt}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def apps(request):
    if not user_has_perm(request.user, "catalog.register_app"):
        raise PermissionDenied
    key = None
    if request.method == "POST":
        try:
            app, key = services.register_app(request.user, request.POST.get("name", ""))
            messages.success(request, _("App registered. Copy the key now: it is shown only once."))
        except ApiError as exc:
            messages.error(request, exc.detail or _("The app could not be registered."))
    mine = request.user.catalog_apps.filter(revoked_at__isnull=True)
    return render(request, "catalog/apps.html", {"apps": mine, "key": key})


@login_required
def internal(request):
    if not user_has_perm(request.user, "catalog.view"):
        raise PermissionDenied
    q = request.GET.get("q", "").strip()[:100]
    sharing = request.GET.get("sharing") or None
    qs = services.search(q, public=False, sharing_type=sharing, order="score" if q else "code")
    page = Paginator(qs.select_related("current_version"), PAGE_SIZE).get_page(request.GET.get("page"))
    org_id = request.user.organisation_id
    pending = services.requests_for(org_id, role="provider").filter(status="pending")[:50] if org_id else []
    mine = services.requests_for(org_id, role="requester")[:50] if org_id else []
    own_codes = list(Resource.objects.filter(provider_org_id=org_id).values_list("code", flat=True)) if org_id else []
    can_decide = org_id is not None and user_has_perm(request.user, "catalog.decide", org_id)
    reads = list(services.reads_of(own_codes)[:20]) if can_decide and own_codes else []
    return render(request, "catalog/internal.html", {
        "page": page, "q": q, "sharing": sharing, "pending": pending, "mine": mine, "reads": reads,
        "can_manage": org_id is not None and user_has_perm(request.user, "catalog.manage", org_id),
        "indicators": services.indicators() if user_has_perm(request.user, "catalog.decide") else None,
        "sharing_choices": Resource._meta.get_field("sharing_type").choices,
        "own_count": len(own_codes), "org_id": org_id})


@login_required
@require_http_methods(["POST"])
def upload(request, slug):
    """A provider loads a new version of its resource's data from a file (CSV, XLSX, JSON, GeoJSON)."""
    res = Resource.objects.filter(slug=slug).first()
    if res is None:
        raise Http404
    if not user_has_perm(request.user, "catalog.manage", res.provider_org_id):
        raise PermissionDenied
    upload_file = request.FILES.get("file")
    max_bytes = services.upload_limits().max_bytes
    if upload_file is None:
        messages.error(request, _("Choose a file to upload."))
    elif upload_file.size > max_bytes:
        messages.error(request, _("The file is larger than the limit of %(mb)s MB.") % {
            "mb": f"{max_bytes / 1024 / 1024:g}"})
    else:
        try:
            version = services.load_file(res, upload_file.read(max_bytes + 1), filename=upload_file.name,
                                         actor=request.user, allow_empty=request.POST.get("allow_empty") == "1")
            messages.success(request, _("Version %(n)s of %(name)s loaded: %(rows)s rows.") % {
                "n": version.number, "name": res.name, "rows": version.row_count})
        except ApiError as exc:
            messages.error(request, _("The file was not loaded; the previous version stays. %(detail)s") % {
                "detail": exc.detail})
    return redirect("catalog:internal")
