"""Pages: the staff workbench (cases waiting on my organisation) and a case page where staff and
reporters take the steps they may take."""

from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartcounty.foundation.accounts import services as accounts
from smartcounty.foundation.cases import services, wording
from smartcounty.kernel import authz
from smartcounty.kernel.problems import ApiError

INT_FIELDS = ("organisation_id", "rating")


def _case_or_404(request, pk):
    case = services.get_case(pk)
    if case is None or not services.may_view(request.user, case):
        raise Http404
    return case


def _day(value):
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _places():
    try:
        from smartcounty.foundation.places import services as places
    except ImportError:  # places not installed in this deployment
        return None
    return places


@login_required
def workbench(request):
    """My tasks, my organisation's and overdue cases over every case type, filtered; bulk steps."""
    user = request.user
    view = request.GET.get("view") or "mine"
    perm = "cases.view" if view == "org" else "cases.act"
    # a platform administrator belongs to no organisation: his workbench is the county's (every organisation's)
    county = services.workbench_county_wide(user)
    if not county and (user.organisation_id is None or not authz.user_has_perm(user, perm, user.organisation_id)) \
            or view not in services.WORKBENCH_VIEWS:
        raise PermissionDenied
    g = request.GET
    since, until = _day(g.get("since")), _day(g.get("until"))
    filters = services.WorkbenchFilters(
        view=view, case_type=g.get("case_type", ""), state=g.get("state", ""), town_code=g.get("town", ""),
        grid_code=g.get("grid", ""),
        since=datetime.combine(since, time.min, services.BEIJING) if since else None,
        until=datetime.combine(until, time.min, services.BEIJING) + timedelta(days=1) if until else None)
    try:
        number = max(1, int(g.get("page") or 1))
    except ValueError:
        number = 1
    per = 50
    try:
        result = services.workbench_page(user, filters, limit=per, offset=(number - 1) * per)
    except ApiError as exc:
        messages.error(request, exc.detail or _("These filters cannot be used."))
        result = services.workbench_page(user, services.WorkbenchFilters(view=view), limit=per)
    pages = max(1, -(-result.count // per))
    known = services.case_types()
    types = sorted(((k, str(ct.title)) for k, ct in known.items()), key=lambda kv: kv[1])
    ct = known.get(filters.case_type)
    states = [(s.key, str(s.title)) for s in ct.states] if ct else []
    places = _places()
    towns = [(t.code, t.name) for t in places.towns()] if places else []
    grids = [(gr.code, gr.name) for gr in places.grids(filters.town_code)] if places and filters.town_code else []
    bulk = {}
    for row in result.rows:
        for step in row.steps:
            if step.bulk:
                bulk.setdefault(step.key, step.title)
    query = {k: v for k, v in g.items() if k != "page" and v}
    return render(request, "cases/workbench.html", {
        "rows": result.rows, "count": result.count, "number": number, "pages": pages, "view": view,
        "views": ([("mine", _("Every open case")), ("org", _("Every case")), ("overdue", _("Overdue"))] if county
                  else [("mine", _("My tasks")), ("org", _("My organisation's")), ("overdue", _("Overdue"))]),
        "county": county,
        "f": filters, "since": g.get("since", ""), "until": g.get("until", ""), "types": types, "states": states,
        "towns": towns, "grids": grids, "bulk": sorted(bulk.items()), "query": urlencode(query),
        "back": request.get_full_path()})


@login_required
@require_POST
def workbench_bulk(request):
    user = request.user
    if not services.workbench_county_wide(user) and (
            user.organisation_id is None or not authz.user_has_perm(user, "cases.act", user.organisation_id)):
        raise PermissionDenied
    back = request.POST.get("back") or ""
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("cases:workbench")
    try:
        ids = [int(v) for v in request.POST.getlist("ids")]
        result = services.workbench_bulk(user, ids, request.POST.get("step", ""),
                                         note=request.POST.get("note", "").strip())
    except ValueError:
        messages.error(request, _("Choose the cases in the list."))
    except ApiError as exc:
        messages.error(request, exc.detail or _("This step is not possible."))
    else:
        if result.done:
            messages.success(request, _("Done for %(n)s cases.") % {"n": len(result.done)})
        for fail in result.failed:
            messages.error(request, _("Case %(id)s: %(why)s") % {"id": fail["id"], "why": fail["message"]})
    return redirect(back)


@login_required
def case_page(request, pk):
    case = _case_or_404(request, pk)
    user = request.user
    ct = services.type_of(case)
    staff_view = user.organisation_id is not None or user.is_superuser
    steps = []
    for t in services.allowed_transitions(case, user):
        fields = [(f, wording.field_label(f)) for f in t.required if f != "note"]
        steps.append({"t": t, "fields": fields, "note_required": "note" in t.required})
    places = _places()
    grid = places.grid(case.grid_code) if places and case.grid_code else None
    return render(request, "cases/case.html", {
        "case": case, "ct": ct, "state": ct.state(case.state).title,
        "category": ct.categories.get(case.category, case.category),
        "events": wording.event_rows(ct, services.history(case, public_only=not staff_view)),
        "staff_view": staff_view, "grid_name": grid.name if grid else case.grid_code,
        "organisations": accounts.organisations() if any(s["t"].assign for s in steps) else [],
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


def _fileable(user):
    from smartcounty.foundation.cases.forms.openapi import all_case_types

    return {key: ct for key, ct in all_case_types().items()
            if services.filing_form_of(ct) is not None and services.may_file(user, ct)}


@login_required
def file_new(request):
    """What the signed-in person may apply for: every case type with a filing form they may file."""
    types = sorted(((k, str(ct.title)) for k, ct in _fileable(request.user).items()), key=lambda kv: kv[1])
    return render(request, "cases/file_list.html", {"types": types})


@login_required
def file_form(request, key):
    """The filing form of a case type, the same page for residents and for staff at a service window."""
    ct = _fileable(request.user).get(key)
    if ct is None:
        raise Http404
    form = services.filing_form_of(ct)
    values, errors, general = {}, [], ""
    title = request.POST.get("title", "").strip() if request.method == "POST" else ""
    if request.method == "POST":
        values, uploads = services.collect_form(form, request.POST, request.FILES)
        errors = services.form_errors(form, values)
        if not errors:
            try:
                case = services.file_case(request.user, key, title=title or str(ct.title),
                                          description=request.POST.get("description", "").strip(),
                                          data={k: v for k, v in values.items() if k not in uploads},
                                          uploads=uploads, source="web")
            except ApiError as exc:
                general = exc.detail or _("This application cannot be sent.")
                errors = services.problem_field_errors(exc)
            else:
                messages.success(request, _("Sent. Your case number is %(number)s.") % {"number": case.number})
                return redirect("cases:case", pk=case.pk)
    return render(request, "cases/file_form.html", {
        "ct": ct, "key": key, "title": title, "description": request.POST.get("description", ""),
        "fields": services.render_form(form, values, errors), "general": general, "has_errors": bool(errors)})
