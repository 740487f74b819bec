"""Cases services: the only cases code other modules import (with ``schemas``).

Declare case types with ``schemas.CaseType`` in ``reg.case_types``; then create cases, move them
through their workflow, comment, attach files, and read queues and statistics here.
"""

import math
from dataclasses import dataclass

from django.db.models import F, Q
from django.db.models.functions import Substr

from smartcounty.foundation.cases.alerting import set_trigger as set_alert_trigger  # noqa: F401
from smartcounty.foundation.cases.engine import (  # noqa: F401  (public API)
    all_case_types,
    allowed_transitions,
    calendar,
    comment,
    configure_case_type,
    create_case,
    fact,
    locate,
    may_take,
    may_view,
    resolve_organisation,
    set_assignment_rule,
    set_calendar_day,
    sweep,
    sweeper,
    transition,
    type_of,
)
from smartcounty.foundation.cases.files import MAX_BYTES, add_attachment  # noqa: F401
from smartcounty.foundation.cases.filing import check_data_size, file_case, is_web_url, may_file  # noqa: F401
from smartcounty.foundation.cases.models import Attachment, Case, CaseEvent
from smartcounty.foundation.cases.schemas import SUMMARY_CHARS
from smartcounty.foundation.cases.stats import GROUPS, raw_statistics, statistics  # noqa: F401
from smartcounty.foundation.cases.workbench import MAX_PAGE as WORKBENCH_MAX_PAGE  # noqa: F401
from smartcounty.foundation.cases.workbench import VIEWS as WORKBENCH_VIEWS  # noqa: F401
from smartcounty.foundation.cases.workbench import Filters as WorkbenchFilters  # noqa: F401
from smartcounty.foundation.cases.workbench import bulk as workbench_bulk  # noqa: F401
from smartcounty.foundation.cases.workbench import count as workbench_count  # noqa: F401
from smartcounty.foundation.cases.workbench import county_wide as workbench_county_wide  # noqa: F401
from smartcounty.foundation.cases.workbench import page as workbench_page  # noqa: F401
from smartcounty.foundation.cases.workcalendar import BEIJING, limit_seconds  # noqa: F401
from smartcounty.foundation.cases.workflow.clock import Clock, clock  # noqa: F401
from smartcounty.foundation.cases.workflow.timers import run_timers  # noqa: F401
from smartcounty.kernel.problems import ApiError


def check_workflow_file(path) -> list[tuple[str, str]]:
    """What is wrong with a workflow definition file, as (path, Chinese message) pairs (empty: nothing)."""
    from pathlib import Path

    from smartcounty.foundation.cases.workflow import document
    from smartcounty.foundation.cases.workflow.problems import DefinitionInvalid

    try:
        doc = document.parse(Path(path).read_text(encoding="utf-8"))
    except DefinitionInvalid as exc:
        return [(pr.path, pr.message) for pr in exc.problems]
    return [(pr.path, pr.message) for pr in document.check(doc)]


@dataclass(frozen=True)
class PublishedVersion:
    key: str
    number: int
    id: int


def save_workflow(doc, *, actor=None) -> str:
    """Keep a workflow definition (a dict, or YAML/JSON text) as its draft; its key. ``DefinitionInvalid``
    (``workflow.problems``) names every problem."""
    from smartcounty.foundation.cases.workflow import store

    return store.save(doc, actor=actor).key


def publish_workflow(key: str, *, actor=None) -> PublishedVersion:
    """Publish the draft of ``key`` (a new version only when it changed)."""
    from smartcounty.foundation.cases.workflow import store

    version = store.publish(key, actor=actor)
    return PublishedVersion(key, version.number, version.pk)


def case_types() -> dict:
    """Every case type: declared by modules, and the current versions of published workflow definitions."""
    return all_case_types()

EARTH_RADIUS_M = 6371008.8


def filing_form_of(ct) -> dict | None:
    from smartcounty.foundation.cases.forms import filing_form

    return filing_form(ct)


