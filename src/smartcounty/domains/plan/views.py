"""Plan pages: the leading group's page (actions with lights, KPIs with trends, projects), an action, a task
with its reports and the 督办 forms, the printable monthly report, the projects. Same services as the API."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from smartcounty.domains.plan import services
from smartcounty.foundation.accounts import services as accounts
from smartcounty.kernel import authz
from smartcounty.kernel.problems import ApiError


def _reader(request, code="plan.view", organisation_id=None):
    if not authz.user_has_perm(request.user, code, organisation_id):
        raise PermissionDenied
    return services.reader(request.user)


def _light_names():
    return {"red": pgettext("plan light", "Overdue"), "yellow": _("Deadline near"), "green": _("On track"), "none": _("No tasks")}


def _kpi_chart(kpis):
    return [{"key": k.key, "name": k.name, "unit": k.unit, "target": k.target,
             "days": [d for d, _v in k.trend], "values": [v for _d, v in k.trend]} for k in kpis]


@login_required
def index(request):
    reader = _reader(request)
    year = request.GET.get("year")
    year = int(year) if year and year.isdigit() else None
    acts = services.actions(reader, year=year)
    kpis = services.kpis(reader)
    projects = list(services.projects(reader)[:50])
    counts = {k: sum(1 for a in acts if a.light == k) for k in ("red", "yellow", "green", "none")}
    return render(request, "plan/index.html", {
        "actions": acts, "kpis": kpis, "chart": _kpi_chart(kpis), "projects": projects, "counts": counts,
        "light_names": _light_names(), "year": year, "years": range(2021, services.today().year + 1),
        "manages": reader.manages})


@login_required
def action(request, number: int):
    reader = _reader(request)
    a = services.action(reader, number)
    if a is None:
        raise Http404
    page = Paginator(services.tasks(reader, action=number), 25).get_page(request.GET.get("page"))
    kpis = services.kpis(reader, action=number)
    return render(request, "plan/action.html", {
        "action": a, "page": page, "kpis": kpis, "chart": _kpi_chart(kpis),
        "projects": list(services.projects(reader, action=number)[:50]), "light_names": _light_names(),
        "manages": reader.manages, "organisations": accounts.organisations() if reader.manages else [],
        "this_year": services.today().year})


@login_required
def task(request, task_id: int):
    reader = _reader(request)
    t = services.task(reader, task_id)
    if t is None:
        raise Http404
    return render(request, "plan/task.html", {
        "task": t, "reports": services.reports(reader, task_id),
        "reminders": list(services.reminders(reader, task_id=task_id)[:50]), "light_names": _light_names(),
        "may_report": reader.may_report(t.owner_organisation_id) and t.state in ("assigned", "tracking"),
        "may_evaluate": reader.manages and t.state == "reported"})


def _post(request, do, back: str):
    try:
        do()
        messages.success(request, _("Saved."))
    except ApiError as exc:
        messages.error(request, exc.detail or _("The request could not be carried out."))
    except (ValueError, InvalidOperation):
        messages.error(request, _("Check the values entered."))
    return redirect(back)


def _day(value):
    return date.fromisoformat(value) if value else None


@login_required
@require_POST
def create_task(request, number: int):
    reader = _reader(request, "plan.manage", services.supervisor_id())
    p = request.POST
    return _post(request, lambda: services.create_task(
        reader, action=number, year=int(p.get("year", "0")), title=p.get("title", ""), target=p.get("target", ""),
        deadline=date.fromisoformat(p.get("deadline", "")), owner_organisation_id=int(p.get("owner", "0")),
        actor=request.user), reverse("plan:action", args=[number]))


def _owned(request, task_id):
    reader = _reader(request)
    t = services.task(reader, task_id)
    if t is None:
        raise Http404
    if not authz.user_has_perm(request.user, "plan.report", t.owner_organisation_id):
        raise PermissionDenied
    return reader


@login_required
@require_POST
def progress(request, task_id: int):
    reader = _owned(request, task_id)
    p = request.POST
    return _post(request, lambda: services.report_progress(reader, task_id, progress=int(p.get("progress", "-1")),
                                                           text=p.get("text", ""), actor=request.user),
                 reverse("plan:task", args=[task_id]))


@login_required
@require_POST
def completion(request, task_id: int):
    reader = _owned(request, task_id)
    p = request.POST
    return _post(request, lambda: services.report_completion(reader, task_id, text=p.get("text", ""),
                                                             completed_on=_day(p.get("completed_on")),
                                                             actor=request.user),
                 reverse("plan:task", args=[task_id]))


@login_required
@require_POST
def evaluation(request, task_id: int):
    reader = _reader(request, "plan.manage", services.supervisor_id())
    p = request.POST
    accept = p.get("accept") == "1"
    score = p.get("score")
    return _post(request, lambda: services.evaluate(reader, task_id, accept=accept,
                                                    score=int(score) if score else None, text=p.get("text", ""),
                                                    actor=request.user),
                 reverse("plan:task", args=[task_id]))


@login_required
def report(request):
    reader = _reader(request)
    try:
        month = services.parse_month(request.GET.get("month"))
    except ApiError:
        month = services.today().replace(day=1)
    data = services.monthly_report(reader, month)
    return render(request, "plan/report.html", {"r": data, "light_names": _light_names(),
                                                "month_value": month.strftime("%Y-%m")})


@login_required
def projects(request):
    reader = _reader(request)
    stage = request.GET.get("stage") or None
    if stage not in services.STAGES:
        stage = None
    page = Paginator(services.projects(reader, stage=stage), 25).get_page(request.GET.get("page"))
    return render(request, "plan/projects.html", {"page": page, "stage": stage, "stages": services.stage_choices()})


@login_required
def project(request, project_id: int):
    reader = _reader(request)
    p = services.project(reader, project_id)
    if p is None:
        raise Http404
    stages = services.STAGES
    nxt = stages[stages.index(p.stage) + 1] if p.stage != stages[-1] else None
    return render(request, "plan/project.html", {
        "project": p, "spending": services.spending(reader, project_id), "manages": reader.manages,
        "may_pay": reader.manages or reader.may_report(p.owner_organisation_id),
        "next_stage": nxt, "next_label": dict(services.stage_choices()).get(nxt, "")})


@login_required
@require_POST
def stage(request, project_id: int):
    reader = _reader(request, "plan.manage", services.supervisor_id())
    p = request.POST
    return _post(request, lambda: services.advance_project(reader, project_id, stage=p.get("stage", ""),
                                                           on=_day(p.get("on")), actor=request.user),
                 reverse("plan:project", args=[project_id]))


@login_required
@require_POST
def pay(request, project_id: int):
    reader = _reader(request)
    found = services.project(reader, project_id)
    if found is None:
        raise Http404
    if not (reader.manages or authz.user_has_perm(request.user, "plan.report", found.owner_organisation_id)):
        raise PermissionDenied
    p = request.POST
    return _post(request, lambda: services.add_spending(reader, project_id, on=date.fromisoformat(p.get("on", "")),
                                                        amount=Decimal(p.get("amount", "0")), note=p.get("note", ""),
                                                        actor=request.user),
                 reverse("plan:project", args=[project_id]))
