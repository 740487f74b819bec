"""Live incident detection: the SND algorithm (``snd.py``) on each fixed detector's last hour of speed.

A declared incident is stored and raised as an alert (source ``traffic``, key ``incident:<datastream>``,
level 3 orange) through the alerts module; when the detector's speed recovers the incident clears and
the alert is resolved. The detection is a replay of the last hour, so it is idempotent.
"""

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from smartcounty.domains.traffic import snd
from smartcounty.domains.traffic.models import Incident, RoadSegment
from smartcounty.foundation.alerts import services as alerts
from smartcounty.foundation.sensing import services as sensing

log = logging.getLogger("smartcounty.traffic")

SOURCE = "traffic"
ALERT_LEVEL = 3
LOOKBACK_MS = 3_600_000
PARAMS = snd.SndParams()


def judge(datastream_id: int, segment_id: int, now_ms: int) -> str:
    """Bring one detector's incident in line with its last hour of readings: 'raised', 'cleared' or ''."""
    rows = sensing.observations(datastream_id, now_ms - LOOKBACK_MS, now_ms + 1, limit=2000)
    times = [r[0] for r in rows]
    alarms = snd.snd_alarms([r[2] for r in rows], PARAMS)
    active = next((a for a in reversed(alarms) if a.end is None), None)
    open_one = Incident.objects.filter(datastream_id=datastream_id, state=Incident.State.ACTIVE).first()
    key = f"incident:{datastream_id}"
    if active is not None and open_one is None:
        seg = RoadSegment.objects.get(pk=segment_id)
        at = times[active.start]
        info = sensing.datastream_info(datastream_id) or {}
        title = _("Suspected traffic incident on %(road)s: speed %(v).0f km/h, was %(b).0f km/h") % {
            "road": seg.name, "v": active.speed, "b": active.baseline}
        with transaction.atomic():
            inc, created = Incident.objects.get_or_create(
                datastream_id=datastream_id, detected_ms=at,
                defaults={"segment_id": segment_id, "baseline_kmh": round(active.baseline, 1),
                          "speed_kmh": active.speed})
            if not created:
                return ""
            alert = alerts.raise_alert(source=SOURCE, key=key, title=title, level=ALERT_LEVEL,
                                       property="traffic_speed", thing_id=info.get("thing_id"),
                                       datastream_id=datastream_id, town=seg.town_code or None,
                                       organisation_id=info.get("organisation_id"), value=active.speed,
                                       at=sensing.from_ms(at), detail={"segment": seg.code,
                                                                       "baseline_kmh": round(active.baseline, 1),
                                                                       "algorithm": "SND"})
            inc.alert_id = alert.id
            inc.save(update_fields=["alert_id"])
        return "raised"
    if active is None and open_one is not None:
        cleared = next((a for a in reversed(alarms) if a.end is not None and times[a.start] >= open_one.detected_ms),
                       None)
        end_ms = times[cleared.end] if cleared is not None else now_ms
        with transaction.atomic():
            open_one.state, open_one.cleared_ms = Incident.State.CLEARED, end_ms
            open_one.save(update_fields=["state", "cleared_ms"])
            current = alerts.find_open_alert(SOURCE, key)
            if current is not None:
                alerts.resolve_alert(current.id, note="speed recovered", at=sensing.from_ms(end_ms))
        return "cleared"
    return ""


def on_speed_rows(rows, detectors: dict[int, int]) -> None:
    newest: dict[int, int] = {}
    for ds, ms, *_rest in rows:
        if ds in detectors and ms > newest.get(ds, -1):
            newest[ds] = ms
    for ds, ms in newest.items():
        try:
            judge(ds, detectors[ds], ms)
        except Exception:  # one detector's failure never stops the others
            log.exception("incident detection failed for datastream %s", ds)


def incidents(*, state: str | None = None):
    qs = Incident.objects.select_related("segment").order_by("-detected_ms")
    return qs.filter(state=state) if state else qs
