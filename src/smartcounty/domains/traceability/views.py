"""Pages: the public trace of a code (anyone, from the QR label), the QR image, and the batches list for staff."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from smartcounty.domains.traceability import services
from smartcounty.kernel import authz
from smartcounty.kernel.problems import ApiError


def lookup(request):
    code = request.GET.get("code", "").strip().upper()[:32]
    if code:
        return redirect("traceability:public", code=code)
    return render(request, "traceability/lookup.html", {})


def public(request, code: str):
    try:
        t = services.traced(code, "backward", public=True)
    except ApiError:
        return render(request, "traceability/lookup.html", {"missing": code[:32]}, status=404)
    batches = {b["code"]: b for b in t["batches"]}
    for e in t["events"]:
        e["product"] = batches.get(e["batch"], {}).get("product", "")
    return render(request, "traceability/public.html", {"t": t, "root": t["root"], "qr": services.qr_svg(
        t["root"]["code"], request.build_absolute_uri("/"))})


def qr(request, code: str):
    try:
        services.batch_org(code)
    except ApiError:
        raise Http404 from None
    return HttpResponse(services.qr_svg(code.upper(), request.build_absolute_uri("/")), content_type="image/svg+xml")


@login_required
def batches(request):
    user = request.user
    sup = services.supervisor_id()
    if authz.user_has_perm(user, "traceability.view", sup or -1):
        rows = services.batches(all_orgs=True, q=request.GET.get("q", "")[:40])
    elif user.organisation_id and authz.user_has_perm(user, "traceability.view", user.organisation_id):
        rows = services.batches(organisation_id=user.organisation_id, q=request.GET.get("q", "")[:40])
    else:
        raise PermissionDenied
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    return render(request, "traceability/batches.html", {"page": page, "q": request.GET.get("q", "")[:40]})
