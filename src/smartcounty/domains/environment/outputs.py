"""Plain data for the API, the page, the cockpit and the catalog: readings, the warning, the forecasts.

Everything here returns dicts and lists of plain values (shaped as ``schemas``), never model instances.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

from django.db import transaction
from django.utils.translation import gettext as _

from smartcounty.domains.environment import forecasting, live, network, readings
from smartcounty.domains.environment.aqi import tables as t
from smartcounty.domains.environment.warnings import DEFAULT_SCHEME, LEVEL_NAMES, LEVEL_RANK
from smartcounty.foundation.alerts import services as alerts
from smartcounty.foundation.sensing import services as sensing
from smartcounty.kernel import audit

HOUR_MS = readings.HOUR_MS
MAX_HOURS = readings.MAX_HOURS
MAX_DAYS = readings.MAX_DAYS
LEVEL_BY_RANK = {rank: level for level, rank in LEVEL_RANK.items()}
AIR_ORG = "ecology-environment"
PLATFORM = 0  # no organisation has id 0: only platform administrators pass a check on it


def category_out(category) -> dict | None:
    if category is None:
        return None
    return {"level": category.level, "level_name": str(category.level_name), "name": str(category.name),
            "colour": category.hex, "colour_name": str(category.colour_name),
            "health_effect": str(category.health_effect), "advice": str(category.advice)}


def reading_out(r: readings.Reading) -> dict:
    return {
        "scope": r.scope, "key": r.key, "name": r.name, "report": r.report, "start": r.start, "aqi": r.aqi,
        "category": category_out(r.category), "primary": list(r.primary),
        "primary_labels": [t.POLLUTANT_LABELS.get(p, p) for p in r.primary], "exceeding": list(r.exceeding),
        "iaqi": [{"pollutant": p, "label": t.POLLUTANT_LABELS.get(p, p), "measure": m,
                  "concentration": round(float(c), 3), "iaqi": i} for p, (m, c, i) in r.iaqi.items()],
        "version": r.version, "stations": r.stations,
    }


class StationPage(Sequence):
    """The stations' current readings, computed only for the slice a page asks for (``len`` is one query)."""

    def __init__(self, town: str | None = None):
        self.town = town
        self._ids: list[int] | None = None

    def _stations(self) -> list[int]:
        if self._ids is None:
            self._ids = [s.thing_id for s in network.streams(["aqi"], town=self.town)]
        return self._ids

    def __len__(self) -> int:
        return len(self._stations())

    def __getitem__(self, i):
        ids = self._stations()[i] if isinstance(i, slice) else [self._stations()[i]]
        found = {r.key: r for r in readings.current(readings.STATION, thing_ids=ids)} if ids else {}
        out = [reading_out(found[str(x)]) for x in ids if str(x) in found]
        return out if isinstance(i, slice) else out[0]


def _newest_hour_end() -> int:
    """The end of the newest hour any station has an AQI for (else the current hour's start)."""
    last = [s.last_ms for s in network.streams(["aqi"]) if s.last_ms is not None]
    now = sensing.to_ms(datetime.now(UTC)) // HOUR_MS * HOUR_MS
    return (max(last) // HOUR_MS + 1) * HOUR_MS if last else now


def hourly_readings(scope: str, key: str | None, hours: int) -> list[dict]:
    end = _newest_hour_end()
    return [reading_out(r) for r in readings.hourly(scope, key, end - hours * HOUR_MS, end)]


def daily_readings(scope: str, key: str | None, days: int) -> list[dict]:
    return [reading_out(r) for r in readings.daily(scope, key, days)]


def current_readings(scope: str, town: str | None = None) -> list[dict]:
    return [reading_out(r) for r in readings.current(scope, town=town)]


def warning_in_force() -> dict:
    found = alerts.find_open_alert(live.SOURCE, live.WARNING_KEY)
    level = LEVEL_BY_RANK.get(found.level) if found else None
    return {"in_force": level is not None, "level": level, "name": str(LEVEL_NAMES[level]) if level else None,
            "alert_id": found.id if found else None, "scheme": DEFAULT_SCHEME.key,
            "scheme_title": str(DEFAULT_SCHEME.title), "draft": DEFAULT_SCHEME.draft}


def status_label(status: str) -> str:
    return {forecasting.FORECAST: _("Forecast (its backtest beats persistence)"),
            forecasting.NOT_BETTER: _("Not published: the model's backtest does not beat persistence"),
            forecasting.PERSISTENCE_ONLY: _("No forecast: too little history for the model (the values repeat "
                                            "the last AQI)")}[status]


def forecast_out(run, *, values: bool = False) -> dict:
    status = forecasting.status(run)
    skill = None
    if run.model_mae is not None and run.persistence_mae:
        skill = 1.0 - run.model_mae / run.persistence_mae
    vals = sorted(run.values.all(), key=lambda v: v.lead_hours)
    next_day = [v.aqi for v in vals[:24]]
    out = {
        "station_id": run.thing_id, "station": run.station_name, "issued_at": run.issued_at, "method": run.method,
        "status": status, "status_label": status_label(status), "is_forecast": status == forecasting.FORECAST,
        "history_hours": run.history_hours,
        "backtest": {"model_mae": run.model_mae, "persistence_mae": run.persistence_mae, "skill": skill,
                     "pairs": run.backtest_pairs, "origins": run.backtest_origins},
        "next_24h_max": max(next_day) if next_day else None,
    }
    if values:
        out["values"] = [{"lead_hours": v.lead_hours, "target": v.target, "aqi": v.aqi,
                          "category": str(t.category_for(v.aqi).name)} for v in vals]
    return out


def forecast_list() -> list[dict]:
    return [forecast_out(r) for r in forecasting.latest_runs()]


def forecast_detail(thing_id: int) -> dict | None:
    runs = forecasting.latest_runs([thing_id])
    return forecast_out(runs[0], values=True) if runs else None


def forecast_skill() -> dict:
    runs = forecasting.latest_runs(values=False)
    pooled = forecasting.pooled_skill(runs) or {"model_mae": None, "persistence_mae": None, "pairs": 0,
                                                 "skill": None}
    return {**pooled, "stations": len(runs),
            "stations_forecast": sum(1 for r in runs if forecasting.beats_persistence(r))}


def environment_organisation() -> int:
    from smartcounty.foundation.accounts import services as accounts

    return accounts.organisation_ids_by_code().get(AIR_ORG, PLATFORM)


def retrain(*, actor, organisation_id: int | None) -> list[dict]:
    """Retrain every station now (audited): the stations' missing AQI first, then every forecast."""
    with transaction.atomic():
        runs = forecasting.run_once()
        audit.record("environment.forecast_run", actor=actor, organisation_id=organisation_id,
                     detail={"stations": len(runs), "published": sum(1 for r in runs
                                                                     if forecasting.beats_persistence(r))})
    return [forecast_out(r) for r in forecasting.latest_runs([r.thing_id for r in runs])]
