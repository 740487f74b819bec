"""One workbench for staff over every case type and workflow definition.

Views (``VIEWS``):

- ``mine``     my tasks: cases waiting on my organisation in a state where my role acts (the state's
               ``roles``, or else a step from the state that my role may take), least time left first;
- ``org``      my organisation's: every case it is responsible for, waits on or owns, newest first;
- ``overdue``  overdue open cases waiting on my organisation or escalated to it, most overdue first.

A platform administrator, who belongs to no organisation, sees the county: ``mine`` is every open case,
least time left first; ``org`` every case, newest first; ``overdue`` every overdue open case.

Filters: case type (definition), state, town, grid, created in [since, until). Every filter meets an
index of ``Case`` (see its ``Meta.indexes``); a page is one query for the rows and one for the count.
Bulk actions: a step may be taken on many cases at once when it asks for nothing but a note (no data
fields, no assignment, rating or reopening); each case is moved in its own transaction with the same
checks as one at a time, and the result says, case by case, what happened.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from smartcounty.foundation.cases.engine import (
    all_case_types,
    allowed_transitions,
    calendar,
    transition,
    type_of,
)
from smartcounty.foundation.cases.models import Case, WorkflowVersion
from smartcounty.kernel.problems import TITLES, ApiError

VIEWS = ("mine", "org", "overdue")
MAX_BULK = 100
MAX_PAGE = 200
ADMIN_ROLE = "platform_admin"


@dataclass(frozen=True)
class Filters:
    view: str = "mine"
    case_type: str = ""
    state: str = ""
    town_code: str = ""
    grid_code: str = ""
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    bulk: bool


@dataclass(frozen=True)
class Row:
    id: int
    number: str
    title: str
    case_type: str
    type_title: str
    state: str
    state_title: str
    category: str
    town_code: str
    grid_code: str
    organisation_id: int | None
    queue_organisation_id: int | None
    created_at: datetime
    due_at: datetime | None
    overdue: bool
    paused: bool
    is_closed: bool
    duplicate: bool
    hours_left: float | None
    steps: tuple[Step, ...] = ()


@dataclass(frozen=True)
class Page:
    count: int
    rows: list[Row] = field(default_factory=list)


@dataclass(frozen=True)
class BulkResult:
    done: list[int]
    failed: list[dict]


def _is_admin(user) -> bool:
    return bool(user.is_superuser or getattr(user, "role", "") == ADMIN_ROLE)


def bulk_step(t) -> bool:
    """May this step be taken on many cases at once? Only when it asks for nothing but a note."""
    return not (set(t.required) - {"note"}) and not (t.assign or t.rate or t.reopen)


def acting_states(role: str) -> dict[str, list[str]]:
    """case type -> the states in which ``role`` acts (the state's roles, else its steps' roles)."""
    out = {}
    for key, ct in all_case_types().items():
        states = []
        for st in ct.states:
            roles = getattr(st, "roles", ()) or ()
            if roles:
                acts = role in roles or "*" in roles
            else:
                acts = any(st.key in t.source and any("*" in w.roles or role in w.roles for w in t.who)
                           for t in ct.transitions)
            if acts:
                states.append(st.key)
        if states:
            out[key] = states
    return out


def county_wide(user) -> bool:
    """Does the workbench show ``user`` every organisation's cases (a platform administrator of none)?"""
    return getattr(user, "organisation_id", None) is None and _is_admin(user)


def _scope(user, view: str):
    org = getattr(user, "organisation_id", None)
    qs = Case.objects.all()
    if county_wide(user):
        if view == "mine":
            return qs.filter(is_closed=False).order_by(F("due_at").asc(nulls_last=True), "id")
        if view == "overdue":
            return qs.filter(overdue=True, is_closed=False).order_by("due_at", "id")
        return qs.order_by("-id")
    if view == "mine":
        qs = qs.filter(queue_organisation_id=org)
        if not _is_admin(user):
            # one term per distinct set of states (definitions often share their states' keys)
            by_states: dict[tuple, list[str]] = {}
            for key, states in acting_states(getattr(user, "role", "")).items():
                by_states.setdefault(tuple(sorted(states)), []).append(key)
            cond = Q(pk__in=[])
            for states, keys in by_states.items():
                cond |= Q(case_type__in=sorted(keys), state__in=states)
            qs = qs.filter(cond)
        return qs.order_by(F("due_at").asc(nulls_last=True), "id")
    if view == "overdue":
        return (qs.filter(Q(queue_organisation_id=org) | Q(supervisor_organisation_id=org), overdue=True,
                          is_closed=False).order_by("due_at", "id"))
    return (qs.filter(Q(organisation_id=org) | Q(queue_organisation_id=org) | Q(owner_organisation_id=org))
            .order_by("-id"))


