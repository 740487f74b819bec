"""The case engine: create, move, pause/resume, assign, remind and escalate cases.

Everything here runs inside a transaction, writes a history row (``CaseEvent``, never changed)
and an audit row for privileged acts, and publishes ``cases.*`` events after commit.
Callers may pass ``now`` (tests freeze the clock that way); otherwise it is the current time.
"""

import logging
import math
import uuid
from datetime import timedelta
from functools import lru_cache

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from smartcounty.foundation.cases import rollup
from smartcounty.foundation.cases.models import (
    AssignmentRule,
    CalendarDay,
    Case,
    CaseBranch,
    CaseEvent,
    CaseTypeSetting,
)
from smartcounty.foundation.cases.schemas import MAX_DESCRIPTION, CaseType, Transition
from smartcounty.foundation.cases.workcalendar import WorkCalendar, limit_seconds
from smartcounty.foundation.cases.workflow import guards
from smartcounty.kernel import audit, events, registry
from smartcounty.kernel.problems import ApiError

log = logging.getLogger("smartcounty.cases")
ADMIN_ROLE = "platform_admin"
NATURAL = "natural_days"


# ----- calendar -----

@lru_cache(maxsize=1)
def calendar() -> WorkCalendar:
    rows = list(CalendarDay.objects.values_list("date", "kind"))
    return WorkCalendar(holidays=frozenset(d for d, k in rows if k == CalendarDay.Kind.HOLIDAY),
                        workdays=frozenset(d for d, k in rows if k == CalendarDay.Kind.WORKDAY))


def calendar_changed() -> None:
    calendar.cache_clear()


def set_calendar_day(day, kind: str | None, name: str = "", *, actor, source: str = "") -> None:
    """Make ``day`` a public holiday or a make-up working day (``kind`` None: an ordinary day again)."""
    with transaction.atomic():
        if kind is None:
            CalendarDay.objects.filter(date=day).delete()
        else:
            if kind not in CalendarDay.Kind.values:
                raise ApiError(422, "invalid", f"unknown day kind {kind!r}", field="kind")
            CalendarDay.objects.update_or_create(date=day, defaults={"kind": kind, "name": name, "source": source})
        audit.record("cases.calendar_day", actor=actor, object_type="cases.calendarday", object_id=str(day),
                     detail={"kind": kind, "name": name})
        transaction.on_commit(calendar_changed)
    calendar_changed()


# ----- case types and configuration -----

def case_type(key: str) -> CaseType:
    """A case type declared by a module, or the current version of a published workflow definition."""
    if key in registry.case_types:
        return registry.case_types.get(key)
    from smartcounty.foundation.cases.workflow import store

    found = store.current(key)
    if found is None:
        raise ApiError(422, "invalid", f"unknown case type {key!r}", field="case_type")
    return found


def type_of(case: Case) -> CaseType:
    """The case type a case runs on: the workflow version it started on, else its declared type."""
    if case.workflow_version_id is not None:
        from smartcounty.foundation.cases.workflow import store

        return store.version_type(case.workflow_version_id)
    return case_type(case.case_type)


def all_case_types() -> dict[str, CaseType]:
    """Every case type: the modules' and the published definitions' current versions."""
    from smartcounty.foundation.cases.workflow import store

    return {**store.current_types(), **dict(registry.case_types.items())}


def configure_case_type(key: str, *, owner_organisation_id=None, supervisor_organisation_id=None, actor=None):
    case_type(key)
    with transaction.atomic():
        setting, _ = CaseTypeSetting.objects.update_or_create(
            case_type=key, defaults={"owner_organisation_id": owner_organisation_id,
                                     "supervisor_organisation_id": supervisor_organisation_id})
        audit.record("cases.configure", actor=actor, obj=setting,
                     detail={"owner": owner_organisation_id, "supervisor": supervisor_organisation_id})
    return setting


