from dataclasses import dataclass
from datetime import datetime

import pytest
from django.contrib.auth import get_user_model

from smartcounty.foundation.cases import services
from smartcounty.foundation.cases.schemas import CaseType, DataField, Limit, State, Transition, Who
from smartcounty.foundation.cases.workcalendar import BEIJING
from smartcounty.kernel import registry

STAFF = ("staff", "org_admin")
TEST_TYPE = CaseType(
    key="cases.test",
    title="test case",
    initial="new",
    categories={"road": "road", "light": "light"},
    category_limits={"light": {"dispatched": Limit(1, "days")}},
    reopen_days=7,
    prefix="TC",
    filed_by=("*",),
    fields={"severity": DataField("choice", choices=("low", "high")), "photo_url": DataField("url"),
            "count": DataField("int")},
    states=(
        State("new", "new", lane="owner", limit=Limit(1, "hours")),
        State("dispatched", "dispatched", lane="responsible", limit=Limit(2, "days")),
        State("waiting", "waiting for reporter", lane="reporter", pauses_clock=True),
        State("handled", "handled", lane="owner", limit=Limit(4, "hours")),
        State("closed", "closed", lane="none"),
        State("evaluated", "evaluated", lane="none", final=True),
    ),
    transitions=(
        Transition("register", "register", ("new",), "dispatched", (Who(STAFF, "owner"),), assign=True),
        Transition("ask", "ask reporter", ("dispatched",), "waiting", (Who(STAFF, "responsible"),), required=("note",)),
        Transition("reply", "reporter replies", ("waiting",), "dispatched", (Who(("*",), "reporter"),)),
        Transition("handle", "handle", ("dispatched",), "handled", (Who(STAFF, "responsible"),), required=("result",)),
        Transition("reject", "send back", ("handled",), "dispatched", (Who(STAFF, "owner"),), rework=True),
        Transition("close", "close", ("handled",), "closed", (Who(STAFF, "owner"),), closes=True),
        Transition("reopen", "reopen", ("closed",), "dispatched", (Who(("*",), "reporter"),), reopen=True,
                   required=("note",)),
        Transition("evaluate", "evaluate", ("closed",), "evaluated", (Who(("*",), "reporter"),), rate=True),
    ),
)
TEST_TYPE.validate()
registry.case_types.register(TEST_TYPE.key, TEST_TYPE, module="cases")


def bj(*args) -> datetime:
    return datetime(*args, tzinfo=BEIJING)


@dataclass
class World:
    centre: object
    dept: object
    other: object
    sup: object
    admin: object
    centre_staff: object
    dept_staff: object
    other_staff: object
    sup_staff: object
    resident: object
    stranger: object


def Organisation():
    # Users may be referred to directly (settings.AUTH_USER_MODEL); the organisation model is reached
    # through the user's foreign key rather than imported from accounts.
    return get_user_model()._meta.get_field("organisation").related_model


def make_org(code, name):
    return Organisation().objects.create(code=code, name=name)


def make_user(username, role, org=None):
    return get_user_model().objects.create_user(username=username, password="Guanxian-2026!", role=role,
                                                organisation=org, kind="resident" if role == "resident" else "staff")


@pytest.fixture
def world(db):
    centre = make_org("test-centre", "测试指挥中心")
    dept = make_org("test-dept", "测试部门")
    other = make_org("test-other", "其他部门")
    sup = make_org("test-sup", "测试督办")
    services.configure_case_type("cases.test", owner_organisation_id=centre.pk, supervisor_organisation_id=sup.pk)
    services.set_assignment_rule("cases.test", "category", "road", dept.pk)
    services.set_assignment_rule("cases.test", "category", "light", dept.pk)
    return World(centre, dept, other, sup,
                 make_user("admin", "platform_admin"), make_user("centre", "staff", centre),
                 make_user("dept", "staff", dept), make_user("other", "staff", other),
                 make_user("sup", "staff", sup), make_user("resident", "resident"),
                 make_user("stranger", "resident"))


@pytest.fixture(autouse=True)
def _forget_workflows():
    """Published definitions are compiled per process; the database is rolled back after each test."""
    from smartcounty.foundation.cases.workflow import store

    store.forget()
    yield
    store.forget()