def cases(user, filters: Filters):
    """The workbench's cases for ``user`` (a QuerySet, for this module's pages and API only)."""
    if filters.view not in VIEWS:
        raise ApiError(422, "invalid", _("The view is one of: %(views)s.") % {"views": ", ".join(VIEWS)},
                       field="view")
    if getattr(user, "organisation_id", None) is None and not county_wide(user):
        raise ApiError(403, "forbidden", _("The workbench is for the staff of an organisation."))
    qs = _scope(user, filters.view)
    for name in ("case_type", "state", "town_code", "grid_code"):
        value = getattr(filters, name)
        if value:
            qs = qs.filter(**{name: value})
    if filters.since:
        qs = qs.filter(created_at__gte=filters.since)
    if filters.until:
        qs = qs.filter(created_at__lt=filters.until)
    if filters.since and filters.until and filters.until <= filters.since:
        raise ApiError(422, "invalid", _("until must be after since."), field="until")
    return qs


LIST_FIELDS = ("id", "number", "title", "case_type", "state", "category", "town_code", "grid_code",
               "organisation_id", "queue_organisation_id", "owner_organisation_id", "supervisor_organisation_id",
               "reporter_id", "created_at", "due_at", "overdue", "paused", "is_closed", "duplicate_of_id",
               "closed_at", "workflow_version", "data")


def _row(case: Case, user, now, cal) -> Row:
    try:
        ct = type_of(case)
    except (ApiError, WorkflowVersion.DoesNotExist):
        ct = None
    try:
        state_title = str(ct.state(case.state).title) if ct else case.state
    except KeyError:
        state_title = case.state
    left = cal.between(now, case.due_at) if case.due_at else None
    steps = tuple(Step(t.key, str(t.title), bulk_step(t))
                  for t in allowed_transitions(case, user, check_branches=False)) if ct else ()
    return Row(id=case.pk, number=case.number, title=case.title, case_type=case.case_type,
               type_title=str(ct.title) if ct else case.case_type, state=case.state, state_title=state_title,
               category=case.category, town_code=case.town_code, grid_code=case.grid_code,
               organisation_id=case.organisation_id, queue_organisation_id=case.queue_organisation_id,
               created_at=case.created_at, due_at=case.due_at, overdue=case.overdue, paused=case.paused,
               is_closed=case.is_closed, duplicate=case.duplicate_of_id is not None,
               hours_left=round(left / 3600, 1) if left is not None else None, steps=steps)


def page(user, filters: Filters, *, limit: int = 50, offset: int = 0, now=None) -> Page:
    """One page of the workbench as plain rows, with the count of all of them (two queries)."""
    limit = max(1, min(int(limit), MAX_PAGE))
    qs = cases(user, filters)
    now = now or timezone.now()
    cal = calendar()
    rows = [_row(c, user, now, cal) for c in qs.only(*LIST_FIELDS)[offset:offset + limit]]
    return Page(count=qs.count(), rows=rows)


def bulk(user, ids: list[int], key: str, *, note: str = "") -> BulkResult:
    """Take step ``key`` on each of ``ids`` that the user may move; say for each one what happened."""
    ids = list(dict.fromkeys(ids))
    if not ids or len(ids) > MAX_BULK:
        raise ApiError(422, "invalid", _("Choose 1 to %(n)s cases.") % {"n": MAX_BULK}, field="ids")
    if getattr(user, "organisation_id", None) is None and not _is_admin(user):
        raise ApiError(403, "forbidden", _("The workbench is for the staff of an organisation."))
    types = set(Case.objects.filter(pk__in=ids).values_list("case_type", flat=True))
    engine_types = all_case_types()
    for ct_key in types:
        ct = engine_types.get(ct_key)
        if ct is None:
            continue
        try:
            t = ct.transition(key)
        except KeyError:
            continue
        if not bulk_step(t):
            raise ApiError(422, "invalid", _("The step %(step)s asks for more than a note; take it case by case.")
                           % {"step": str(t.title)}, field="step")
    done, failed = [], []
    for case_id in ids:
        try:
            transition(case_id, key, actor=user, note=note)
        except ApiError as exc:
            message = exc.detail if exc.status == 422 and exc.detail else TITLES.get(exc.code, TITLES["bad-request"])
            failed.append({"id": case_id, "code": exc.code, "message": str(message)})
        else:
            done.append(case_id)
    return BulkResult(done=done, failed=failed)


def count(user, filters: Filters) -> int:
    """How many cases the workbench shows for ``user`` and ``filters`` (the count alone)."""
    return cases(user, filters).count()