def set_assignment_rule(key: str, kind: str, code: str, organisation_id: int, *, actor=None):
    case_type(key)
    if kind not in AssignmentRule.Kind.values:
        raise ApiError(422, "invalid", f"unknown rule kind {kind!r}", field="kind")
    with transaction.atomic():
        rule, _ = AssignmentRule.objects.update_or_create(case_type=key, kind=kind, key=code,
                                                          defaults={"organisation_id": organisation_id})
        audit.record("cases.assignment_rule", actor=actor, obj=rule,
                     detail={"kind": kind, "key": code, "organisation": organisation_id})
    return rule


def resolve_organisation(key: str, *, grid_code: str = "", town_code: str = "", category: str = "") -> int | None:
    """The responsible organisation by the rules: grid, then town, then category."""
    wanted = [(k, v) for k, v in (("grid", grid_code), ("town", town_code), ("category", category)) if v]
    if not wanted:
        return None
    q = Q()
    for k, v in wanted:
        q |= Q(kind=k, key=v)
    found = dict(((r.kind, r.key), r.organisation_id) for r in AssignmentRule.objects.filter(q, case_type=key))
    for k, v in wanted:
        if (k, v) in found:
            return found[(k, v)]
    return None


def locate(lon, lat):
    """Town and grid of a point, from the places module (None when unknown or places is absent)."""
    if lon is None or lat is None:
        return None
    try:
        from smartcounty.foundation.places import services as places
    except ImportError:  # places not installed in this deployment
        return None
    try:
        return places.locate(lon, lat)
    except Exception:
        log.exception("places.locate failed for %s,%s", lon, lat)
        return None


# ----- who may do what -----

def _is_admin(user) -> bool:
    return bool(user is not None and (user.is_superuser or getattr(user, "role", "") == ADMIN_ROLE))


def _related(user, case: Case, relation: str) -> bool:
    org = getattr(user, "organisation_id", None)
    if relation == "any":
        return True
    if relation == "reporter":
        return case.reporter_id is not None and case.reporter_id == user.pk
    target = {"queue": case.queue_organisation_id, "responsible": case.organisation_id,
              "owner": case.owner_organisation_id, "supervisor": case.supervisor_organisation_id}[relation]
    return org is not None and target == org


def _in_organisations(user, codes) -> bool:
    if not codes:
        return True
    org = getattr(user, "organisation", None)
    return org is not None and getattr(org, "code", None) in codes


def may_take(user, case: Case, t: Transition) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if case.state not in t.source:
        return False
    if _is_admin(user):
        return True
    role = getattr(user, "role", "")
    return any(("*" in w.roles or role in w.roles) and _related(user, case, w.relation)
               and _in_organisations(user, w.organisations) for w in t.who)


def allowed_transitions(case: Case, user, *, check_branches: bool = True) -> list[Transition]:
    """The steps ``user`` may take on ``case`` now (guards holding; in a parallel state, its open branches)."""
    ct = type_of(case)
    steps = [t for t in ct.transitions if t.who and may_take(user, case, t)
             and (t.guard is None or guards.holds(t.guard, case.data, case.category))]
    if check_branches and any(t.branch for t in steps):
        done = set(_branches(case).filter(done_at__isnull=False).values_list("key", flat=True))
        steps = [t for t in steps if t.branch not in done]
    return steps


def may_view(user, case: Case) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if _is_admin(user) or (case.reporter_id is not None and case.reporter_id == user.pk):
        return True
    org = getattr(user, "organisation_id", None)
    return org is not None and org in (case.organisation_id, case.queue_organisation_id,
                                       case.owner_organisation_id, case.supervisor_organisation_id)


# ----- clocks -----

def _lane_org(case: Case, lane: str):
    return {"owner": case.owner_organisation_id, "responsible": case.organisation_id,
            "supervisor": case.supervisor_organisation_id}.get(lane)


def _natural(limit) -> bool:
    return limit is not None and limit.unit == NATURAL


def _seconds(limit) -> float:
    return limit.amount * 86400 if _natural(limit) else limit_seconds(limit.amount, limit.unit)


