"""Public warnings of an incident: published as a public alert (the portal and the cockpit show public alerts)
and as a CAP 1.2 message (OASIS Common Alerting Protocol) for other systems; withdrawn with a CAP ``Cancel``
that references the original."""

import uuid
from xml.etree import ElementTree as ET

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartcounty.domains.emergency import catalogue
from smartcounty.domains.emergency.models import Incident, TimelineEntry, Warning
from smartcounty.foundation.alerts import services as alerts
from smartcounty.foundation.places import services as places
from smartcounty.kernel import audit
from smartcounty.kernel.problems import ApiError

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
#: colour levels of a warning (预警级别), as the alerts module numbers them
COLOURS = {1: "蓝色", 2: "黄色", 3: "橙色", 4: "红色"}
CAP_CATEGORY = {"fire": "Fire", "flood": "Met", "pollution": "Env", "accident": "Safety", "hazmat": "CBRNE",
                "earthquake": "Geo", "public_health": "Health", "other": "Other"}
CAP_SEVERITY = {n: cap for n, (_name, cap) in catalogue.LEVELS.items()}
CAP_URGENCY = {1: "Future", 2: "Expected", 3: "Expected", 4: "Immediate"}


def sender() -> str:
    """The CAP sender: no spaces, commas or reserved characters."""
    return f"urn:smartcounty:{places.county_code()}:emergency"


def _cap_time(dt) -> str:
    """CAP's dateTime: local time with its offset, whole seconds (e.g. 2026-12-04T21:05:00+08:00)."""
    return timezone.localtime(dt).replace(microsecond=0).isoformat()


def publish(incident_id: int, *, headline: str, instruction: str, level: int, area_desc: str = "",
            actor) -> dict:
    if level not in COLOURS:
        raise ApiError(422, "invalid", _("the warning level is 1 (blue) to 4 (red)"), field="level")
    if not headline.strip() or not instruction.strip():
        raise ApiError(422, "invalid", _("a headline and instructions are needed"), field="headline")
    with transaction.atomic():
        i = Incident.objects.select_for_update().filter(pk=incident_id).first()
        if i is None:
            raise ApiError(404, "not-found")
        if i.state != Incident.State.OPEN:
            raise ApiError(409, "conflict", _("the incident is closed"))
        now = timezone.now()
        identifier = f"{places.county_code()}-EM-{timezone.localtime(now):%Y%m%d%H%M%S}-{uuid.uuid4().hex[:8]}"
        area = area_desc.strip() or _("within %(r)s m of %(p)s") % {"r": i.radius_m, "p": i.address or i.title}
        a = alerts.raise_alert(source="emergency", key=f"warning:{identifier}", level=level, public=True,
                               title=f"{COLOURS[level]}预警：{headline.strip()}"[:200], property="emergency_warning",
                               town=i.town_code or None, at=now,
                               detail={"incident": i.number, "instruction": instruction.strip()[:1000],
                                       "area": area[:200]})
        w = Warning.objects.create(incident=i, identifier=identifier, alert_id=a.id, headline=headline.strip()[:160],
                                   instruction=instruction.strip()[:1000], area_desc=area[:200], level=level,
                                   sent_at=now)
        TimelineEntry.objects.create(incident=i, at=now, kind="warning", actor_id=getattr(actor, "pk", None),
                                     text=_("%(c)s warning published: %(h)s") % {"c": COLOURS[level],
                                                                                 "h": w.headline})
        audit.record("emergency.warning.publish", actor=actor, obj=w, detail={"identifier": identifier,
                                                                              "level": level})
    return warning(w.id)


def withdraw(warning_id: int, *, actor) -> dict:
    with transaction.atomic():
        w = Warning.objects.select_for_update().filter(pk=warning_id).select_related("incident").first()
        if w is None:
            raise ApiError(404, "not-found")
        if w.cancelled_at is not None:
            raise ApiError(409, "conflict", _("the warning is withdrawn already"))
        now = timezone.now()
        w.cancelled_at = now
        w.save(update_fields=["cancelled_at"])
        current = alerts.find_open_alert("emergency", f"warning:{w.identifier}")
        if current is not None:
            alerts.resolve_alert(current.id, actor=actor, note="预警解除")
        TimelineEntry.objects.create(incident=w.incident, at=now, kind="withdrawn", actor_id=getattr(actor, "pk", None),
                                     text=_("Warning withdrawn: %(h)s") % {"h": w.headline})
        audit.record("emergency.warning.withdraw", actor=actor, obj=w, detail={"identifier": w.identifier})
    return warning(w.id)


