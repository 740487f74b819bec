"""Pages: the alerts page (acknowledge and resolve with HTMX, live feed over SSE), alert detail, rules."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from smartcounty.foundation.alerts import reads, services, wording
from smartcounty.foundation.alerts.models import Alert, Level, Rule
from smartcounty.kernel import registry
from smartcounty.kernel.authz import user_has_perm
from smartcounty.kernel.problems import ApiError

PLATFORM = 0
PAGE_SIZE = 50


def _staff(request, code="alerts.view"):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not user_has_perm(request.user, code):
        raise PermissionDenied
    return None


def _visible(user, qs):
    """``qs`` narrowed by alerts' one scoping rule (``services.reader``, used by the API and the cockpit too)."""
    return reads.scoped(qs, services.reader(user))


def _can_handle(user, alert) -> bool:
    return alert.is_open and user_has_perm(user, "alerts.handle",
                                           PLATFORM if alert.organisation_id is None else alert.organisation_id)


def index(request):
    if (redirect := _staff(request)) is not None:
        return redirect
    state = request.GET.get("state", "open")
    qs = _visible(request.user, Alert.objects.all())
    if state == "open":
        qs = qs.filter(state__in=Alert.OPEN_STATES)
    elif state in Alert.State.values:
        qs = qs.filter(state=state)
    level = request.GET.get("level", "")
    if level.isdigit():
        qs = qs.filter(level=int(level))
    town = request.GET.get("town", "")
    if town:
        qs = qs.filter(town=town)
    rule = request.GET.get("rule", "")
    if rule.isdigit():
        qs = qs.filter(rule_id=int(rule))
    page = Paginator(qs.order_by("-raised_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(a, _can_handle(request.user, a)) for a in page.object_list]
    context = {"page": page, "rows": rows, "state": state, "level": level, "town": town,
               "states": [("open", None), *Alert.State.choices], "levels": Level.choices,
               "counts": services.open_alert_counts(services.reader(request.user))}
    template = "alerts/_table.html" if request.headers.get("HX-Request") else "alerts/index.html"
    return render(request, template, context)


def detail(request, alert_id: int):
    if (redirect := _staff(request)) is not None:
        return redirect
    alert = get_object_or_404(_visible(request.user, Alert.objects.all()), pk=alert_id)
    states, levels = dict(Alert.State.choices), dict(Level.choices)
    history = [{"ev": ev, "from": states.get(ev.from_state, ev.from_state), "to": states.get(ev.to_state, ev.to_state),
                "from_level": levels.get(ev.from_level, ev.from_level), "to_level": levels.get(ev.to_level, ev.to_level)}
               for ev in alert.history.select_related("actor")]
    zh = (request.LANGUAGE_CODE or "zh-hans").startswith("zh")
    spec = registry.observed_properties.get(alert.property) if alert.property in registry.observed_properties else None
    module = registry.modules.get(alert.source) if alert.source in registry.modules else None
    return render(request, "alerts/detail.html", {
        "alert": alert, "history": history, "can_handle": _can_handle(request.user, alert),
        "property_name": (spec.name_zh if zh else spec.name_en) if spec else "",
        "source_name": (getattr(module, "name_zh" if zh else "name_en", "") if module else "") or alert.source})


@require_POST
def act(request, alert_id: int, action: str):
    if (redirect := _staff(request, "alerts.handle")) is not None:
        return redirect
    alert = get_object_or_404(_visible(request.user, Alert.objects.all()), pk=alert_id)
    if not _can_handle(request.user, alert):
        raise PermissionDenied
    note = request.POST.get("note", "")[:500]
    try:
        if action == "acknowledge":
            services.acknowledge_alert(alert.id, actor=request.user, note=note)
        else:
            services.resolve_alert(alert.id, actor=request.user, note=note)
    except ApiError as exc:
        return render(request, "alerts/_row.html", {"alert": alert, "can_handle": False, "error": exc.detail},
                      status=exc.status)
    alert.refresh_from_db()
    return render(request, "alerts/_row.html", {"alert": alert, "can_handle": _can_handle(request.user, alert)})


def rules(request):
    if (redirect := _staff(request)) is not None:
        return redirect
    qs = _visible(request.user, Rule.objects.all()).order_by("property", "id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    kinds = {code: kind for code, kind in registry.rule_kinds.items()}
    zh = (request.LANGUAGE_CODE or "zh-hans").startswith("zh")
    props = {code: (p.name_zh if zh else p.name_en) for code, p in registry.observed_properties.items()}
    rows = [(r, kinds.get(r.kind), props.get(r.property, r.property), wording.describe(r.params))
            for r in page.object_list]
    return render(request, "alerts/rules.html", {"page": page, "rows": rows})
