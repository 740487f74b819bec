"""Live air-quality forecasts: train, backtest and store each station's 72-hour AQI forecast.

History comes only through ``smartcounty.foundation.sensing.services``: the station's derived ``aqi``
datastream (hourly, stored by ``live``) and the hourly means of the nearest station's ``wind_speed``,
``humidity`` and ``temperature``. The origin of a run is the station's last stored AQI hour; a run is
stored once per (station, origin): retraining on the same data replaces the run's values with the
same numbers (idempotent). Runs older than ``KEEP_DAYS`` are pruned.

The retraining schedule is the background service ``environment.forecast`` (every
``SMARTCOUNTY_FORECAST_EVERY_S`` seconds, default 3600) and the command ``smartcounty environment_forecast``.
"""

import logging
import math
import os
from dataclasses import dataclass
from datetime import UTC, timedelta

from django.db import close_old_connections, transaction
from django.db.models import F
from django.utils import timezone

from smartcounty.domains.environment import forecast as model
from smartcounty.domains.environment.models import ForecastRun, ForecastValue
from smartcounty.foundation.sensing import services as sensing

log = logging.getLogger("smartcounty.environment")

HOUR_MS = 3_600_000
AQI_PROPERTY = "aqi"
HISTORY_DAYS = 45
BACKTEST_DAYS = 7
KEEP_DAYS = 7
#: a run is used by the heavy-pollution assessment when its origin is at most this old
FRESH_HOURS = 24
#: hours of missing station AQI the scheduled run computes from stored history before retraining
CATCH_UP_HOURS = 48


def _hour_of_day(ms: int) -> int:
    return (ms + sensing.SHANGHAI_OFFSET_MS) // HOUR_MS % 24


def hourly_series(datastream_id: int, start_ms: int, end_ms: int) -> list[float | None]:
    """Hourly means of one datastream on the clock [start, end) (None where an hour has no data)."""
    n = (end_ms - start_ms) // HOUR_MS
    out: list[float | None] = [None] * n
    for row in sensing.aggregate(datastream_id, start_ms, end_ms, "1h"):
        i = (sensing.to_ms(row["start"]) - start_ms) // HOUR_MS
        if 0 <= i < n:
            out[i] = row["mean"]
    return out


def nearest_datastream(code: str, lon: float | None, lat: float | None):
    """The datastream of property ``code`` nearest to (lon, lat) (any one when the point is unknown)."""
    candidates = list(sensing.latest_values(property_code=code, located=True))
    if not candidates:
        return None
    if lon is None or lat is None:
        return candidates[0]
    k = math.cos(math.radians(lat))
    return min(candidates, key=lambda d: ((d.lon - lon) * k) ** 2 + (d.lat - lat) ** 2)


@dataclass(frozen=True)
class StationData:
    aqi: list
    hours: list
    weather: dict
    start_ms: int
    origin_ms: int


def station_data(aqi_ds, days: int = HISTORY_DAYS) -> StationData | None:
    """The station's hourly AQI and weather up to its last stored AQI hour."""
    if aqi_ds.last_ms is None:
        return None
    origin = aqi_ds.last_ms // HOUR_MS * HOUR_MS
    end = origin + HOUR_MS
    start = end - days * 24 * HOUR_MS
    aqi = hourly_series(aqi_ds.id, start, end)
    weather = {}
    for code in model.WEATHER:
        ds = nearest_datastream(code, aqi_ds.lon, aqi_ds.lat)
        if ds is not None:
            weather[code] = hourly_series(ds.id, start, end)
    hours = [_hour_of_day(start + i * HOUR_MS) for i in range(len(aqi))]
    return StationData(aqi, hours, weather, start, origin)


def forecast_station(aqi_ds, *, backtest_days: int = BACKTEST_DAYS) -> ForecastRun | None:
    """Train, backtest and store one station's forecast from its last AQI hour (None: no usable AQI)."""
    data = station_data(aqi_ds)
    if data is None:
        return None
    result = model.forecast(data.aqi, data.hours, data.weather)
    if result is None:
        return None
    skill = model.backtest(data.aqi, data.hours, data.weather, days=backtest_days)
    issued = sensing.from_ms(data.origin_ms)
    with transaction.atomic():
        run, _ = ForecastRun.objects.update_or_create(
            thing_id=aqi_ds.thing_id, issued_at=issued,
            defaults={"station_name": aqi_ds.thing_name, "method": result.method,
                      "history_hours": result.history_hours, "model_leads": result.model_leads,
                      "model_mae": skill.model_mae, "persistence_mae": skill.persistence_mae,
                      "backtest_pairs": skill.pairs, "backtest_origins": skill.origins})
        run.values.all().delete()
        ForecastValue.objects.bulk_create([
            ForecastValue(run=run, lead_hours=lead, target=issued + timedelta(hours=lead), aqi=round(v, 1))
            for lead, v in enumerate(result.values, start=1)])
        ForecastRun.objects.filter(thing_id=aqi_ds.thing_id,
                                   issued_at__lt=issued - timedelta(days=KEEP_DAYS)).delete()
    return run


