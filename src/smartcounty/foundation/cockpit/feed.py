"""Event handlers that keep the cockpit's live items current (subscribed in ``apps.register``).

Payloads: ``alerts.*`` carry an ``AlertFact`` (alerts/schemas.py), ``cases.*`` a ``CaseFact`` dict
(cases/schemas.py). Handlers are idempotent (one row per source and reference, updated in place) and
quick (one upsert; a location lookup by index).
"""

import logging
from datetime import UTC, datetime

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from smartcounty.foundation.cockpit.models import LiveItem

log = logging.getLogger("smartcounty.cockpit")

ALERT_EVENTS = ("alerts.raised", "alerts.changed", "alerts.resolved")
CASE_EVENTS = ("cases.created", "cases.transitioned", "cases.due_soon", "cases.overdue", "cases.closed")


def _as_dict(payload) -> dict:
    if hasattr(payload, "_asdict"):
        return payload._asdict()
    if hasattr(payload, "model_dump"):
        return payload.model_dump()
    return dict(payload)


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _centre(bbox) -> tuple[float | None, float | None]:
    if not bbox:
        return None, None
    return (bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2


def thing_position(thing_id) -> tuple[float | None, float | None]:
    if not thing_id or not apps.is_installed("smartcounty.foundation.sensing"):
        return None, None
    from smartcounty.foundation.sensing import services as sensing

    row = sensing.latest_values(thing_id=thing_id, located=True).first()
    return (row.lon, row.lat) if row else (None, None)


def area_position(town_code: str = "", grid_code: str = "") -> tuple[float | None, float | None]:
    if not apps.is_installed("smartcounty.foundation.places"):
        return None, None
    from smartcounty.foundation.places import services as places

    if grid_code:
        g = places.grid(grid_code)
        if g is not None and g.bbox:
            return _centre(g.bbox)
    if town_code:
        t = places.town(town_code)
        if t is not None and t.bbox:
            return _centre(t.bbox)
    return None, None


def _time(value) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        try:
            return _time(datetime.fromisoformat(value))
        except ValueError:
            pass
    return timezone.now()


def on_alert(event: str, payload) -> None:
    fact = _as_dict(payload)
    ref = str(fact["alert_id"])
    existing = LiveItem.objects.filter(source="alerts", ref=ref).values_list("lon", "lat").first()
    if existing and existing[0] is not None:
        lon, lat = existing
    else:
        lon, lat = thing_position(fact.get("thing_id"))
        if lon is None:
            lon, lat = area_position(fact.get("town") or "", fact.get("grid") or "")
    LiveItem.objects.update_or_create(source="alerts", ref=ref, defaults={
        "title": (fact.get("title") or "")[:200],
        "level": int(fact.get("level") or 0),
        "state": fact.get("state") or "",
        "is_open": fact.get("state") != "resolved",
        "organisation_id": fact.get("organisation_id"),
        "town_code": fact.get("town") or "",
        "lon": lon, "lat": lat,
        "url": _url("alerts:detail", fact["alert_id"]),
        "at": _time(fact.get("at")),
        "public": bool(fact.get("public")),
    })


def on_case(event: str, payload) -> None:
    fact = _as_dict(payload)
    ref = str(fact["id"])
    existing = LiveItem.objects.filter(source="cases", ref=ref).values_list("lon", "lat", "level").first()
    if existing and existing[0] is not None:
        lon, lat = existing[0], existing[1]
    elif fact.get("lon") is not None and fact.get("lat") is not None:
        lon, lat = fact["lon"], fact["lat"]
    else:
        lon, lat = area_position(fact.get("town_code") or "", fact.get("grid_code") or "")
    level = {"cases.overdue": 3, "cases.due_soon": 2}.get(event, existing[2] if existing else 1)
    title = fact.get("title") or " ".join(str(x) for x in (fact.get("number"), fact.get("category")) if x)
    LiveItem.objects.update_or_create(source="cases", ref=ref, defaults={
        "title": title[:200],
        "level": 1 if event == "cases.closed" else level,
        "state": fact.get("state") or "",
        "is_open": event != "cases.closed",
        "organisation_id": fact.get("queue_organisation_id") or fact.get("organisation_id"),
        "town_code": fact.get("town_code") or (fact.get("grid_code") or "")[:9],
        "lon": lon, "lat": lat,
        "url": _url("cases:detail", fact["id"]),
        "at": timezone.now(),
    })


def subscribe() -> None:
    from smartcounty.kernel import events

    for name in ALERT_EVENTS:
        events.subscribe(name, on_alert, module="cockpit")
    for name in CASE_EVENTS:
        events.subscribe(name, on_case, module="cockpit")
