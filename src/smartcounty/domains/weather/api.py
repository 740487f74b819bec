"""Weather API (/api/v1/weather/): the signals in force (public), and the signals a county forecaster
issues and cancels by hand for the types that need judgement (台风, 暴雪, 沙尘暴, 干旱, 雷电, 冰雹, 霜冻,
道路结冰; the others are judged from station data by ``live``).

Authorisation: ``weather.issue_signal`` on the meteorological bureau's organisation (code
``meteorology``); platform administrators hold it everywhere. Issuing and cancelling are audited in
the same transaction as the alert they change.
"""

from django.db import transaction
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from smartcounty.domains.weather import live
from smartcounty.domains.weather.signals import LEVEL_CODES, LEVEL_RANK, MANUAL, TYPES, Signal
from smartcounty.foundation.accounts import services as accounts
from smartcounty.foundation.alerts import services as alerts
from smartcounty.kernel import audit
from smartcounty.kernel.api import InputSchema, Pagination
from smartcounty.kernel.authz import require
from smartcounty.kernel.problems import ApiError

router = Router(tags=["weather"])

FORECASTER_ORG = "meteorology"
PLATFORM = 0  # no organisation has id 0: only platform administrators pass a check on it
LEVEL_BY_RANK = {rank: level for level, rank in LEVEL_RANK.items()}


class SignalIn(InputSchema):
    type: str = Field(..., max_length=20)
    level: str = Field(..., max_length=10)
    note: str = Field("", max_length=500)


class SignalOut(Schema):
    type: str
    level: str
    code: str
    name: str
    alert_id: int
    manual: bool


def _forecaster_org() -> int:
    return accounts.organisation_ids_by_code().get(FORECASTER_ORG, PLATFORM)


def _out(kind: str, level: str, alert_id: int) -> SignalOut:
    sig = Signal(kind, level)
    return SignalOut(type=kind, level=level, code=sig.code, name=str(sig.name), alert_id=alert_id,
                     manual=kind in MANUAL)


@router.get("/signals", auth=None, response=list[SignalOut])
@paginate(Pagination)
def signals_in_force(request):
    """Every signal in force for the county, highest first (public)."""
    out = []
    for kind in TYPES:
        found = alerts.find_open_alert(live.SOURCE, live.signal_key(kind))
        if found is not None:
            out.append(_out(kind, LEVEL_BY_RANK[found.level], found.id))
    return sorted(out, key=lambda s: -LEVEL_RANK[s.level])


@router.post("/signals", response={201: SignalOut})
def issue_signal(request, data: SignalIn):
    """Issue (or change the level of) a signal of a type that needs a forecaster's judgement."""
    org = _forecaster_org()
    user = require(request, "weather.issue_signal", org)
    if data.type not in MANUAL:
        raise ApiError(422, "invalid", "only the types that need judgement are issued by hand", field="type")
    if data.level not in LEVEL_CODES or data.level not in TYPES[data.type][2]:
        raise ApiError(422, "invalid", "this signal type has no such level", field="level")
    sig = Signal(data.type, data.level)
    with transaction.atomic():
        result = alerts.raise_alert(
            source=live.SOURCE, key=live.signal_key(data.type), title=str(sig.name), level=sig.rank,
            organisation_id=org or None, public=True,
            detail={"code": sig.code, "type": sig.type, "level": sig.level, "manual": True, "note": data.note})
        audit.record("weather.signal_issue", actor=user, object_type="alerts.alert", object_id=result.id,
                     organisation_id=org or None, detail={"code": sig.code, "note": data.note})
    return Status(201, _out(data.type, data.level, result.id))


@router.delete("/signals/{kind}", response={204: None})
def cancel_signal(request, kind: str):
    """Cancel a hand-issued signal."""
    org = _forecaster_org()
    user = require(request, "weather.issue_signal", org)
    if kind not in MANUAL:
        raise ApiError(404, "not-found")
    with transaction.atomic():
        found = alerts.find_open_alert(live.SOURCE, live.signal_key(kind))
        if found is None:
            raise ApiError(404, "not-found")
        alerts.resolve_alert(found.id, actor=user, note="cancelled by the forecaster")
        audit.record("weather.signal_cancel", actor=user, object_type="alerts.alert", object_id=found.id,
                     organisation_id=org or None, detail={"type": kind})
    return Status(204, None)