def collect_form(form: dict, post, files=None) -> tuple[dict, dict]:
    from smartcounty.foundation.cases.forms.render import collect

    return collect(form, post, files)


def form_errors(form: dict, data: dict) -> list:
    from smartcounty.foundation.cases.forms.validation import validate

    return validate(form, data)[1]


def problem_field_errors(exc) -> list:
    """The per-field errors of a problem raised by ``forms.validation.check`` (``data.<key>``), as ``FieldError``."""
    from smartcounty.foundation.cases.forms.validation import FieldError

    out = []
    for e in exc.errors or ():
        field = e.get("field", "")
        out.append(FieldError(field.split(".", 1)[1] if field.startswith("data.") else "", e.get("type", ""),
                              e.get("message", "")))
    return out


def render_form(form: dict, values=None, errors=None) -> str:
    from smartcounty.foundation.cases.forms.render import render_form as render

    return render(form, values, errors)


def form_of(case_type_key: str, name: str = "apply") -> dict | None:
    """A case type's form as plain data: ``{"case_type", "name", "document", "schema"}`` (None: no such form)."""
    from smartcounty.foundation.cases.forms.openapi import all_case_types
    from smartcounty.foundation.cases.forms.schema import json_schema

    ct = all_case_types().get(case_type_key)
    doc = (getattr(ct, "forms", None) or {}).get(name) if ct is not None else None
    if doc is None:
        return None
    return {"case_type": case_type_key, "name": name, "title": str(ct.title), "document": doc,
            "schema": json_schema(doc, title=str(ct.title))}


def get_case(case_id: int) -> Case | None:
    return Case.objects.filter(pk=case_id).first()


def get_case_by_number(number: str) -> Case | None:
    return Case.objects.filter(number=number).first()


#: Events whose note the reporter reads when the event is public: his own report, and comments made public.
PUBLIC_NOTE_ACTIONS = ("create", "comment")


def _note_is_public(case: Case, ct, event: CaseEvent) -> bool:
    if event.action in PUBLIC_NOTE_ACTIONS or (event.actor_id is not None and event.actor_id == case.reporter_id):
        return True
    try:
        t, target = ct.transition(event.action), ct.state(event.to_state)
    except (KeyError, AttributeError):
        return False
    # A question put to the reporter, and the answer a closing step gives him, are addressed to him.
    return target.lane == "reporter" or t.closes or target.final


def history(case: Case, *, public_only: bool = False):
    """A case's events. ``public_only`` (what the reporter sees): the public events only, and of those only
    the remarks that are public. A note written on a step is internal (staff write 请尽快维修 and 请核查 to
    each other there) unless the step is the reporter's own, asks him something, or closes the case; what
    staff want the reporter to read otherwise, they post as a comment marked visible to the reporter."""
    qs = CaseEvent.objects.filter(case=case).order_by("id")
    if not public_only:
        return qs
    try:
        ct = type_of(case)
    except ApiError:
        ct = None
    events = list(qs.filter(public=True))
    for e in events:
        if e.note and not _note_is_public(case, ct, e):
            e.note = ""
    return events


def attachments(case: Case):
    return Attachment.objects.filter(case=case).order_by("id")


def get_attachment(case: Case, attachment_id: int) -> Attachment | None:
    return Attachment.objects.filter(case=case, pk=attachment_id).first()


def queue(organisation_id: int, *, state: str | None = None, case_type: str | None = None):
    """Cases waiting on an organisation's action, least time left first (index: queue, state, due).

    Closed cases wait on nobody, except where the workflow still expects a step (e.g. a 回访 revisit)."""
    qs = Case.objects.filter(queue_organisation_id=organisation_id)
    if state:
        qs = qs.filter(state=state)
    if case_type:
        qs = qs.filter(case_type=case_type)
    return qs.order_by(F("due_at").asc(nulls_last=True), "id")


def escalated_to(organisation_id: int, *, case_type: str | None = None):
    """Overdue cases escalated to a supervising organisation, most overdue first."""
    qs = Case.objects.filter(supervisor_organisation_id=organisation_id, overdue=True, is_closed=False)
    if case_type:
        qs = qs.filter(case_type=case_type)
    return qs.order_by("due_at", "id")


