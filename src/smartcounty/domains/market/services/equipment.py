"""Special equipment: register, record inspections, keep each piece's next due date, list and read."""

from datetime import date

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from smartcounty.domains.market import schedule
from smartcounty.domains.market.catalogue import DEFAULT_INTERVALS
from smartcounty.domains.market.models import Equipment, Inspection, Kind, KindRule, Reminder, Unit
from smartcounty.foundation.places import services as places
from smartcounty.kernel import audit, codes
from smartcounty.kernel.problems import ApiError
from smartcounty.kernel.rows import Rows

KIND_NAMES = dict(Kind.choices)
TASK_NAMES = dict(Inspection.Task.choices)
RESULT_NAMES = dict(Inspection.Result.choices)
REMINDER_NAMES = dict(Reminder.Kind.choices)
STATES = ("overdue", "due", "ok")
LIST_FIELDS = ("id", "kind", "registration_code", "name", "unit_id", "unit__uscc", "unit__name", "town_code",
               "address", "first_use", "status", "next_due", "next_task")


def today() -> date:
    return timezone.localdate()


def soon(on: date) -> date:
    """The last due date that is 'due within a month' on ``on``: reminders go out a month before."""
    return schedule.add_months(on, schedule.REMIND_MONTHS)


def state_of(next_due: date, on: date) -> str:
    if next_due < on:
        return "overdue"
    return "due" if next_due <= soon(on) else "ok"


# ---- the interval table ----------------------------------------------------------------------------

def ensure_kind_rules() -> int:
    made = 0
    for kind, (months, basis) in DEFAULT_INTERVALS.items():
        _r, created = KindRule.objects.get_or_create(kind=kind, defaults={"interval_months": months, "basis": basis})
        made += created
    return made


def interval_table() -> dict[str, int]:
    table = {k: m for k, (m, _b) in DEFAULT_INTERVALS.items()}
    table.update(dict(KindRule.objects.values_list("kind", "interval_months")))
    return table


def kind_rules() -> list[dict]:
    ensure_kind_rules()
    return [{"kind": r.kind, "kind_name": str(KIND_NAMES[r.kind]), "interval_months": r.interval_months,
             "basis": r.basis} for r in KindRule.objects.order_by("kind")]


def next_due(kind: str, first_use: date, last_inspection: date | None, last_self_test: date | None,
             table: dict[str, int] | None = None) -> schedule.Due:
    if kind == Kind.ELEVATOR:
        return schedule.elevator_next(first_use, last_inspection, last_self_test)
    months = (table or interval_table())[kind]
    return schedule.interval_next(first_use, last_inspection, months)


def _refresh(eq: Equipment, table=None) -> None:
    due = next_due(eq.kind, eq.first_use, eq.last_inspection, eq.last_self_test, table)
    eq.next_due, eq.next_task = due.on, due.task


def set_interval(kind: str, months: int, *, basis: str | None = None, actor=None) -> int:
    """Change a kind's interval and move every piece of that kind onto it. Returns how many moved."""
    if kind not in KIND_NAMES or kind == Kind.ELEVATOR:
        raise ApiError(422, "invalid", _("elevators follow TSG T7001-2023; choose another kind"), field="kind")
    if not 1 <= int(months) <= 120:
        raise ApiError(422, "invalid", _("an interval is 1 to 120 months"), field="interval_months")
    with transaction.atomic():
        ensure_kind_rules()
        rule = KindRule.objects.select_for_update().get(kind=kind)
        before = rule.interval_months
        rule.interval_months = int(months)
        if basis is not None:
            rule.basis = basis[:120]
        rule.save()
        table = interval_table()
        changes = []
        for eq in Equipment.objects.filter(kind=kind).only("id", "kind", "first_use", "last_inspection",
                                                           "last_self_test").iterator(chunk_size=5000):
            _refresh(eq, table)
            changes.append((eq.next_due, eq.next_task, eq.id))
        sql = (f"UPDATE {connection.ops.quote_name(Equipment._meta.db_table)} SET next_due = %s, next_task = %s "
               "WHERE id = %s")
        with connection.cursor() as cur:
            for i in range(0, len(changes), 5000):
                cur.executemany(sql, changes[i:i + 5000])
        moved = len(changes)
        audit.record("market.set_interval", actor=actor, obj=rule,
                     detail={"kind": kind, "from": before, "to": rule.interval_months, "moved": moved})
    return moved


# ---- units and equipment ---------------------------------------------------------------------------

def USCC_MESSAGE() -> str:  # noqa: N802
    return _("not a valid unified social credit code (GB 32100: 18 characters with a check character)")


