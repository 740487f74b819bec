"""好差评 (GB/T 39735-2020): five levels per application and window; a poor rating (不满意, 非常不满意) opens a
rectification task for the department with a deadline, then a return visit (回访) closes it."""

from django.utils import timezone

from smartcounty.domains.services import catalogue
from smartcounty.domains.services.models import Evaluation, Rectification
from smartcounty.foundation.cases import services as cases
from smartcounty.kernel import audit, events
from smartcounty.kernel.problems import ApiError


def check_level(value) -> int:
    try:
        level = int(value)
    except (TypeError, ValueError):
        level = 0
    if level not in catalogue.LEVELS:
        raise ApiError(422, "invalid", "评价等级为1（非常不满意）至5（非常满意）", field="rating")
    return level


def _record(app, level: int, *, comment: str = "", now=None) -> Evaluation:
    now = now or timezone.now()
    ev = Evaluation.objects.create(application=app, level=level, comment=comment, window=app.window,
                                   organisation_id=app.organisation_id, at=now)
    if level in catalogue.POOR:
        deadline = cases.calendar().add(now, catalogue.RECTIFY_DAYS * 7.5 * 3600)
        task = Rectification.objects.create(evaluation=ev, organisation_id=app.organisation_id, deadline=deadline)
        audit.record("services.rectification_opened", obj=task, organisation_id=app.organisation_id,
                     detail={"application": app.number, "level": level, "deadline": deadline.isoformat()})
        events.publish("services.poor_rating", {"application_id": app.pk, "number": app.number, "level": level,
                                                "organisation_id": app.organisation_id, "task_id": task.pk})
    return ev


def out(ev: Evaluation) -> dict:
    task = getattr(ev, "rectification", None) if hasattr(ev, "rectification") else None
    return {"level": ev.level, "level_name": catalogue.LEVELS[ev.level], "comment": ev.comment, "at": ev.at,
            "rectification": task_out(task) if task else None}


def task_out(t: Rectification) -> dict:
    return {"id": t.pk, "deadline": t.deadline, "measures": t.measures, "rectified_at": t.rectified_at,
            "visited_at": t.visited_at, "visit_note": t.visit_note, "organisation_id": t.organisation_id,
            "number": t.evaluation.application.number, "level": t.evaluation.level,
            "level_name": catalogue.LEVELS[t.evaluation.level], "comment": t.evaluation.comment,
            "overdue": t.rectified_at is None and t.deadline < timezone.now()}


def tasks(scope, *, open_only: bool = False) -> list[dict]:
    qs = Rectification.objects.select_related("evaluation__application").order_by("deadline")
    if not scope.all:
        if not scope.handles:
            return []
        qs = qs.filter(organisation_id=scope.organisation_id)
    if open_only:
        qs = qs.filter(visited_at__isnull=True)
    return [task_out(t) for t in qs[:200]]


def _task(scope, task_id: int) -> Rectification:
    t = Rectification.objects.select_related("evaluation__application").filter(pk=task_id).first()
    if t is None or not scope.handles or not (scope.all or t.organisation_id == scope.organisation_id):
        raise ApiError(404, "not-found")
    return t


def rectify(actor, scope, task_id: int, measures: str, *, now=None) -> dict:
    t = _task(scope, task_id)
    if not (measures or "").strip():
        raise ApiError(422, "invalid", "请填写整改措施", field="measures")
    if t.rectified_at is not None:
        raise ApiError(409, "conflict", "已整改")
    t.measures, t.rectified_at = measures.strip()[:2000], now or timezone.now()
    t.save(update_fields=["measures", "rectified_at"])
    audit.record("services.rectified", actor=actor, obj=t, detail={"application": t.evaluation.application.number})
    return task_out(t)


def return_visit(actor, scope, task_id: int, note: str, *, now=None) -> dict:
    """The window's return visit to the applicant after the rectification (only once it is rectified)."""
    t = _task(scope, task_id)
    if not scope.window:
        raise ApiError(403, "forbidden", "回访由政务服务中心进行")
    if t.rectified_at is None:
        raise ApiError(409, "conflict", "尚未整改，不能回访")
    if not (note or "").strip():
        raise ApiError(422, "invalid", "请填写回访结果", field="note")
    t.visited_at, t.visit_note = now or timezone.now(), note.strip()[:300]
    t.save(update_fields=["visited_at", "visit_note"])
    audit.record("services.return_visit", actor=actor, obj=t, detail={"application": t.evaluation.application.number})
    return task_out(t)
