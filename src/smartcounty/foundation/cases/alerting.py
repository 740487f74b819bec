"""Alerts open cases: ``alerts.raised`` (payload ``AlertFact``, see alerts/schemas.py) opens a case of the
type an ``AlertTrigger`` names, once per alert; ``alerts.resolved`` adds a public note to that case.

The payload is read by field name (a NamedTuple or a dict), so cases needs nothing from alerts' code.
"""

import logging

from django.db import transaction

from smartcounty.foundation.cases import engine
from smartcounty.foundation.cases.engine import all_case_types
from smartcounty.foundation.cases.models import AlertTrigger, Case
from smartcounty.kernel import audit
from smartcounty.kernel.problems import ApiError

log = logging.getLogger("smartcounty.cases")


def _get(payload, name, default=None):
    if isinstance(payload, dict):
        return payload.get(name, default)
    return getattr(payload, name, default)


def ref_of(payload) -> str:
    return f"alerts:{_get(payload, 'alert_id')}"


def set_trigger(*, case_type: str, property: str = "", source: str = "", min_level: int = 1, category: str = "",
                actor=None) -> AlertTrigger:
    engine.case_type(case_type)
    if not 1 <= int(min_level) <= 4:
        raise ApiError(422, "invalid", "min_level is 1 (blue) to 4 (red)", field="min_level")
    with transaction.atomic():
        trigger, _ = AlertTrigger.objects.update_or_create(
            property=property, source=source, case_type=case_type,
            defaults={"min_level": min_level, "category": category, "is_active": True})
        audit.record("cases.alert_trigger", actor=actor, obj=trigger,
                     detail={"property": property, "source": source, "min_level": min_level, "case_type": case_type})
    return trigger


def matching_triggers(payload) -> list[AlertTrigger]:
    prop, source, level = _get(payload, "property", "") or "", _get(payload, "source", "") or "", _get(payload, "level", 0)
    return [t for t in AlertTrigger.objects.filter(is_active=True, min_level__lte=level or 0).order_by("id")
            if t.property in ("", prop) and t.source in ("", source)]


def on_alert_raised(event: str, payload) -> list[int]:
    """Open one case per matching trigger (idempotent: an alert never opens two cases of a type)."""
    made = []
    ref = ref_of(payload)
    for trigger in matching_triggers(payload):
        if trigger.case_type not in all_case_types():
            continue
        if Case.objects.filter(case_type=trigger.case_type, external_ref=ref).exists():
            continue
        title = (_get(payload, "title") or "告警")[:200]
        value = _get(payload, "value")
        description = f"{title}（{_get(payload, 'level')}级告警" + (f"，数值 {value}" if value is not None else "") + "）"
        try:
            case = engine.create_case(trigger.case_type, title=title, category=trigger.category,
                                      description=description, grid_code=_get(payload, "grid") or "",
                                      town_code=_get(payload, "town") or "", source="alert", external_ref=ref,
                                      data={"alert_id": _get(payload, "alert_id"), "level": _get(payload, "level"),
                                            "property": _get(payload, "property")})
        except ApiError:
            log.exception("alert %s could not open a %s case", ref, trigger.case_type)
            continue
        made.append(case.pk)
    return made


def on_alert_resolved(event: str, payload) -> int:
    n = 0
    for case in Case.objects.filter(external_ref=ref_of(payload), is_closed=False):
        engine.comment(case.pk, actor=None, note="告警已解除", public=True)
        n += 1
    return n
