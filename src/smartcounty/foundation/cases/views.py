"""Pages: the staff workbench (cases waiting on my organisation) and a case page where staff and
reporters take the steps they may take."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartcounty.foundation.cases import services
from smartcounty.kernel import authz, registry
from smartcounty.kernel.problems import ApiError

INT_FIELDS = ("organisation_id", "rating")


def _case_or_404(request, pk):
    case = services.get_case(pk)
    if case is None or not services.may_view(request.user, case):
        raise Http404
    return case


@login_required
def workbench(request):
    user = request.user
    if user.organisation_id is None or not authz.user_has_perm(user, "cases.act", user.organisation_id):
        raise PermissionDenied
    state = request.GET.get("state") or None
    qs = services.queue(user.organisation_id, state=state)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = []
    for case in page:
        ct = registry.case_types.get(case.case_type)
        left = services.time_left_seconds(case, now)
        rows.append({"case": case, "type": ct.title, "state": ct.state(case.state).title,
                     "hours_left": round(left / 3600, 1) if left is not None else None,
                     "transitions": services.allowed_transitions(case, user)})
    escalated = []
    for case in services.escalated_to(user.organisation_id)[:50]:
        ct = registry.case_types.get(case.case_type)
        escalated.append({"case": case, "type": ct.title, "state": ct.state(case.state).title})
    return render(request, "cases/workbench.html", {"page": page, "rows": rows, "state": state or "",
                                                    "escalated": escalated})


@login_required
def case_page(request, pk):
    case = _case_or_404(request, pk)
    user = request.user
    ct = registry.case_types.get(case.case_type)
    staff_view = user.organisation_id is not None or user.is_superuser
    steps = []
    for t in services.allowed_transitions(case, user):
        fields = [f for f in t.required if f != "note"]
        steps.append({"t": t, "fields": fields, "note_required": "note" in t.required})
    return render(request, "cases/case.html", {
        "case": case, "ct": ct, "state": ct.state(case.state).title,
        "category": ct.categories.get(case.category, case.category),
        "events": services.history(case, public_only=not staff_view),
        "attachments": services.attachments(case), "steps": steps,
        "hours_left": (lambda s: round(s / 3600, 1) if s is not None else None)(services.time_left_seconds(case)),
    })


@login_required
@require_POST
def case_step(request, pk, key):
    case = _case_or_404(request, pk)
    data = {}
    for name, value in request.POST.items():
        if name in ("csrfmiddlewaretoken", "note"):
            continue
        value = value.strip()
        if name in INT_FIELDS:
            if not value:
                continue
            try:
                value = int(value)
            except ValueError:
                messages.error(request, _("%(field)s must be a whole number.") % {"field": name})
                return redirect("cases:case", pk=case.pk)
        data[name] = value
    try:
        services.transition(case.pk, key, actor=request.user, note=request.POST.get("note", "").strip(), data=data)
    except ApiError as exc:
        messages.error(request, exc.detail or _("This step is not possible."))
    else:
        messages.success(request, _("Done."))
    return redirect("cases:case", pk=case.pk)


@login_required
@require_POST
def case_comment(request, pk):
    case = _case_or_404(request, pk)
    try:
        services.comment(case.pk, actor=request.user, note=request.POST.get("note", "").strip(),
                         public=request.POST.get("public") == "1")
    except ApiError as exc:
        messages.error(request, exc.detail or _("This step is not possible."))
    return redirect("cases:case", pk=case.pk)


@login_required
@require_POST
def case_attach(request, pk):
    case = _case_or_404(request, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file."))
    else:
        try:
            services.add_attachment(case.pk, upload, actor=request.user)
        except ApiError as exc:
            messages.error(request, exc.detail or _("This file is not accepted."))
    return redirect("cases:case", pk=case.pk)