def _after(cal, start, seconds: float, natural: bool):
    """``seconds`` of working time after ``start`` (natural: of calendar time)."""
    return start + timedelta(seconds=seconds) if natural else cal.add(start, seconds)


def _left(cal, now, due, natural: bool) -> float:
    return (due - now).total_seconds() if natural else cal.between(now, due)


def _legal_clock(case: Case, ct: CaseType, st, now, cal) -> None:
    """Pause the case's legal clock in a state that does not count, resume it in one that does."""
    legal_limit = ct.legal_limit_for(case.category)
    if legal_limit is None or case.is_closed:
        return
    natural = _natural(legal_limit)
    if st.pauses_clock or st.final:
        if case.legal_due_at is not None and case.legal_remaining is None:
            case.legal_remaining = _left(cal, now, case.legal_due_at, natural)
            case.legal_due_at = None if st.pauses_clock else case.legal_due_at
    elif case.legal_remaining is not None:
        case.legal_due_at = _after(cal, now, case.legal_remaining, natural)
        case.legal_remaining = None
    elif case.legal_due_at is None:
        case.legal_due_at = _after(cal, now, _seconds(legal_limit), natural)


def _enter(case: Case, ct: CaseType, key: str, now) -> None:
    """Put ``case`` in state ``key`` at ``now``, starting, pausing or resuming its clock."""
    cal = calendar()
    st = ct.state(key)
    if st.pauses_clock:
        if not case.paused:
            try:
                natural = _natural(ct.limit_for(case.state, case.category)) if case.state else False
            except KeyError:
                natural = False
            case.paused_remaining = max(0.0, _left(cal, now, case.due_at, natural)) if case.due_at else None
            case.paused_from = case.state
        case.paused = True
        case.due_at = case.remind_at = None
    elif case.paused and key == case.paused_from and case.paused_remaining is not None:
        remaining = case.paused_remaining
        natural = _natural(ct.limit_for(key, case.category))
        case.due_at = _after(cal, now, remaining, natural)
        case.remind_at = _after(cal, now, remaining * ct.remind_at, natural)
        case.paused, case.paused_remaining, case.paused_from = False, None, ""
    else:
        limit = None if st.final else ct.limit_for(key, case.category)
        if limit is not None:
            secs, natural = _seconds(limit), _natural(limit)
            case.due_at = _after(cal, now, secs, natural)
            case.remind_at = _after(cal, now, secs * ct.remind_at, natural)
        else:
            case.due_at = case.remind_at = None
        case.paused, case.paused_remaining, case.paused_from = False, None, ""
    _legal_clock(case, ct, st, now, cal)
    timers = [t.timer for t in ct.transitions if t.timer is not None and key in t.source]
    case.timer_at = min(_after(cal, now, _seconds(t), _natural(t)) for t in timers) if timers else None
    case.state = key
    case.state_entered_at = now
    case.overdue = False
    case.escalated_at = None
    case.queue_organisation_id = _lane_org(case, st.lane)


def _branches(case: Case):
    """The branches of ``case``'s current parallel state, opened when it last entered it."""
    return CaseBranch.objects.filter(case=case, state=case.state, opened_at__gte=case.state_entered_at)


def _entered(case: Case, ct: CaseType, now) -> None:
    """What entering a state does once the case is saved: open parallel branches, send notifications."""
    st = ct.state(case.state)
    if st.branches:
        cal = calendar()
        CaseBranch.objects.bulk_create([CaseBranch(
            case=case, state=st.key, key=b.key, opened_at=now,
            due_at=_after(cal, now, _seconds(b.limit), _natural(b.limit)) if b.limit else None) for b in st.branches])
    _notify(case, ct, case.state, now)


def _notify(case: Case, ct: CaseType, on: str, now) -> None:
    for when, to, message in ct.notifications:
        if when != on:
            continue
        org = _lane_org(case, to) if to != "reporter" else None
        _history(case, "notify", from_state=case.state, to_state=case.state, note=message, now=now,
                 public=to == "reporter", data={"to": to}, organisation_id=org)
        events.publish("cases.notify", fact(case, to=to, to_organisation_id=org, message=message,
                                            reporter_id=case.reporter_id if to == "reporter" else None))