def run_forecasts(*, backtest_days: int = BACKTEST_DAYS) -> list[ForecastRun]:
    """Retrain every station that has an AQI datastream; returns the stored runs."""
    runs = []
    for ds in sensing.latest_values(property_code=AQI_PROPERTY, reported=True):
        run = forecast_station(ds, backtest_days=backtest_days)
        if run is not None:
            runs.append(run)
    return runs


FORECAST, NOT_BETTER, PERSISTENCE_ONLY = "forecast", "not_better", "persistence"


def beats_persistence(run) -> bool:
    """A run is published as a forecast only when its model ran and its backtest beats persistence."""
    return (run.method == model.RIDGE and run.model_leads > 0 and run.model_mae is not None
            and bool(run.persistence_mae) and run.model_mae < run.persistence_mae)


def status(run) -> str:
    """``forecast`` (the backtest beats persistence), ``not_better`` (the model ran but does not beat it, or
    could not be tested) or ``persistence`` (too little history for the model: the values are the last AQI)."""
    if run.method != model.RIDGE or not run.model_leads:
        return PERSISTENCE_ONLY
    return FORECAST if beats_persistence(run) else NOT_BETTER


def latest_runs(thing_ids=None, *, values: bool = True):
    """The newest run of each station (of ``thing_ids`` when given), with their values prefetched."""
    qs = ForecastRun.objects.all()
    if thing_ids is not None:
        qs = qs.filter(thing_id__in=list(thing_ids))
    newest: dict[int, int] = {}
    for run_id, thing_id in qs.order_by("thing_id", "-issued_at").values_list("id", "thing_id"):
        newest.setdefault(thing_id, run_id)
    qs = ForecastRun.objects.filter(id__in=newest.values()).order_by("station_name", "thing_id")
    return list(qs.prefetch_related("values") if values else qs)


def pooled_skill(runs) -> dict | None:
    """Backtest MAE of model and persistence pooled over runs (weighted by their pairs)."""
    pairs = sum(r.backtest_pairs for r in runs if r.model_mae is not None)
    if not pairs:
        return None
    m = sum(r.model_mae * r.backtest_pairs for r in runs if r.model_mae is not None) / pairs
    p = sum(r.persistence_mae * r.backtest_pairs for r in runs if r.model_mae is not None) / pairs
    return {"model_mae": m, "persistence_mae": p, "pairs": pairs, "skill": (1 - m / p) if p else None,
            "stations": len(runs), "stations_forecast": sum(1 for r in runs if beats_persistence(r))}


def county_forecast_hourly(end_ms: int) -> dict[int, float]:
    """County mean forecast AQI per hour at and after ``end_ms`` from each station's freshest run whose
    origin lies in [end − FRESH_HOURS h, end) and whose backtest beats persistence (a run that does not is
    no forecast): {hour start ms: AQI}."""
    end = sensing.from_ms(end_ms)
    qs = ForecastRun.objects.filter(issued_at__lt=end, issued_at__gte=end - timedelta(hours=FRESH_HOURS),
                                    method=model.RIDGE, model_leads__gt=0, model_mae__lt=F("persistence_mae"))
    newest: dict[int, int] = {}
    for run_id, thing_id in qs.order_by("thing_id", "-issued_at").values_list("id", "thing_id"):
        newest.setdefault(thing_id, run_id)
    sums: dict[int, list[float]] = {}
    for target, aqi in ForecastValue.objects.filter(run_id__in=newest.values(), target__gte=end).values_list(
            "target", "aqi"):
        sums.setdefault(sensing.to_ms(target), []).append(aqi)
    return {ms: sum(v) / len(v) for ms, v in sorted(sums.items())}


def every_s() -> float:
    try:
        return max(60.0, float(os.environ.get("SMARTCOUNTY_FORECAST_EVERY_S", "3600")))
    except ValueError:
        return 3600.0


def run_once() -> list[ForecastRun]:
    """One scheduled turn: the stations' missing AQI of the last ``CATCH_UP_HOURS``, then retrain all."""
    from smartcounty.domains.environment import live

    live.catch_up(CATCH_UP_HOURS)
    return run_forecasts()


def run_background(stop, every: float | None = None) -> None:
    """Background service: retrain every station's forecast on a schedule (first run after a minute)."""
    wait = 60.0
    while not stop.wait(wait):
        wait = every or every_s()
        try:
            close_old_connections()
            runs = run_once()
            from smartcounty.domains.environment import opendata

            opendata.publish()
            log.info("air-quality forecasts retrained: %d stations at %s", len(runs),
                     timezone.now().astimezone(UTC).isoformat())
        except Exception:  # pragma: no cover - logged and retried next time
            log.exception("air-quality forecast failed")
