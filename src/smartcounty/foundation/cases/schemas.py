"""What other modules use from cases: the case-type spec they register, the API shapes, event payloads.

A module declares a case type in ``register()``::

    reg.case_types.register("citymgmt.case", CaseType(...), module="citymgmt")

States carry time limits (working hours or days, see ``workcalendar``) and say whose queue the
case sits in (``lane``); transitions say who may take them (``Who``: roles and the relation of the
user's organisation to the case) and which fields they need.

Events published by the cases module (payload: ``CaseFact`` as a dict):
``cases.created``, ``cases.transitioned``, ``cases.due_soon``, ``cases.overdue``, ``cases.closed``.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import translation
from ninja import Schema

from smartcounty.kernel.api import Id, InputSchema

# Relations of a user's organisation to a case:
#   queue       the organisation the case waits on now (the state's lane)
#   responsible the department the case is assigned to
#   owner       the case type's owning organisation (e.g. the command centre)
#   supervisor  the supervising organisation (escalations go there)
#   reporter    the user who reported the case (any organisation)
#   any         any organisation
RELATIONS = ("queue", "responsible", "owner", "supervisor", "reporter", "any")
LANES = ("owner", "responsible", "reporter", "supervisor", "none")
#: Kinds of the data fields a case type declares (``DataField.kind``).
FIELD_KINDS = ("text", "url", "int", "number", "bool", "choice")
#: Longest description of a case, in characters (a report is a few sentences, not a document).
MAX_DESCRIPTION = 5000
#: Characters of the description that lists show (``CaseSummaryOut``); the case itself has the whole text.
SUMMARY_CHARS = 200
#: Largest ``data`` a caller may send with a case or a step, as compact JSON (bytes).
MAX_DATA_BYTES = 16 * 1024


@dataclass(frozen=True)
class Limit:
    amount: float
    unit: str = "hours"  # "hours" or "days" (working), or "natural_days" (calendar days, weekends included)


@dataclass(frozen=True)
class State:
    key: str
    title: Any
    lane: str = "owner"
    limit: Limit | None = None
    #: The clock stops here (e.g. waiting for the reporter); leaving back to the previous state resumes it.
    pauses_clock: bool = False
    final: bool = False
    #: Roles that act in this state (a workflow definition's ``roles``; informative for the workbench).
    roles: tuple[str, ...] = ()
    #: Parallel branches (并联审批) opened on entering the state; all done, the case moves to ``join``.
    branches: tuple["Branch", ...] = ()
    join: str = ""


@dataclass(frozen=True)
class Who:
    roles: tuple[str, ...]
    relation: str = "queue"
    #: Codes of the organisations whose members may act (empty: any organisation the relation allows).
    organisations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Branch:
    """One department's part of a parallel step: it is done when one of ``who`` takes its step."""

    key: str
    title: Any
    who: tuple[Who, ...]
    limit: Limit | None = None


@dataclass(frozen=True)
class DataField:
    """A key of ``data`` that a filer may give when filing a case of the type (see ``CaseType.fields``)."""

    kind: str = "text"
    #: Longest text (kinds text and url).
    max_length: int = 200
    #: Allowed values (kind choice).
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Transition:
    key: str
    title: Any
    source: tuple[str, ...]
    target: str
    who: tuple[Who, ...]
    #: Keys of ``data`` that must be present and non-empty.
    required: tuple[str, ...] = ()
    #: Sends the case back for rework (counted in the rework rate).
    rework: bool = False
    #: Reopens a closed case (only within the case type's reopen period; counted as rework).
    reopen: bool = False
    #: Assigns the responsible department: ``data["organisation_id"]`` or the assignment rules.
    assign: bool = False
    #: Records the reporter's evaluation ``data["rating"]`` (1-5).
    rate: bool = False
    #: The case is closed on reaching the target (closure time, on-time flag, handling time).
    closes: bool = False
    #: Shown to residents as a public update of their report.
    public: bool = True
    #: A condition on the case's data that must hold (see ``workflow.guards``); None: always.
    guard: Any = None
    #: Taken by the system this long after the case entered the source state (if the guard holds).
    timer: Limit | None = None
    #: The branch of the source state this step completes (parallel states, see ``State.branches``).
    branch: str = ""