def _history(case, action, *, actor=None, from_state="", to_state="", note="", data=None, public=True, now=None,
             organisation_id=None):
    return CaseEvent.objects.create(
        case=case, at=now, action=action, from_state=from_state, to_state=to_state, actor=actor,
        actor_name=(str(actor) if actor is not None else "system"), note=note, data=data or {}, public=public,
        organisation_id=organisation_id if organisation_id is not None else getattr(actor, "organisation_id", None))


def fact(case: Case, **extra) -> dict:
    return {"id": case.pk, "number": case.number, "case_type": case.case_type, "category": case.category,
            "state": case.state, "organisation_id": case.organisation_id,
            "queue_organisation_id": case.queue_organisation_id, "grid_code": case.grid_code,
            "due_at": case.due_at.isoformat() if case.due_at else None, **extra}


# ----- create and move -----

def create_case(case_type_key: str, *, title: str, category: str = "", description: str = "", lon=None, lat=None,
                grid_code: str = "", town_code: str = "", address: str = "", data: dict | None = None,
                reporter=None, reporter_name: str = "", reporter_contact: str = "", source: str = "",
                organisation_id: int | None = None, external_ref: str = "", actor=None, now=None) -> Case:
    ct = case_type(case_type_key)
    now = now or timezone.now()
    if ct.categories and category not in ct.categories:
        raise ApiError(422, "invalid", f"unknown category {category!r}", field="category")
    if not title or len(title) > 200:
        raise ApiError(422, "invalid", "a title of 1-200 characters is needed", field="title")
    if len(description) > MAX_DESCRIPTION:
        raise ApiError(422, "invalid", _("The description is longer than %(limit)s characters.")
                       % {"limit": MAX_DESCRIPTION}, field="description")
    if len(address) > 200:
        raise ApiError(422, "invalid", _("The address is longer than 200 characters."), field="address")
    for name, v, lo, hi in (("lon", lon, -180, 180), ("lat", lat, -90, 90)):
        if v is not None and (not isinstance(v, (int, float)) or not math.isfinite(v) or not lo <= v <= hi):
            raise ApiError(422, "invalid", f"{name} out of range", field=name)
    if (lon is None) != (lat is None):
        raise ApiError(422, "invalid", "give both lon and lat", field="lon" if lon is None else "lat")
    if not grid_code or not town_code:
        where = locate(lon, lat)
        if where is not None:
            grid_code = grid_code or (getattr(where, "grid_code", "") or "")
            town_code = town_code or (getattr(where, "town_code", "") or "")
    setting = CaseTypeSetting.objects.filter(case_type=case_type_key).first()
    if organisation_id is None:
        organisation_id = resolve_organisation(case_type_key, grid_code=grid_code, town_code=town_code,
                                               category=category)
    with transaction.atomic():
        case = Case(number=f"tmp-{uuid.uuid4().hex[:24]}", case_type=case_type_key, category=category, title=title,
                    description=description, source=source, lon=lon, lat=lat, grid_code=grid_code or "",
                    town_code=town_code or "", address=address, data=dict(data or {}), reporter=reporter,
                    reporter_name=reporter_name, reporter_contact=reporter_contact, organisation_id=organisation_id,
                    owner_organisation_id=setting.owner_organisation_id if setting else None,
                    supervisor_organisation_id=setting.supervisor_organisation_id if setting else None,
                    external_ref=external_ref, created_at=now, updated_at=now, state_entered_at=now,
                    workflow_version_id=ct.version_id)
        _enter(case, ct, ct.initial, now)
        case.save()
        case.number = f"{ct.prefix}{timezone.localtime(now):%Y%m%d}{case.pk:06d}"
        Case.objects.filter(pk=case.pk).update(number=case.number)
        rollup.apply([(None, rollup.contribution(case))])
        _history(case, "create", actor=actor or reporter, to_state=case.state, note=description[:500], now=now,
                 data={"category": category, "source": source})
        audit.record("cases.create", actor=actor or reporter, obj=case,
                     detail={"type": case_type_key, "number": case.number})
        events.publish("cases.created", fact(case))
        _entered(case, ct, now)
    return case


