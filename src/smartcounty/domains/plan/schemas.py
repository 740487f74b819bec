"""What the plan services hand out (dataclasses) and what its API accepts."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import Field

from smartcounty.kernel.api import Id, InputSchema


@dataclass(frozen=True)
class Reader:
    """Who is asking (the module's one scoping rule, ``services.reader``): ``sees`` the plan at all,
    ``manages`` it (the leading group's office), and the organisation they report for."""

    user_id: int | None
    organisation_id: int | None
    sees: bool
    manages: bool
    reports_for_all: bool = False

    def may_report(self, organisation_id: int) -> bool:
        return self.sees and (self.reports_for_all or organisation_id == self.organisation_id)


@dataclass(frozen=True)
class UnitOut:
    organisation_id: int
    code: str
    name: str
    role: str


@dataclass
class ActionOut:
    number: int
    title: str
    section: str
    section_name: str
    lead: list[UnitOut]
    responsible: list[UnitOut]
    light: str
    red: int = 0
    yellow: int = 0
    green: int = 0
    tasks: int = 0
    done: int = 0


@dataclass(frozen=True)
class TaskOut:
    id: int
    action: int
    action_title: str
    year: int
    title: str
    target: str
    deadline: date
    owner_organisation_id: int
    owner_name: str
    owner_user_id: int | None
    state: str
    state_label: str
    progress: int
    completed_on: date | None
    on_time: bool | None
    score: int | None
    evaluation: str
    light: str


@dataclass(frozen=True)
class ReportOut:
    id: int
    task_id: int
    kind: str
    kind_label: str
    progress: int
    text: str
    author_id: int | None
    at: datetime


@dataclass(frozen=True)
class ReminderOut:
    id: int
    task_id: int
    task_title: str
    kind: str
    kind_label: str
    deadline: date
    organisation_id: int
    on: date


@dataclass
class KpiOut:
    key: str
    name: str
    unit: str
    target: float | None
    value: float | None
    numerator: float | None
    denominator: float | None
    at: datetime | None
    met: bool | None
    actions: tuple[int, ...]
    query: str
    module: str
    error: str = ""
    detail: dict = field(default_factory=dict)
    trend: list[tuple[str, float | None]] = field(default_factory=list)


@dataclass(frozen=True)
class SpendingOut:
    id: int
    on: date
    amount: Decimal
    note: str


@dataclass(frozen=True)
class ProjectOut:
    id: int
    code: str
    name: str
    owner_organisation_id: int
    owner_name: str
    stage: str
    stage_label: str
    budget: Decimal
    spent: Decimal
    spent_share: float | None
    over_budget: bool
    actions: tuple[int, ...]
    approved_on: date
    building_on: date | None
    accepted_on: date | None
    operating_on: date | None
    summary: str


# ----- API input -----

class TaskIn(InputSchema):
    action: int = Field(ge=1, le=30)
    year: int = Field(ge=2021, le=2100)
    title: str = Field(min_length=1, max_length=200)
    target: str = Field("", max_length=2000)
    deadline: date
    owner_organisation_id: Id
    owner_user_id: Id | None = None


class ProgressIn(InputSchema):
    progress: int = Field(ge=0, le=99)
    text: str = Field(min_length=1, max_length=4000)


class CompletionIn(InputSchema):
    text: str = Field(min_length=1, max_length=4000)
    completed_on: date | None = None


class EvaluationIn(InputSchema):
    accept: bool
    score: int | None = Field(None, ge=0, le=100)
    text: str = Field("", max_length=4000)


class ProjectIn(InputSchema):
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=120)
    owner_organisation_id: Id
    actions: list[Annotated[int, Field(ge=1, le=30)]] = Field(min_length=1, max_length=30)  # the plan's 30 actions
    budget: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    approved_on: date
    summary: str = Field("", max_length=4000)


class StageIn(InputSchema):
    stage: str
    on: date | None = None


class SpendingIn(InputSchema):
    on: date
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    note: str = Field("", max_length=200)