@dataclass(frozen=True)
class CaseType:
    key: str
    title: Any
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    initial: str
    #: category code -> title; a case's category must be one of these (empty: free).
    categories: dict[str, Any] = field(default_factory=dict)
    #: category code -> {state key -> Limit}: limits that override the state's own for that category.
    category_limits: dict[str, dict[str, Limit]] = field(default_factory=dict)
    #: Days after closing during which the reporter may reopen.
    reopen_days: int = 7
    #: Fraction of a state's limit after which a reminder is sent.
    remind_at: float = 0.8
    #: Prefix of case numbers.
    prefix: str = "AJ"
    #: Roles that may file a case of this type through the cases API ("*": anyone signed in, residents
    #: included); platform admins always may. Types filed through their own module's checks (e.g. a grid
    #: worker's grids) leave those roles out.
    filed_by: tuple[str, ...] = ("staff", "org_admin")
    #: The ``data`` keys a filer may give, with their kinds; any other key is refused.
    fields: dict[str, DataField] = field(default_factory=dict)
    #: Named form documents (``forms``): ``apply`` is the filing form, one named after a step is asked for it.
    forms: dict = field(default_factory=dict)
    #: The legal time limit of the whole case; time in states that pause the clock does not count.
    legal_limit: Limit | None = None
    #: category code -> Limit: a legal limit that overrides ``legal_limit`` for that category (a mapping; a
    #: module may pass one backed by its own table, e.g. each service item's promised time limit).
    category_legal_limits: Mapping[str, Limit] = field(default_factory=dict)
    #: (on, to, message) triples: ``on`` is a state key or ``step:<key>``; ``to`` a lane (reporter, owner, ...).
    notifications: tuple = ()
    #: The workflow version this type was compiled from (None: declared in code).
    version_id: int | None = None

    def state(self, key: str) -> State:
        for s in self.states:
            if s.key == key:
                return s
        raise KeyError(key)

    def transition(self, key: str) -> Transition:
        for t in self.transitions:
            if t.key == key:
                return t
        raise KeyError(key)

    def limit_for(self, state: str, category: str = "") -> Limit | None:
        override = self.category_limits.get(category, {}).get(state)
        return override or self.state(state).limit

    def legal_limit_for(self, category: str = "") -> Limit | None:
        return self.category_legal_limits.get(category) or self.legal_limit

    def validate(self) -> None:
        keys = {s.key for s in self.states}
        if self.initial not in keys:
            raise ValueError(f"{self.key}: initial state {self.initial!r} is not a state")
        for s in self.states:
            if s.lane not in LANES:
                raise ValueError(f"{self.key}: state {s.key} has unknown lane {s.lane!r}")
        for t in self.transitions:
            if t.target not in keys or any(s not in keys for s in t.source):
                raise ValueError(f"{self.key}: transition {t.key} names an unknown state")
            if any(w.relation not in RELATIONS for w in t.who):
                raise ValueError(f"{self.key}: transition {t.key} names an unknown relation")
        for name, f in self.fields.items():
            if f.kind not in FIELD_KINDS or (f.kind == "choice") != bool(f.choices):
                raise ValueError(f"{self.key}: data field {name} has kind {f.kind!r} and choices {f.choices!r}")


# ----- workflow definition documents made into case types (see ``cases.workflow``) -----

UNIT = {"hours": "hours", "working_days": "days", "natural_days": "natural_days"}


@dataclass(frozen=True)
class Title:
    """A title in Chinese with an optional English one, shown in the active language."""

    zh: str
    en: str = ""

    def __str__(self):
        lang = (translation.get_language() or "zh-hans").lower()
        return self.en if self.en and lang.startswith("en") else self.zh


def title(spec: dict) -> Title:
    return Title(spec["title"].strip(), (spec.get("title_en") or "").strip())


def limit(spec) -> Limit | None:
    if spec is None:
        return None
    return Limit(float(spec["amount"]), UNIT[spec.get("unit", "working_days")])


def who(spec: dict, default_relation: str) -> tuple[Who, ...]:
    from smartcounty.foundation.cases.workflow.document import as_list, whos

    return tuple(Who(tuple(as_list(w.get("roles"))), w.get("relation", default_relation),
                     tuple(str(o) for o in as_list(w.get("organisations")))) for w in whos(spec, default_relation))