def visible_cases(user, *, case_type=None, state=None, category=None, grid_code=None, town_code=None,
                  organisation_id=None, closed=None):
    """Cases a user may see: platform admins all, staff their organisation's, residents their own reports."""
    qs = Case.objects.all()
    if not (user.is_superuser or getattr(user, "role", "") == "platform_admin"):
        org = getattr(user, "organisation_id", None)
        cond = Q(reporter_id=user.pk)
        if org is not None:
            cond |= (Q(organisation_id=org) | Q(queue_organisation_id=org) | Q(owner_organisation_id=org)
                     | Q(supervisor_organisation_id=org))
        qs = qs.filter(cond)
    for field, value in (("case_type", case_type), ("state", state), ("category", category),
                         ("grid_code", grid_code), ("town_code", town_code), ("organisation_id", organisation_id),
                         ("is_closed", closed)):
        if value is not None and value != "":
            qs = qs.filter(**{field: value})
    return qs.order_by("-id")


def summaries(qs):
    """Cases for a list: the description cut short in the database (``description_summary``, one character
    more than ``SUMMARY_CHARS`` shows, so a cut is visible), the whole text and ``data`` left unread."""
    return qs.annotate(description_summary=Substr("description", 1, SUMMARY_CHARS + 1)).defer("description", "data")


def reports_of(user):
    return Case.objects.filter(reporter=user).order_by("-id")