FIELDS = ("id", "identifier", "headline", "instruction", "area_desc", "level", "sent_at", "cancelled_at",
          "incident_id", "incident__number", "incident__kind", "incident__lon", "incident__lat",
          "incident__radius_m", "incident__level", "incident__title")


def _row(r: dict) -> dict:
    return {"id": r["id"], "identifier": r["identifier"], "headline": r["headline"], "instruction": r["instruction"],
            "area_desc": r["area_desc"], "level": r["level"], "colour": COLOURS[r["level"]], "sent_at": r["sent_at"],
            "cancelled_at": r["cancelled_at"], "incident_id": r["incident_id"],
            "incident_number": r["incident__number"], "kind": r["incident__kind"], "lon": r["incident__lon"],
            "lat": r["incident__lat"], "radius_m": r["incident__radius_m"], "incident_level": r["incident__level"],
            "event": catalogue.KINDS.get(r["incident__kind"], r["incident__kind"]),
            "in_force": r["cancelled_at"] is None}


def warning(warning_id: int) -> dict | None:
    r = Warning.objects.filter(pk=warning_id).values(*FIELDS).first()
    return _row(r) if r else None


def warning_by_identifier(identifier: str) -> dict | None:
    r = Warning.objects.filter(identifier=identifier).values(*FIELDS).first()
    return _row(r) if r else None


def in_force(limit: int = 50) -> list[dict]:
    """Warnings in force, newest first (the residents' page and the CAP feed)."""
    return [_row(r) for r in Warning.objects.filter(cancelled_at__isnull=True).order_by("-sent_at", "-id")
            .values(*FIELDS)[:limit]]


def _sub(parent, tag: str, text: str | None = None):
    el = ET.SubElement(parent, f"{{{CAP_NS}}}{tag}")
    if text is not None:
        el.text = text
    return el


def cap_xml(w: dict, *, cancel: bool | None = None) -> bytes:
    """The warning as a CAP 1.2 ``alert`` (elements in the order the CAP schema asks). A withdrawn warning (or
    ``cancel=True``) gives the ``Cancel`` message, which references the original by sender,identifier,sent."""
    cancel = (w["cancelled_at"] is not None) if cancel is None else cancel
    ET.register_namespace("", CAP_NS)
    root = ET.Element(f"{{{CAP_NS}}}alert")
    original = (sender(), w["identifier"], _cap_time(w["sent_at"]))
    _sub(root, "identifier", w["identifier"] + ("-cancel" if cancel else ""))
    _sub(root, "sender", sender())
    _sub(root, "sent", _cap_time(w["cancelled_at"] if cancel and w["cancelled_at"] else w["sent_at"]))
    _sub(root, "status", "Actual")
    _sub(root, "msgType", "Cancel" if cancel else "Alert")
    _sub(root, "scope", "Public")
    if cancel:
        _sub(root, "references", ",".join(original))
    _sub(root, "incidents", w["incident_number"])
    info = _sub(root, "info")
    _sub(info, "language", "zh-CN")
    _sub(info, "category", CAP_CATEGORY.get(w["kind"], "Other"))
    _sub(info, "event", w["event"])
    _sub(info, "responseType", "AllClear" if cancel else "Shelter" if w["kind"] != "fire" else "Evacuate")
    _sub(info, "urgency", "Past" if cancel else CAP_URGENCY[w["level"]])
    _sub(info, "severity", CAP_SEVERITY[w["incident_level"]])
    _sub(info, "certainty", "Observed")
    _sub(info, "senderName", "冠县应急管理局")
    _sub(info, "headline", f"{w['colour']}预警：{w['headline']}" + ("（已解除）" if cancel else ""))
    _sub(info, "instruction", w["instruction"])
    area = _sub(info, "area")
    _sub(area, "areaDesc", w["area_desc"])
    _sub(area, "circle", f"{w['lat']:.5f},{w['lon']:.5f} {max(w['radius_m'], 1) / 1000:.3f}")
    _sub(area, "geocode")
    geocode = area[-1]
    _sub(geocode, "valueName", "GB/T 2260")
    _sub(geocode, "value", places.county_code())
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
