"""Fire detectors of public buildings (sensing things, property ``smoke``).

An alarm (a reading of 1) raises an orange alert for the fire brigade at once (source ``emergency``, key
``fire:<detector id>``). When it persists, i.e. a reading ``PERSIST_S`` seconds after the first is still an
alarm, or the sweeper finds it still on that long after, it becomes an incident: opened at the building,
the building's contact and the brigade's duty desk notified, the nearest ready rescue team tasked. A reading
of 0 before then clears the alarm (the alert resolves). A detector offline for ``OFFLINE_S`` becomes a
maintenance case (``emergency.maintenance``) in the brigade's queue."""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartcounty.domains.emergency import catalogue
from smartcounty.domains.emergency.models import Building, Detector, Notice, Resource
from smartcounty.domains.emergency.services import geo, incidents
from smartcounty.domains.emergency.services import scope as scopes
from smartcounty.foundation.alerts import services as alerts
from smartcounty.foundation.cases import services as cases
from smartcounty.foundation.sensing import services as sensing
from smartcounty.foundation.sensing.schemas import DS, MS, VALUE, ObservationBatch

log = logging.getLogger("smartcounty.emergency")

PROPERTIES = ("smoke",)
PERSIST_S = 60
OFFLINE_S = 24 * 3600
ALARM_LEVEL = 3
SOURCE = "emergency"


def register_detector(building_id: int, thing_id: int, *, property: str = "smoke") -> int:
    with transaction.atomic():
        d, _c = Detector.objects.update_or_create(thing_id=thing_id, defaults={"building_id": building_id,
                                                                               "property": property})
    return d.id


def create_building(*, code: str, name: str, lon: float, lat: float, contact_name: str, contact_phone: str,
                    town_code: str = "", address: str = "", contact_user_id: int | None = None) -> int:
    with transaction.atomic():
        b, _c = Building.objects.update_or_create(code=code, defaults={
            "name": name, "lon": lon, "lat": lat, "town_code": town_code, "address": address,
            "contact_name": contact_name, "contact_phone": contact_phone, "contact_user_id": contact_user_id})
    return b.id


def on_observations(event: str, payload) -> None:
    batch = ObservationBatch.of(payload)
    for prop in PROPERTIES:
        rows = batch.select(prop)
        if not rows:
            continue
        by_thing: dict[int, list] = {}
        for r in rows:
            if r[VALUE] is not None:
                by_thing.setdefault(batch.info[r[DS]].thing_id, []).append(r)
        detectors = {d.thing_id: d for d in Detector.objects.filter(thing_id__in=list(by_thing))
                     .select_related("building")}
        for thing_id, rs in by_thing.items():
            d = detectors.get(thing_id)
            if d is None:
                continue
            try:
                for r in sorted(rs, key=lambda r: r[MS]):
                    judge(d, r[VALUE], sensing.from_ms(r[MS]), r[DS])
            except Exception:  # one detector's failure never stops the others
                log.exception("fire alarm failed for detector %s", d.id)


def judge(d: Detector, value: float, at, datastream_id: int | None = None) -> str:
    """One reading of a detector: raise, persist (incident) or clear its alarm."""
    b = d.building
    key = f"fire:{d.id}"
    if value >= 0.5:
        if d.alarm_since is None:
            a = alerts.raise_alert(source=SOURCE, key=key, level=ALARM_LEVEL, value=value, at=at, property=d.property,
                                   title=_("Fire alarm at %(b)s") % {"b": b.name}, thing_id=d.thing_id,
                                   datastream_id=datastream_id, town=b.town_code or None,
                                   organisation_id=scopes.org_id(scopes.BRIGADE_CODE),
                                   detail={"building": b.code, "detector": d.id})
            Detector.objects.filter(pk=d.pk).update(alarm_since=at, alarm_alert_id=a.id)
            d.alarm_since, d.alarm_alert_id = at, a.id
            return "raised"
        if at - d.alarm_since >= timedelta(seconds=PERSIST_S):
            return "incident" if escalate(d) else "open"
        return "pending"
    if d.alarm_since is not None:
        if incidents.incident_of("alert", d.alarm_alert_id or 0) is None and d.alarm_alert_id:
            current = alerts.find_open_alert(SOURCE, key)
            if current is not None:
                alerts.resolve_alert(current.id, note="探测器复位", value=value, at=at)
        Detector.objects.filter(pk=d.pk).update(alarm_since=None)
        d.alarm_since = None
        return "cleared"
    return ""


def nearest_team(lon: float, lat: float) -> dict | None:
    found = geo.nearest(lon, lat, kinds=["team"], k=1, ready_only=True)["team"]["nearest"]
    return found[0] if found else None