def _check_required(t: Transition, note: str, data: dict) -> None:
    for name in t.required:
        value = note if name == "note" else data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ApiError(422, "invalid", f"{name} is required for this step", field=name)


def _form_keys(form) -> tuple[str, ...]:
    from smartcounty.foundation.cases.forms.document import fields

    return tuple(f.key for f in fields(form) if f.type != "file") if form else ()


def _step_form_data(form, data: dict) -> dict:
    """The answers to a step's own form (the form named after the step), checked by it."""
    from smartcounty.foundation.cases.forms import validation

    keys = _form_keys(form)
    return validation.check(form, {k: data[k] for k in keys if k in data})


def _complete_branch(case: Case, ct: CaseType, t: Transition, actor, now) -> str | None:
    """Mark ``t``'s branch done; the join state when it was the last open one, else None (the case stays)."""
    branch = _branches(case).select_for_update().filter(key=t.branch).first()
    if branch is None or branch.done_at is not None:
        raise ApiError(409, "conflict", _("This branch of the parallel step is done already."))
    branch.done_at, branch.done_by = now, str(actor) if actor is not None else "system"
    branch.organisation_id = getattr(actor, "organisation_id", None)
    branch.save(update_fields=["done_at", "done_by", "organisation_id"])
    if _branches(case).filter(done_at__isnull=True).exists():
        return None
    return ct.state(case.state).join


def transition(case_id: int, key: str, *, actor, note: str = "", data: dict | None = None, now=None,
               system: bool = False) -> Case:
    """Take transition ``key`` on a case as ``actor``; 403 if they may not, 409 if the state forbids it.
    ``system``: an automatic step (a timer's), taken without an actor."""
    now = now or timezone.now()
    data = dict(data or {})
    with transaction.atomic():
        case = Case.objects.select_for_update().filter(pk=case_id).first()
        if case is None:
            raise ApiError(404, "not-found")
        counted = rollup.contribution(case)
        ct = type_of(case)
        try:
            t = ct.transition(key)
        except KeyError:
            raise ApiError(404, "not-found", f"no step {key!r} in {case.case_type}") from None
        if case.state not in t.source:
            raise ApiError(409, "conflict", f"step {key!r} is not possible in state {case.state!r}")
        if not (system and t.timer is not None) and not may_take(actor, case, t):
            raise ApiError(403, "forbidden")
        _check_required(t, note, data)
        step_form = (ct.forms or {}).get(t.key)
        if step_form is not None:
            data.update(_step_form_data(step_form, data))
        if not guards.holds(t.guard, {**case.data, **data}, case.category):
            raise ApiError(409, "conflict", _("The conditions of this step are not met by the case."))
        target = t.target
        if t.branch:
            target = _complete_branch(case, ct, t, actor, now)
        before = case.state
        if t.reopen:
            if case.closed_at is None or now - case.closed_at > timedelta(days=ct.reopen_days):
                raise ApiError(409, "conflict", f"a case can be reopened only within {ct.reopen_days} days of closing")
            case.reopen_count += 1
            case.is_closed, case.closed_at, case.handling_seconds = False, None, None
        if t.rework:
            case.rework_count += 1
        if t.assign:
            org = data.get("organisation_id")
            if org is not None and (isinstance(org, bool) or not isinstance(org, int)):
                raise ApiError(422, "invalid", "organisation_id must be an integer", field="organisation_id")
            org = org or resolve_organisation(case.case_type, grid_code=case.grid_code, town_code=case.town_code,
                                              category=case.category)
            if org is None:
                raise ApiError(422, "invalid", "no responsible organisation given or found by the rules",
                               field="organisation_id")
            case.organisation_id = org
        if t.rate:
            rating = data.get("rating")
            if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
                raise ApiError(422, "invalid", "rating must be an integer from 1 to 5", field="rating")
            case.rating = rating
        if case.due_at is not None and now > case.due_at and target is not None:
            case.ever_overdue = True
        if target is not None:
            _enter(case, ct, target, now)
        if t.closes:
            case.is_closed, case.closed_at = True, now
            case.handling_seconds = int((now - case.created_at).total_seconds())
        # only the fields the step asks for are kept (plus the department and rating it sets)
        kept = {k: data[k] for k in (*t.required, *_form_keys(step_form)) if k in data}
        case.data.update(kept)
        data = {**kept, **{k: data[k] for k in ("organisation_id", "rating") if k in data and (t.assign or t.rate)}}
        case.updated_at = now
        case.save()
        rollup.apply([(counted, rollup.contribution(case))])
        _history(case, key, actor=actor, from_state=before, to_state=case.state, note=note, data=data,
                 public=t.public, now=now)
        audit.record("cases.transition", actor=actor, obj=case,
                     detail={"number": case.number, "step": key, "from": before, "to": case.state})
        events.publish("cases.transitioned", fact(case, step=key, from_state=before))
        if t.closes:
            events.publish("cases.closed", fact(case))
        _notify(case, ct, f"step:{key}", now)
        if target is not None:
            _entered(case, ct, now)
    return case