def compile_document(doc: dict, *, version_id: int | None = None, check: bool = True) -> CaseType:
    from smartcounty.foundation.cases.workflow.document import as_list
    from smartcounty.foundation.cases.workflow.document import check as check_doc
    from smartcounty.foundation.cases.workflow.problems import DefinitionInvalid

    if check:
        problems = check_doc(doc)
        if problems:
            raise DefinitionInvalid(problems)
    terminal = {s["key"] for s in doc["states"] if s.get("terminal")}
    joins = {s["join_of"]: s["key"] for s in doc["states"] if s.get("join_of")}
    states = tuple(State(
        s["key"], title(s), lane=s.get("lane", "owner"), limit=limit(s.get("limit")),
        pauses_clock=not s.get("counts", True), final=bool(s.get("terminal")), roles=tuple(as_list(s.get("roles"))),
        branches=tuple(Branch(b["key"], title(b), who(b, "any"), limit(b.get("limit")))
                       for b in as_list(s.get("branches"))),
        join=joins.get(s["key"], "")) for s in doc["states"])
    transitions = [Transition(
        t["key"], title(t), tuple(as_list(t["from"])), t["to"], who(t, "queue"),
        required=tuple(as_list(t.get("required"))), rework=t.get("rework", False), reopen=t.get("reopen", False),
        assign=t.get("assign", False), rate=t.get("rate", False), closes=t.get("closes", t["to"] in terminal),
        public=t.get("public", True), guard=t.get("guard"), timer=limit(t.get("timer")))
        for t in doc["transitions"]]
    for s in states:  # one step per branch, taken in the parallel state by that branch's departments
        for b in s.branches:
            transitions.append(Transition(f"{s.key}__{b.key}", b.title, (s.key,), s.key, b.who, branch=b.key))
    fields = {name: DataField(f.get("kind", "text"), f.get("max_length", 200), tuple(f.get("choices", ())))
              for name, f in (doc.get("fields") or {}).items()}
    start = next(s["key"] for s in doc["states"] if s.get("start"))
    notes = tuple((n["on"], n["to"], n["message"]) for n in as_list(doc.get("notifications")))
    return CaseType(
        key=doc["key"], title=title(doc), states=states, transitions=tuple(transitions), initial=start,
        categories={str(k): v for k, v in (doc.get("categories") or {}).items()},
        reopen_days=int(doc.get("reopen_days", 7)), remind_at=float(doc.get("remind_at", 0.8)),
        prefix=doc.get("prefix", "LC"), filed_by=tuple(as_list(doc.get("filed_by", ["*"]))), fields=fields,
        forms=dict(doc.get("forms") or {}), legal_limit=limit(doc.get("legal_limit")), notifications=notes,
        version_id=version_id)


def workflow_case_type(path, **overrides) -> CaseType:
    """The case type of a workflow definition file (YAML or JSON, see ``cases.workflow``), with ``overrides`` of
    its fields (e.g. categories kept in a module's tables). Importable before the apps are ready: the file is
    read, not checked; check it with ``cases.services.check_workflow_file`` in tests or ``ready()``."""
    from dataclasses import replace
    from pathlib import Path

    from smartcounty.foundation.cases.workflow.document import parse

    ct = compile_document(parse(Path(path).read_text(encoding="utf-8")), check=False)
    return replace(ct, **overrides) if overrides else ct


# ----- API shapes -----

class CaseEventOut(Schema):
    id: int
    at: datetime
    action: str
    from_state: str
    to_state: str
    actor: str
    organisation_id: int | None
    note: str
    public: bool


class CaseOut(Schema):
    id: int
    number: str
    case_type: str
    category: str
    title: str
    description: str
    state: str
    source: str
    organisation_id: int | None
    queue_organisation_id: int | None
    supervisor_organisation_id: int | None
    town_code: str
    grid_code: str
    lon: float | None
    lat: float | None
    address: str
    created_at: datetime
    due_at: datetime | None
    paused: bool
    overdue: bool
    closed_at: datetime | None
    reopen_count: int
    rework_count: int
    rating: int | None
    duplicate_of_id: int | None


class CaseSummaryOut(CaseOut):
    """A case in a list: the description cut to ``SUMMARY_CHARS`` (the case's own page has all of it)."""

    @staticmethod
    def resolve_description(obj) -> str:
        text = getattr(obj, "description_summary", None)
        if text is None:
            text = obj.description if not isinstance(obj, dict) else obj.get("description", "")
        return text if len(text) <= SUMMARY_CHARS else text[:SUMMARY_CHARS] + "…"


class CaseDetailOut(CaseOut):
    data: dict
    events: list[CaseEventOut]
    transitions: list[str]


class CaseIn(InputSchema):
    case_type: str
    category: str = ""
    title: str
    description: str = ""
    lon: float | None = None
    lat: float | None = None
    grid_code: str = ""
    address: str = ""
    data: dict = {}


class TransitionIn(InputSchema):
    note: str = ""
    data: dict = {}


class CommentIn(InputSchema):
    note: str
    public: bool = False


class StatRow(Schema):
    key: str
    total: int
    closed: int
    on_time: int
    reworked: int
    closure_rate: float | None
    on_time_rate: float | None
    rework_rate: float | None
    avg_handling_hours: float | None


class CaseFact(Schema):
    """Payload of the cases.* events."""

    id: int
    number: str
    case_type: str
    category: str
    state: str
    organisation_id: int | None
    queue_organisation_id: int | None
    grid_code: str
    due_at: datetime | None


# ----- the workbench (``workbench``) -----

class WorkbenchStepOut(Schema):
    key: str
    title: str
    #: May be taken on many cases at once (it asks for nothing but a note).
    bulk: bool


class WorkbenchRowOut(Schema):
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
    steps: list[WorkbenchStepOut]


class WorkbenchPageOut(Schema):
    items: list[WorkbenchRowOut]
    count: int


class BulkIn(InputSchema):
    ids: list[Id]
    step: str
    note: str = ""


class BulkFailureOut(Schema):
    id: int
    code: str
    message: str


class BulkOut(Schema):
    done: list[int]
    failed: list[BulkFailureOut]