def check_uscc(code: str, field: str = "unit_uscc") -> str:
    try:
        return codes.validate_uscc(code).code
    except codes.CodeError:
        raise ApiError(422, "invalid", USCC_MESSAGE(), field=field) from None


def _ensure_unit(uscc: str, name: str, *, town_code: str = "", contact_name: str = "", contact_phone: str = "") -> Unit:
    uscc = check_uscc(uscc)
    unit, created = Unit.objects.get_or_create(uscc=uscc, defaults={
        "name": name[:120], "town_code": town_code, "contact_name": contact_name[:40],
        "contact_phone": contact_phone[:20]})
    if not created and name and unit.name != name[:120]:
        unit.name = name[:120]
        unit.save(update_fields=["name"])
    return unit


def place_of(town_code: str = "", lon=None, lat=None) -> tuple[str, str]:
    """(town code, grid code) of a piece of equipment: located from its point, else the town given."""
    if lon is not None and lat is not None:
        where = places.locate(lon, lat)
        if where is not None:
            return where.town_code, where.grid_code or ""
    if town_code and places.town(town_code) is None:
        raise ApiError(422, "invalid", _("unknown town %(c)s") % {"c": town_code}, field="town_code")
    return town_code, ""


def create_equipment(*, kind: str, registration_code: str, name: str, unit_uscc: str, unit_name: str,
                     first_use: date, town_code: str = "", address: str = "", lon=None, lat=None,
                     last_inspection: date | None = None, last_self_test: date | None = None, actor=None) -> int:
    if kind not in KIND_NAMES:
        raise ApiError(422, "invalid", _("unknown kind of equipment"), field="kind")
    code = (registration_code or "").strip()
    if not code or len(code) > 24:
        raise ApiError(422, "invalid", _("a registration code of 1-24 characters is needed"),
                       field="registration_code")
    if first_use > today():
        raise ApiError(422, "invalid", _("the date of first use is in the future"), field="first_use")
    if Equipment.objects.filter(registration_code=code).exists():
        raise ApiError(409, "conflict", _("registration code %(c)s is taken") % {"c": code}, field="registration_code")
    town, grid = place_of(town_code, lon, lat)
    with transaction.atomic():
        unit = _ensure_unit(unit_uscc, unit_name, town_code=town)
        eq = Equipment(kind=kind, registration_code=code, name=name[:120], unit=unit, town_code=town, grid_code=grid,
                       address=address[:200], lon=lon, lat=lat, first_use=first_use,
                       last_inspection=last_inspection, last_self_test=last_self_test)
        _refresh(eq)
        eq.save()
        audit.record("market.equipment_create", actor=actor, obj=eq, detail={"code": code, "kind": kind})
    return eq.id


def record_inspection(equipment_id: int, *, task: str, done_on: date, result: str, body: str = "",
                      report_no: str = "", note: str = "", actor=None) -> dict:
    """Record an inspection or self-test; a passed one moves the schedule on. Returns the new due date."""
    if task not in TASK_NAMES:
        raise ApiError(422, "invalid", _("unknown task"), field="task")
    if result not in RESULT_NAMES:
        raise ApiError(422, "invalid", _("unknown result"), field="result")
    if done_on > today():
        raise ApiError(422, "invalid", _("the date is in the future"), field="done_on")
    with transaction.atomic():
        eq = Equipment.objects.select_for_update().filter(pk=equipment_id).first()
        if eq is None:
            raise ApiError(404, "not-found")
        if task == Inspection.Task.SELF_TEST and eq.kind != Kind.ELEVATOR:
            raise ApiError(422, "invalid", _("only elevators have self-tests in place of inspections"), field="task")
        if done_on < eq.first_use:
            raise ApiError(422, "invalid", _("the date is before first use"), field="done_on")
        row = Inspection.objects.create(equipment=eq, task=task, done_on=done_on, result=result, body=body[:120],
                                        report_no=report_no[:40], note=note[:200])
        if result != Inspection.Result.FAILED:
            field = "last_inspection" if task == Inspection.Task.INSPECTION else "last_self_test"
            if getattr(eq, field) is None or done_on > getattr(eq, field):
                setattr(eq, field, done_on)
        _refresh(eq)
        eq.save(update_fields=["last_inspection", "last_self_test", "next_due", "next_task"])
        audit.record("market.inspection", actor=actor, obj=eq,
                     detail={"task": task, "done_on": done_on.isoformat(), "result": result, "id": row.id})
    return {"id": row.id, "next_due": eq.next_due, "next_task": eq.next_task}


def link_sensor(equipment_id: int, thing_id: int) -> None:
    Equipment.objects.filter(pk=equipment_id).update(thing_id=thing_id)


# ---- reads ------------------------------------------------------------------------------------------