def comment(case_id: int, *, actor, note: str, public: bool = False, now=None) -> CaseEvent:
    now = now or timezone.now()
    if not note or not note.strip():
        raise ApiError(422, "invalid", "a comment needs text", field="note")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case_id)
        ev = _history(case, "comment", actor=actor, from_state=case.state, to_state=case.state, note=note,
                      public=public, now=now)
        Case.objects.filter(pk=case.pk).update(updated_at=now)
    return ev


# ----- reminders and escalation -----

def sweep(now=None) -> dict:
    """Send due reminders and escalate overdue cases to their supervising organisation. Idempotent."""
    now = now or timezone.now()
    reminded = escalated = 0
    with transaction.atomic():
        due_soon = list(Case.objects.select_for_update().filter(remind_at__lte=now, is_closed=False, paused=False)
                        .order_by("id")[:1000])
        for case in due_soon:
            _history(case, "remind", from_state=case.state, to_state=case.state, now=now, public=False,
                     data={"due_at": case.due_at.isoformat() if case.due_at else None},
                     organisation_id=case.queue_organisation_id)
            events.publish("cases.due_soon", fact(case))
        Case.objects.filter(pk__in=[c.pk for c in due_soon]).update(remind_at=None)
        reminded = len(due_soon)
        late = list(Case.objects.select_for_update().filter(due_at__lt=now, escalated_at__isnull=True,
                                                             is_closed=False, paused=False).order_by("id")[:1000])
        for case in late:
            _history(case, "escalate", from_state=case.state, to_state=case.state, now=now, public=False,
                     data={"due_at": case.due_at.isoformat(), "to": case.supervisor_organisation_id},
                     organisation_id=case.supervisor_organisation_id)
            audit.record("cases.escalate", obj=case, organisation_id=case.supervisor_organisation_id,
                         detail={"number": case.number, "state": case.state, "due_at": case.due_at.isoformat()})
            events.publish("cases.overdue", fact(case, supervisor_organisation_id=case.supervisor_organisation_id))
        Case.objects.filter(pk__in=[c.pk for c in late]).update(overdue=True, ever_overdue=True, escalated_at=now)
        changes = []
        for case in late:
            counted = rollup.contribution(case)
            case.overdue, case.ever_overdue, case.escalated_at = True, True, now
            changes.append((counted, rollup.contribution(case)))
        rollup.apply(changes)
        escalated = len(late)
    return {"reminded": reminded, "escalated": escalated}


def sweeper(stop) -> None:
    """Background service: sweep once a minute until ``stop`` is set."""
    from django.db import close_old_connections

    while not stop.is_set():
        try:
            close_old_connections()
            sweep()
        except Exception:
            log.exception("case sweep failed")
        stop.wait(60)
