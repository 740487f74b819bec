"""Environment API (/api/v1/environment/): air quality by station, town and county (hourly 实时报 and
daily 日报 AQI with IAQI, category, HJ 633 Table 2 health texts and primary pollutant), the county's
heavy-pollution warning, and the stations' 72-hour forecasts with their backtest against persistence.

Authorisation: reads are public (``auth=None``) like the public air-quality page, the figures a county
publishes anyway; retraining the forecasts is ``environment.run_forecast`` on the ecology and environment
bureau's organisation (code ``ecology-environment``; platform administrators hold it everywhere), audited.
"""

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from smartcounty.domains.environment import services
from smartcounty.domains.environment.schemas import ForecastOut, ReadingOut, SkillOut, WarningOut
from smartcounty.kernel.api import Id, Pagination
from smartcounty.kernel.authz import require
from smartcounty.kernel.problems import ApiError

router = Router(tags=["environment"])

TownCode = Field(..., pattern=r"^\d{9}$")


class Window(Schema):
    hours: int = Field(72, ge=1, le=services.MAX_HOURS, description="hours before the newest complete hour")


class Days(Schema):
    days: int = Field(7, ge=1, le=services.MAX_DAYS, description="complete Beijing days before today")


class TownFilter(Schema):
    town: str | None = Field(None, pattern=r"^\d{9}$", description="9-digit town code")


def _town(code: str) -> str:
    if not (code.isdigit() and len(code) == 9):
        raise ApiError(422, "invalid", "a town code has 9 digits", field="code")
    return code


@router.get("/stations", auth=None, response=list[ReadingOut])
@paginate(Pagination)
def stations(request, filters: Query[TownFilter]):
    """Each station's latest hourly AQI (实时报) with its sub-indices (public)."""
    return services.StationPage(town=filters.town)


@router.get("/stations/{station_id}/hourly", auth=None, response=list[ReadingOut])
@paginate(Pagination)
def station_hourly(request, station_id: Id, window: Query[Window]):
    """One station's hourly AQI over the last hours, oldest first (public)."""
    return services.hourly_readings("station", str(station_id), window.hours)


@router.get("/stations/{station_id}/daily", auth=None, response=list[ReadingOut])
@paginate(Pagination)
def station_daily(request, station_id: Id, days: Query[Days]):
    """One station's daily AQI (日报) of the last complete Beijing days (public)."""
    return services.daily_readings("station", str(station_id), days.days)


@router.get("/towns", auth=None, response=list[ReadingOut])
@paginate(Pagination)
def towns(request):
    """Each town's hourly AQI from the mean concentrations of its stations, at the newest hour (public)."""
    return services.current_readings("town")


@router.get("/towns/{code}/hourly", auth=None, response=list[ReadingOut])
@paginate(Pagination)
def town_hourly(request, code: str, window: Query[Window]):
    return services.hourly_readings("town", _town(code), window.hours)


@router.get("/towns/{code}/daily", auth=None, response=list[ReadingOut])
@paginate(Pagination)
def town_daily(request, code: str, days: Query[Days]):
    return services.daily_readings("town", _town(code), days.days)


@router.get("/county", auth=None, response=ReadingOut)
def county(request):
    """The county's hourly AQI from the mean concentrations of every station, at the newest hour (public)."""
    found = services.current_readings("county")
    if not found:
        raise ApiError(404, "not-found", "no AQI has been computed yet")
    return found[0]


@router.get("/county/hourly", auth=None, response=list[ReadingOut])
@paginate(Pagination)
def county_hourly(request, window: Query[Window]):
    return services.hourly_readings("county", None, window.hours)


@router.get("/county/daily", auth=None, response=list[ReadingOut])
@paginate(Pagination)
def county_daily(request, days: Query[Days]):
    return services.daily_readings("county", None, days.days)


@router.get("/warning", auth=None, response=WarningOut)
def warning(request):
    """The county's heavy-pollution warning in force, if any, and the criteria it is judged by (public)."""
    return services.warning_in_force()


@router.get("/forecasts", auth=None, response=list[ForecastOut])
@paginate(Pagination)
def forecasts(request):
    """Each station's newest 72-hour run with its backtest; ``is_forecast`` only when the backtest beats
    persistence (public)."""
    return services.forecast_list()


@router.get("/forecasts/skill", auth=None, response=SkillOut)
def forecast_skill(request):
    """The backtest pooled over the stations' newest runs (public)."""
    return services.forecast_skill()


@router.get("/forecasts/{station_id}", auth=None, response=ForecastOut)
def forecast(request, station_id: Id):
    """One station's newest run with its 72 hourly values (public)."""
    found = services.forecast_detail(station_id)
    if found is None:
        raise ApiError(404, "not-found")
    return found


@router.post("/forecast-runs", response=list[ForecastOut])
def run_forecasts(request):
    """Retrain every station's forecast now (the background service does it hourly)."""
    org = services.environment_organisation()
    user = require(request, "environment.run_forecast", org)
    return services.retrain(actor=user, organisation_id=org or None)