def _town_names() -> dict[str, str]:
    return {t.code: t.name for t in places.towns()}


def _row_maker(on: date, towns: dict[str, str]):
    def make(r: dict) -> dict:
        return {"id": r["id"], "kind": r["kind"], "kind_name": str(KIND_NAMES.get(r["kind"], r["kind"])),
                "registration_code": r["registration_code"], "name": r["name"], "unit_uscc": r["unit__uscc"],
                "unit_name": r["unit__name"], "town_code": r["town_code"],
                "town_name": towns.get(r["town_code"], ""), "address": r["address"], "first_use": r["first_use"],
                "status": r["status"], "next_due": r["next_due"], "next_task": r["next_task"],
                "next_task_name": str(TASK_NAMES.get(r["next_task"], "")),
                "state": state_of(r["next_due"], on) if r["status"] == Equipment.Status.IN_USE else "idle",
                "days": (r["next_due"] - on).days, "late_days": max(0, (on - r["next_due"]).days)}
    return make


def state_filter(state: str, on: date) -> Q:
    live = Q(status=Equipment.Status.IN_USE)
    if state == "overdue":
        return live & Q(next_due__lt=on)
    if state == "due":
        return live & Q(next_due__gte=on, next_due__lte=soon(on))
    if state == "ok":
        return live & Q(next_due__gt=soon(on))
    if state in ("", None):
        return Q()
    raise ApiError(422, "invalid", _("state is overdue, due or ok"), field="state")


def equipment_list(scope, *, state: str = "", kind: str = "", town_code: str = "", unit_uscc: str = "",
                   q: str = "", on: date | None = None) -> Rows:
    """Equipment by due date (most overdue first), as plain dicts; every filter has an index behind it."""
    if not scope.sees:
        raise ApiError(403, "forbidden")
    on = on or today()
    qs = Equipment.objects.filter(state_filter(state, on))
    if kind:
        if kind not in KIND_NAMES:
            raise ApiError(422, "invalid", _("unknown kind of equipment"), field="kind")
        qs = qs.filter(kind=kind)
    if town_code:
        qs = qs.filter(town_code=town_code)
    if unit_uscc:
        qs = qs.filter(unit__uscc=unit_uscc.strip().upper())
    if q:
        q = q.strip()[:40]
        qs = qs.filter(Q(registration_code=q) | Q(unit__name__contains=q) | Q(name__contains=q))
    return Rows(qs.order_by("next_due", "id"), _row_maker(on, _town_names()), fields=LIST_FIELDS)


def unit_info(scope, uscc: str) -> dict | None:
    if not scope.sees:
        raise ApiError(403, "forbidden")
    u = Unit.objects.filter(uscc=(uscc or "").strip().upper()).first()
    if u is None:
        return None
    return {"uscc": u.uscc, "name": u.name, "town_code": u.town_code, "town_name": _town_names().get(u.town_code, ""),
            "contact_name": u.contact_name, "overdue_count": u.overdue_count}


def equipment_detail(scope, equipment_id: int, *, on: date | None = None) -> dict | None:
    if not scope.sees:
        raise ApiError(403, "forbidden")
    on = on or today()
    r = Equipment.objects.filter(pk=equipment_id).values(*LIST_FIELDS, "grid_code", "lon", "lat", "last_inspection",
                                                         "last_self_test", "thing_id").first()
    if r is None:
        return None
    out = _row_maker(on, _town_names())(r)
    out.update(grid_code=r["grid_code"], lon=r["lon"], lat=r["lat"], last_inspection=r["last_inspection"],
               last_self_test=r["last_self_test"], has_sensor=r["thing_id"] is not None)
    out["history"] = [{"task": i.task, "task_name": str(TASK_NAMES[i.task]), "done_on": i.done_on,
                       "result": i.result, "result_name": str(RESULT_NAMES[i.result]), "body": i.body,
                       "report_no": i.report_no, "note": i.note}
                      for i in Inspection.objects.filter(equipment_id=equipment_id).order_by("-done_on", "-id")[:100]]
    if r["kind"] == Kind.ELEVATOR:
        out["plan"] = [{"year": d.year, "on": d.on, "task": d.task, "task_name": str(TASK_NAMES[d.task])}
                       for d in schedule.elevator_plan(r["first_use"], 20)]
    else:
        out["plan"] = []
    out["reminders"] = [{"due_on": d, "kind": k, "kind_name": str(REMINDER_NAMES[k]), "created_on": c}
                        for d, k, c in Reminder.objects.filter(equipment_id=equipment_id)
                        .order_by("-created_on", "-id").values_list("due_on", "kind", "created_on")[:20]]
    return out
