"""Alerts shapes other modules use: the rule-kind spec, the event payloads, the API schemas.

Events published by alerts (through ``smartcounty.kernel.events``), delivered after commit, each with
an ``AlertFact`` payload:

- ``alerts.raised``: a new alert (``event="raised"``).
- ``alerts.changed``: an open alert's level went up or down (``event="level"``) or staff acknowledged
  it (``event="acknowledged"``); ``previous_level`` is the level before.
- ``alerts.resolved``: the alert is closed, automatically (the condition cleared; ``actor_id`` None) or by
  staff (``event="resolved"``).

A module contributes a rule kind with ``reg.rule_kinds.register(code, RuleKind(...), module=label)``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, NamedTuple

from ninja import Schema
from pydantic import Field

from smartcounty.kernel.api import Id, InputSchema


class RuleParams(InputSchema):
    """Base of every kind's parameters. ``duration``: seconds of phenomenon time the condition must hold
    before an alert is raised (or its level raised); clearing is immediate, hysteresis prevents flapping."""

    duration: float = Field(0, ge=0, le=7 * 86400)


#: ``evaluate(params, memo, level, rule_level, time, value) -> target level``: ``memo`` is the kind's own
#: JSON-serialisable state (mutate it), ``level`` the level currently in force (0 = no alert), ``rule_level``
#: the rule's configured level, ``time`` epoch seconds, ``value`` the numeric result (None if not numeric).
#: Return 0 to clear, 1-4 for the level the condition asks for, None when the value says nothing.
Evaluator = Callable[[Any, dict, int, int, float, float | None], int | None]


@dataclass(frozen=True)
class RuleKind:
    code: str
    name_zh: str
    name_en: str
    params: type[RuleParams]
    #: For observation-driven kinds.
    evaluate: Evaluator | None = None
    #: For kinds driven by datastream health events: ``evaluate_health(params, memo, level, rule_level, online)``.
    evaluate_health: Callable[[Any, dict, int, int, bool], int | None] | None = None
    #: The kind computes the level itself (the rule's ``level`` is ignored).
    multi_level: bool = False
    description: str = ""

    def parse(self, params: dict) -> RuleParams:
        return self.params.model_validate(params or {})


class AlertFact(NamedTuple):
    """Payload of alerts.raised / alerts.changed / alerts.resolved."""

    event_id: int  # id of the history entry; also the live feed's event id
    alert_id: int
    event: str  # raised | level | acknowledged | resolved
    state: str  # raised | acknowledged | resolved
    level: int  # 1 blue, 2 yellow, 3 orange, 4 red
    previous_level: int | None
    rule_id: int | None
    source: str  # "rule" or the label of the module that raised it
    key: str
    title: str
    property: str
    thing_id: int | None
    datastream_id: int | None
    town: str | None
    grid: str | None
    organisation_id: int | None
    value: float | None
    at: datetime
    actor_id: int | None
    public: bool = False  # a public warning (portal), not only for staff

    def as_json(self) -> dict:
        data = self._asdict()
        data["at"] = self.at.isoformat()
        return data


class AlertOut(NamedTuple):
    """What ``services.raise_alert`` & co. return."""

    id: int
    state: str
    level: int
    created: bool


# ---- API shapes ------------------------------------------------------------------------------------

ScopeName = Literal["county", "town", "grid", "thing", "datastream"]


class RuleIn(InputSchema):
    name: str = Field(min_length=1, max_length=120)
    kind: str = Field(min_length=1, max_length=40)
    property: str = Field(min_length=1, max_length=60)
    scope: ScopeName = "county"
    area_code: str = Field("", max_length=14)
    thing_id: Id | None = None
    datastream_id: Id | None = None
    params: dict = Field(default_factory=dict)
    level: int = Field(2, ge=1, le=4)
    organisation_id: Id | None = None
    enabled: bool = True
    public: bool = False
    description: str = Field("", max_length=2000)


class RulePatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=120)
    params: dict | None = None
    level: int | None = Field(None, ge=1, le=4)
    enabled: bool | None = None
    public: bool | None = None
    description: str | None = Field(None, max_length=2000)


class RuleSchema(Schema):
    id: int
    name: str
    kind: str
    property: str
    scope: str
    area_code: str
    thing_id: int | None
    datastream_id: int | None
    params: dict
    level: int
    organisation_id: int | None
    enabled: bool
    public: bool
    description: str
    updated_at: datetime


class AlertSchema(Schema):
    id: int
    rule_id: int | None
    source: str
    title: str
    property: str
    thing_id: int | None
    datastream_id: int | None
    town: str
    grid: str
    organisation_id: int | None
    level: int
    state: str
    value: float | None
    raised_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None


class HistorySchema(Schema):
    id: int
    at: datetime
    kind: str
    from_state: str
    to_state: str
    from_level: int | None
    to_level: int | None
    value: float | None
    actor_id: int | None
    note: str


class AlertDetailSchema(AlertSchema):
    detail: dict
    history: list[HistorySchema]


class NoteIn(InputSchema):
    note: str = Field("", max_length=500)


class SubscriptionIn(InputSchema):
    name: str = Field(min_length=1, max_length=120)
    channel: Literal["webhook", "email"]
    target: str = Field(min_length=3, max_length=500)
    secret: str = Field("", max_length=128)
    organisation_id: Id | None = None
    min_level: int = Field(1, ge=1, le=4)
    events: list[Literal["alerts.raised", "alerts.changed", "alerts.resolved"]] = Field(default_factory=list)


class SubscriptionSchema(Schema):
    id: int
    name: str
    channel: str
    target: str
    organisation_id: int | None
    min_level: int
    events: list[str]
    active: bool


@dataclass(frozen=True)
class Reader:
    """What one user may see of alerts: every organisation's, or the county-wide ones and their own
    organisation's. ``services.reader(user)`` is the one rule alerts' pages, its API and the cockpit use."""

    organisation_id: int | None = None
    all_orgs: bool = False

    @property
    def key(self) -> str:
        return "all" if self.all_orgs else f"org:{self.organisation_id}"


#: Sees every alert (the county's own judges, background jobs).
EVERYONE = Reader(all_orgs=True)
