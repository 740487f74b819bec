"""Due and overdue equipment in bulk: one aggregate query for the counts, set-based INSERT ... SELECT for the
month-ahead reminders and overdue notices, and one alert per user unit with overdue equipment.

Every figure is computed by the database over the indexed ``next_due`` column; no row is read into Python."""

from datetime import date

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from smartcounty.domains.market.models import Equipment, Reminder, Unit
from smartcounty.domains.market.services.equipment import KIND_NAMES, soon, today
from smartcounty.domains.market.services.scope import bureau_id
from smartcounty.foundation.alerts import services as alerts
from smartcounty.kernel.problems import ApiError

SOURCE = "market"
OVERDUE_LEVEL = 3  # orange


def _counts(on: date) -> dict:
    return {"overdue": Count("id", filter=Q(next_due__lt=on)),
            "due": Count("id", filter=Q(next_due__gte=on, next_due__lte=soon(on))),
            "total": Count("id")}


def _by_kind(qs) -> dict[str, int]:
    return dict(qs.values("kind").annotate(n=Count("id")).values_list("kind", "n").order_by())


def due_summary(scope, *, on: date | None = None, by_kind: bool = False) -> dict:
    """{overdue, due, total} of equipment in use, and per kind when asked: three range counts per kind over
    the covering index (status, kind, next_due), so no row is read, only index entries in each range."""
    if not scope.sees:
        raise ApiError(403, "forbidden")
    on = on or today()
    live = Equipment.objects.filter(status=Equipment.Status.IN_USE)
    overdue = _by_kind(live.filter(next_due__lt=on))
    due = _by_kind(live.filter(next_due__gte=on, next_due__lte=soon(on)))
    total = _by_kind(live)
    out = {"overdue": sum(overdue.values()), "due": sum(due.values()), "total": sum(total.values())}
    if by_kind:
        out["kinds"] = [{"kind": k, "kind_name": str(KIND_NAMES.get(k, k)), "overdue": overdue.get(k, 0),
                         "due": due.get(k, 0), "total": n} for k, n in sorted(total.items())]
    return out


def unit_counts(scope, uscc: str, *, on: date | None = None) -> dict:
    if not scope.sees:
        raise ApiError(403, "forbidden")
    on = on or today()
    return dict(Equipment.objects.filter(status=Equipment.Status.IN_USE, unit__uscc=uscc).aggregate(**_counts(on)))


_NOTICE_SQL = """
INSERT INTO {reminder} (equipment_id, due_on, kind, created_on)
SELECT e.id, e.next_due, %s, %s FROM {equipment} e
WHERE e.status = %s AND e.next_due >= %s AND e.next_due <= %s
  AND NOT EXISTS (SELECT 1 FROM {reminder} r WHERE r.equipment_id = e.id AND r.due_on = e.next_due AND r.kind = %s)
"""


def send_notices(on: date) -> dict:
    """Record a reminder for every piece due within a month and an overdue notice for every piece past its
    date, once per due date (two set-based statements). Returns how many of each were made."""
    sql = _NOTICE_SQL.format(reminder=connection.ops.quote_name(Reminder._meta.db_table),
                             equipment=connection.ops.quote_name(Equipment._meta.db_table))
    made = {}
    with connection.cursor() as cur:
        cur.execute(sql, [Reminder.Kind.REMIND, on, Equipment.Status.IN_USE, on, soon(on), Reminder.Kind.REMIND])
        made["reminded"] = cur.rowcount
        cur.execute(sql, [Reminder.Kind.OVERDUE, on, Equipment.Status.IN_USE, date(1, 1, 1),
                          date.fromordinal(on.toordinal() - 1), Reminder.Kind.OVERDUE])
        made["overdue"] = cur.rowcount
    return made


def overdue_by_unit(on: date) -> dict[int, int]:
    return dict(Equipment.objects.filter(status=Equipment.Status.IN_USE, next_due__lt=on).values("unit_id")
                .annotate(n=Count("id")).values_list("unit_id", "n"))


def check_due(*, on: date | None = None) -> dict:
    """The daily check: notices in bulk, then one alert per user unit with overdue equipment (raised, its count
    kept up to date) and the alerts of units with none left resolved."""
    on = on or today()
    org = bureau_id()
    with transaction.atomic():
        made = send_notices(on)
        counts = overdue_by_unit(on)
        changed = (set(counts) | set(Unit.objects.filter(overdue_count__gt=0).values_list("id", flat=True)))
        units = {u.id: u for u in Unit.objects.filter(id__in=changed)}
        raised = resolved = 0
        for uid, unit in units.items():
            n = counts.get(uid, 0)
            key = f"overdue:{unit.uscc}"
            if n:
                alerts.raise_alert(source=SOURCE, key=key, level=OVERDUE_LEVEL, value=float(n),
                                   title=_("%(unit)s: %(n)s pieces of special equipment overdue for inspection")
                                   % {"unit": unit.name, "n": n}, property="equipment_overdue",
                                   town=unit.town_code or None, organisation_id=org,
                                   detail={"uscc": unit.uscc, "overdue": n})
                raised += 1
            else:
                current = alerts.find_open_alert(SOURCE, key)
                if current is not None:
                    alerts.resolve_alert(current.id, note="no equipment overdue")
                    resolved += 1
            if unit.overdue_count != n:
                unit.overdue_count = n
        Unit.objects.bulk_update(list(units.values()), ["overdue_count"])
    return {**made, "units_alerted": raised, "resolved": resolved}


def runner(stop) -> None:
    """Background service: the due check once at start and then every six hours."""
    import logging

    from django.db import close_old_connections

    log = logging.getLogger("smartcounty.market")
    while not stop.is_set():
        try:
            close_old_connections()
            check_due()
        except Exception:
            log.exception("market due check failed")
        stop.wait(6 * 3600)