def escalate(d: Detector) -> int | None:
    """The alarm persisted: its incident (made once), with the notices and the nearest team's task."""
    if not d.alarm_alert_id:
        return None
    existing = incidents.incident_of("alert", d.alarm_alert_id)
    if existing:
        return None
    b = d.building
    with transaction.atomic():
        # one incident per alarm even when two readings race: lock the detector
        Detector.objects.select_for_update().filter(pk=d.pk).first()
        if incidents.incident_of("alert", d.alarm_alert_id):
            return None
        iid = incidents.open_incident(
            title=_("Fire alarm at %(b)s") % {"b": b.name}, kind="fire", level=1, lon=b.lon, lat=b.lat,
            radius_m=300, address=b.address or b.name, town_code=b.town_code, source="alert",
            alert_id=d.alarm_alert_id,
            description=_("Detector %(d)s has been in alarm since %(t)s") % {
                "d": d.thing_id, "t": timezone.localtime(d.alarm_since).strftime("%Y-%m-%d %H:%M:%S")})
        inc = incidents.incident_detail(iid)
        text = _("Fire alarm at %(b)s (%(a)s), incident %(n)s") % {"b": b.name, "a": b.address or "",
                                                                    "n": inc["number"]}
        now = timezone.now()
        Notice.objects.create(incident_id=iid, user_id=b.contact_user_id, name=b.contact_name,
                              phone=b.contact_phone, message=text, at=now)
        Notice.objects.create(incident_id=iid, organisation_id=scopes.org_id(scopes.BRIGADE_CODE),
                              name="县消防救援大队值班室", message=text, at=now)
        incidents.timeline_note(iid, _("Notified the building contact %(c)s and the fire brigade duty desk")
                                % {"c": b.contact_name})
        team = nearest_team(b.lon, b.lat)
        if team is not None:
            incidents.give_task(iid, team["id"], title=_("Go to %(b)s and check the fire alarm") % {"b": b.name},
                                deadline_minutes=15, actor=None)
    return iid


def on_alert_resolved(event: str, payload) -> None:
    """A rule's smoke alert resolved elsewhere says nothing here; our own is resolved in ``judge``."""


def on_offline(event: str, payload) -> None:
    if payload.property not in PROPERTIES:
        return
    Detector.objects.filter(thing_id=payload.thing_id, offline_since__isnull=True).update(
        offline_since=payload.last_time or timezone.now())


def on_online(event: str, payload) -> None:
    if payload.property not in PROPERTIES:
        return
    Detector.objects.filter(thing_id=payload.thing_id).update(offline_since=None)


def sweep(now=None) -> dict:
    """Alarms still on ``PERSIST_S`` after they began become incidents; detectors offline ``OFFLINE_S`` become
    maintenance cases (one open case per detector)."""
    now = now or timezone.now()
    made = {"incidents": 0, "maintenance": 0}
    for d in Detector.objects.filter(alarm_since__lte=now - timedelta(seconds=PERSIST_S)).select_related("building"):
        if escalate(d):
            made["incidents"] += 1
    brigade = scopes.org_id(scopes.BRIGADE_CODE)
    for d in Detector.objects.filter(offline_since__lte=now - timedelta(seconds=OFFLINE_S)).select_related("building"):
        if d.maintenance_case_id:
            c = cases.get_case(d.maintenance_case_id)
            if c is not None and not c.is_closed:
                continue
        b = d.building
        case = cases.create_case(catalogue.MAINTENANCE_TYPE.key, title=_("Detector offline at %(b)s") % {"b": b.name},
                                 description=_("Fire detector %(t)s of %(b)s has sent nothing since %(s)s")
                                 % {"t": d.thing_id, "b": b.name,
                                    "s": timezone.localtime(d.offline_since).strftime("%Y-%m-%d %H:%M")},
                                 lon=b.lon, lat=b.lat, town_code=b.town_code, address=b.address,
                                 data={"detector": d.id, "thing_id": d.thing_id}, source="emergency",
                                 organisation_id=brigade, external_ref=f"detector:{d.id}:{d.offline_since.timestamp()}")
        Detector.objects.filter(pk=d.pk).update(maintenance_case_id=case.pk)
        made["maintenance"] += 1
    return made


def runner(stop) -> None:
    """Background service: the fire sweep every 30 seconds."""
    from django.db import close_old_connections

    while not stop.is_set():
        try:
            close_old_connections()
            sweep()
        except Exception:
            log.exception("fire sweep failed")
        stop.wait(30)


def buildings() -> list[dict]:
    out = []
    rows = list(Building.objects.order_by("code").values("id", "code", "name", "lon", "lat", "town_code",
                                                          "contact_name"))
    counts: dict[int, dict] = {}
    for d in Detector.objects.filter(building_id__in=[r["id"] for r in rows]).values(
            "building_id", "alarm_since", "offline_since"):
        c = counts.setdefault(d["building_id"], {"detectors": 0, "alarm": 0, "offline": 0})
        c["detectors"] += 1
        c["alarm"] += d["alarm_since"] is not None
        c["offline"] += d["offline_since"] is not None
    for r in rows:
        out.append({**r, **counts.get(r["id"], {"detectors": 0, "alarm": 0, "offline": 0})})
    return out


def notices(*, organisation_id: int | None = None, user_id: int | None = None, limit: int = 50) -> list[dict]:
    qs = Notice.objects.all()
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    if user_id is not None:
        qs = qs.filter(user_id=user_id)
    return list(qs.order_by("-at", "-id").values("id", "incident_id", "incident__number", "name", "message", "at",
                                                 "read_at")[:limit])


def ready_teams() -> int:
    return Resource.objects.filter(kind="team", status="ready").count()
