"""Live drought watch (干旱监测) from the county's rain gauges (through sensing and alerts only).

The county's rain of the last 30 days is the mean over its rain gauges of each gauge's total; a gauge
counts only when its data covers at least ``MIN_COVERED_DAYS`` of the 30 days (a day is covered when
the gauge reported anything that Beijing day, zeros included), so a gauge that is new or was down is
not read as a drought. The normal for the same 30 days is the sum, day by day, of the monthly normal
divided by the month's days. The grade is ``levels.drought_watch`` (precipitation anomaly percentage,
GB/T 20481 monthly scale).

Monthly normals: ``settings.SMARTCOUNTY_RAIN_NORMALS_MM`` (12 numbers, January first) when set;
otherwise ``DEFAULT_NORMALS_MM``, an approximation of the 1991–2020 normals of the Liaocheng area
(annual about 560 mm, most of it in July and August) to be replaced with the county meteorological
bureau's own normals. The page says which is used.

``assess_drought`` raises the county's drought alert (source ``water``, key ``drought:371525``) at a
light drought or worse (alert level = grade, 1–4), upgrades/downgrades it, and resolves it when the grade
returns to no drought; it runs at most once an hour from the rainfall observations.
"""

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from operator import itemgetter

from django.conf import settings
from django.utils.translation import gettext as _

from smartcounty.domains.water.levels import NO_DROUGHT, DroughtWatch, drought_watch
from smartcounty.foundation.alerts import services as alerts
from smartcounty.foundation.sensing import services as sensing
from smartcounty.foundation.sensing.schemas import MS

COUNTY = "371525"
SOURCE = "water"
KEY = f"drought:{COUNTY}"
RAIN_PROPERTY = "rainfall"
WINDOW_DAYS = 30
MIN_COVERED_DAYS = 27
MAX_GAUGES = 200
DAY_MS = 86_400_000
HOUR_MS = 3_600_000
#: January..December, mm (approximate Liaocheng-area normals; see the module docstring)
DEFAULT_NORMALS_MM = (4.5, 8.0, 12.5, 27.0, 45.0, 72.0, 160.0, 130.0, 52.0, 28.0, 16.0, 6.0)

_last_hour: dict[str, int] = {}


def normals() -> tuple[tuple[float, ...], bool]:
    """(monthly normals, configured?)."""
    value = getattr(settings, "SMARTCOUNTY_RAIN_NORMALS_MM", None)
    if value and len(value) == 12 and all(float(v) > 0 for v in value):
        return tuple(float(v) for v in value), True
    return DEFAULT_NORMALS_MM, False


def normal_for(start: datetime, days: int = WINDOW_DAYS, monthly=None) -> float:
    """Normal rain (mm) of the ``days`` Beijing days starting on ``start``'s Beijing date."""
    monthly = monthly or normals()[0]
    day = (start + timedelta(hours=8)).date()
    total = 0.0
    for _i in range(days):
        total += monthly[day.month - 1] / calendar.monthrange(day.year, day.month)[1]
        day += timedelta(days=1)
    return total


@dataclass(frozen=True)
class DroughtStatus:
    watch: DroughtWatch | None
    gauges: int  # gauges with enough data
    gauges_short: int  # gauges without enough data
    start: datetime
    end: datetime
    configured_normals: bool
    #: days of the window each gauge covered (every gauge read, enough data or not)
    covered_days: tuple[int, ...] = ()


def status(now: datetime | None = None) -> DroughtStatus:
    """The county's drought watch for the 30 Beijing days ending with the current one's start."""
    now = now or datetime.now(UTC)
    end_ms = sensing.bucket_start(sensing.to_ms(now), "1day")  # today's Beijing midnight: whole days only
    start_ms = end_ms - WINDOW_DAYS * DAY_MS
    totals, short, covered = [], 0, []
    gauges = [(ds.id, ds.last_ms) for ds in sensing.latest_values(property_code=RAIN_PROPERTY, reported=True)[:MAX_GAUGES]]
    for ds_id, last_ms in gauges:
        if last_ms < start_ms:
            short += 1
            covered.append(0)
            continue
        days = sensing.aggregate(ds_id, start_ms, end_ms, "1day")
        covered.append(len(days))
        if len(days) < MIN_COVERED_DAYS:
            short += 1
            continue
        totals.append(sum(d["mean"] * d["count"] for d in days))
    monthly, configured = normals()
    start, end = sensing.from_ms(start_ms), sensing.from_ms(end_ms)
    watch = None
    if totals:
        watch = drought_watch(max(0.0, sum(totals) / len(totals)), normal_for(start, WINDOW_DAYS, monthly))
    return DroughtStatus(watch, len(totals), short, start, end, configured, tuple(covered))


def assess_drought(now: datetime | None = None) -> DroughtStatus:
    """Bring the county's drought alert in line with the current status."""
    now = now or datetime.now(UTC)
    result = status(now)
    current = alerts.find_open_alert(SOURCE, KEY)
    watch = result.watch
    if watch is not None and watch.grade > NO_DROUGHT:
        title = _("Guan County: %(grade)s (30-day rain %(actual).1f mm, %(pa).0f %% against normal)") % {
            "grade": watch.name, "actual": watch.actual_mm, "pa": watch.anomaly_percent}
        alerts.raise_alert(source=SOURCE, key=KEY, title=title, level=watch.grade, property=RAIN_PROPERTY,
                           value=round(watch.anomaly_percent, 1), at=now, public=True,
                           detail={"actual_mm": round(watch.actual_mm, 1), "normal_mm": round(watch.normal_mm, 1),
                                   "gauges": result.gauges, "configured_normals": result.configured_normals})
    elif watch is not None and current is not None:
        alerts.resolve_alert(current.id, note="no drought", at=now, value=round(watch.anomaly_percent, 1))
    return result


def on_rain(batch) -> None:
    """From the rainfall observations of an ``ObservationBatch``: assess once per hour of the newest observation."""
    rows = batch.select(RAIN_PROPERTY)
    if not rows:
        return
    newest = max(map(itemgetter(MS), rows))
    hour = newest // HOUR_MS
    if _last_hour.get(COUNTY) == hour:
        return
    _last_hour[COUNTY] = hour
    assess_drought(sensing.from_ms(newest))