def distance_m(lon1, lat1, lon2, lat2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def nearby_open_case(case_type_key: str, category: str, lon: float, lat: float, *, radius_m: float = 50,
                     exclude_id: int | None = None) -> Case | None:
    """The nearest open case of the same type and category within ``radius_m`` (bounding box, then distance)."""
    dlat = radius_m / 111_320
    dlon = radius_m / (111_320 * max(0.01, math.cos(math.radians(lat))))
    qs = Case.objects.filter(case_type=case_type_key, category=category, is_closed=False,
                             lat__gte=lat - dlat, lat__lte=lat + dlat, lon__gte=lon - dlon, lon__lte=lon + dlon)
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    best = None
    for c in qs.only("id", "lon", "lat")[:200]:
        d = distance_m(lon, lat, c.lon, c.lat)
        if d <= radius_m and (best is None or d < best[0]):
            best = (d, c.pk)
    return Case.objects.get(pk=best[1]) if best else None


def mark_duplicate(case: Case, of: Case) -> None:
    Case.objects.filter(pk=case.pk).update(duplicate_of=of)
    case.duplicate_of = of


def time_left_seconds(case: Case, now=None) -> float | None:
    from django.utils import timezone

    if case.due_at is None:
        return None
    return calendar().between(now or timezone.now(), case.due_at)


def cases_of_type(case_type_key: str, *, with_public_note: bool = False):
    """All cases of a type; optionally annotated with ``last_public_note`` (the latest public staff note)."""
    from django.db.models import OuterRef, Subquery

    qs = Case.objects.filter(case_type=case_type_key)
    if with_public_note:
        note = (CaseEvent.objects.filter(case=OuterRef("pk"), public=True).exclude(action="create").exclude(note="")
                .order_by("-id").values("note")[:1])
        qs = qs.annotate(last_public_note=Subquery(note))
    return qs


def public_updates(case_type_key: str, since, until):
    """Public history entries (not the creation) of a type's cases in [since, until], oldest first."""
    return (CaseEvent.objects.select_related("case").filter(case__case_type=case_type_key, public=True,
                                                            at__gte=since, at__lte=until)
            .exclude(action="create").order_by("at", "id"))


def case_type_organisations(case_type_key: str) -> tuple[int | None, int | None]:
    """(owning, supervising) organisation ids configured for a case type."""
    from smartcounty.foundation.cases.models import CaseTypeSetting

    row = CaseTypeSetting.objects.filter(case_type=case_type_key).values_list(
        "owner_organisation_id", "supervisor_organisation_id").first()
    return row or (None, None)


def sees_all_of_type(user, case_type_key: str) -> bool:
    """Platform admins and the staff of the type's owning or supervising organisation see every case's figures."""
    if user.is_superuser or getattr(user, "role", "") == "platform_admin":
        return True
    org = getattr(user, "organisation_id", None)
    return org is not None and org in case_type_organisations(case_type_key)



# ---- plain-data reads for other modules (the cockpit, the domains), built on ``visible_cases`` ----------


from datetime import datetime  # noqa: E402

from django.db.models import Count  # noqa: E402


@dataclass(frozen=True)
class CaseCounts:
    open: int
    overdue: int


@dataclass(frozen=True)
class CategoryCount:
    category: str
    open: int
    overdue: int
    #: The category's name in its own case type (two types may use one code for different things).
    name: str = ""


@dataclass(frozen=True)
class CasePoint:
    id: int
    number: str
    title: str
    lon: float
    lat: float
    overdue: bool


@dataclass(frozen=True)
class QueueItem:
    id: int
    number: str
    title: str
    state: str
    due_at: datetime | None
    overdue: bool
    created_at: datetime
    case_type: str = ""


def _visible_open(user):
    return visible_cases(user, closed=False).order_by()


def open_case_counts(user) -> CaseCounts:
    """Open cases ``user`` may see, and how many of them are overdue."""
    c = _visible_open(user).aggregate(n=Count("id"), late=Count("id", filter=Q(overdue=True)))
    return CaseCounts(c["n"], c["late"])


def open_by_category(user, *, limit: int = 8) -> list[CategoryCount]:
    """Open cases ``user`` may see per case type and category, most first, each with its name in its case type
    (the modules' types and the published workflow definitions alike)."""
    rows = (_visible_open(user).values("case_type", "category")
            .annotate(n=Count("id"), late=Count("id", filter=Q(overdue=True)))
            .order_by("-n", "case_type", "category")[:limit])
    types = all_case_types() if rows else {}

    def name(key, code):
        title = (getattr(types.get(key), "categories", None) or {}).get(code)
        return str(title) if title else ""

    return [CategoryCount(r["category"], r["n"], r["late"], name(r["case_type"], r["category"])) for r in rows]


def open_case_points(user, bbox, *, limit: int) -> tuple[int, list[CasePoint]]:
    """(open cases ``user`` may see inside ``bbox``, the first ``limit`` of them: overdue first, then by due
    time)."""
    w, s, e, n = bbox
    qs = _visible_open(user).filter(lon__gte=w, lon__lte=e, lat__gte=s, lat__lte=n)
    total = qs.count()
    rows = qs.order_by("-overdue", "due_at").values("id", "number", "title", "lon", "lat", "overdue")[:limit]
    return total, [CasePoint(r["id"], r["number"], r["title"], r["lon"], r["lat"], r["overdue"]) for r in rows]


def queue_items(organisation_id: int, *, limit: int = 50) -> list[QueueItem]:
    """Cases waiting on an organisation, least time left first (``queue``), as plain items."""
    rows = queue(organisation_id).values("id", "number", "title", "state", "due_at", "overdue", "created_at",
                                        "case_type")[:limit]
    return [QueueItem(**r) for r in rows]


def has_cases(case_type_key: str, *, source: str | None = None) -> bool:
    """Whether any case of a type (from a source, e.g. "demo") exists."""
    qs = Case.objects.filter(case_type=case_type_key)
    if source is not None:
        qs = qs.filter(source=source)
    return qs.exists()


def visible_case_ids(user, case_ids) -> set[int]:
    """Which of these cases the user may open (the case page's own rule, ``visible_cases``), so another module
    links a case only for those who can follow the link."""
    ids = [int(i) for i in case_ids if i is not None]
    if not ids or user is None or not getattr(user, "is_authenticated", False):
        return set()
    return set(visible_cases(user).filter(pk__in=ids).values_list("id", flat=True))
