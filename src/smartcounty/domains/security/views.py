"""The security office's page: events, the block list (with lifting), critical systems with their 等保
assessments, and the certificate inventory; an event's evidence on its own page. Same services as the API."""

from datetime import UTC, date, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from smartcounty.domains.security import scenarios, services
from smartcounty.kernel.problems import ApiError


def _reader(request, manage: bool = False):
    reader = services.reader(request.user)
    if not (reader.manages if manage else reader.views):
        raise PermissionDenied
    return reader


def _state_names():
    return {"overdue": pgettext("security", "Overdue"), "due_soon": _("Due within 30 days"), "ok": _("On schedule"),
            "none": _("Not required (level 1)")}


def _site_state_names():
    return {"valid": _("Valid"), "expiring": _("Expires within 30 days"), "urgent": _("Expires within 7 days"),
            "expired": _("Expired"), "untrusted": _("Not trusted"), "unreachable": _("Unreachable"),
            "unchecked": _("Not checked yet")}


@login_required
def index(request):
    reader = _reader(request)
    scenario = request.GET.get("scenario") or None
    if scenario not in scenarios.SCENARIOS:
        scenario = None
    states, site_states = _state_names(), _site_state_names()
    events = Paginator(services.events(reader, scenario=scenario), 20).get_page(request.GET.get("page"))
    return render(request, "security/index.html", {
        "events": events, "scenario": scenario,
        "scenarios": [(k, s.title) for k, s in scenarios.SCENARIOS.items()],
        "blocks": list(services.blocks(reader, active=True)[:100]),
        "systems": [(s, states[s.state]) for s in services.systems(reader)[:200]],
        "sites": [(s, site_states[s.state]) for s in services.sites(reader)[:200]],
        "cii": services.cii_on_time(), "certs": services.certificates_valid(),
        "manages": reader.manages, "today": services.today()})


@login_required
def event(request, event_id: int):
    reader = _reader(request)
    e = services.event(reader, event_id)
    if e is None:
        raise Http404
    samples = [{**s, "at": datetime.fromtimestamp(s["t"], UTC) if isinstance(s.get("t"), (int, float)) else None}
               for s in e.evidence.get("samples", []) if isinstance(s, dict)]
    return render(request, "security/event.html", {"event": e, "samples": samples})


def _fail(request, exc: ApiError):
    messages.error(request, exc.detail or _("The request could not be carried out."))


@login_required
@require_POST
def unblock(request, block_id: int):
    reader = _reader(request, manage=True)
    try:
        b = services.unblock(reader, block_id, actor=request.user)
        messages.success(request, _("The block on %(ip)s is lifted.") % {"ip": b.ip})
    except ApiError as exc:
        _fail(request, exc)
    return redirect("security:index")


@login_required
@require_POST
def assessment(request, system_id: int):
    reader = _reader(request, manage=True)
    try:
        on = date.fromisoformat(request.POST.get("assessed_on", ""))
    except ValueError:
        messages.error(request, _("Enter the assessment date."))
        return redirect("security:index")
    try:
        services.record_assessment(reader, system_id, on, actor=request.user)
        messages.success(request, _("The assessment is recorded."))
    except ApiError as exc:
        _fail(request, exc)
    return redirect("security:index")


@login_required
@require_POST
def check(request, site_id: int):
    reader = _reader(request, manage=True)
    if services.site(reader, site_id) is None:
        raise Http404
    s = services.check_site(site_id)
    if s.error:
        messages.error(request, _("The certificate of %(host)s could not be read: %(error)s")
                       % {"host": s.host, "error": s.error})
    else:
        messages.success(request, _("The certificate of %(host)s is read.") % {"host": s.host})
    return redirect("security:index")
