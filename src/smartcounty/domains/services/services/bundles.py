"""一件事一次办: a bundle item's one form and one set of materials, split into one application per item of the
bundle (each in its own department, on the same workflow), and joined back once every part is decided.

The bundle application itself has no case: its state is ``split`` (分办中) until every part has a result or a
refusal, then ``joined`` (已汇总)."""

from django.db import transaction
from django.utils import timezone

from smartcounty.domains.services.models import Application, ServiceItem
from smartcounty.domains.services.services.joins import STATE_NAMES
from smartcounty.kernel import audit, events
from smartcounty.kernel.problems import ApiError


def bundle_materials(code: str) -> list[dict]:
    """The bundle's one list of materials: each distinct material name of its items once."""
    item = ServiceItem.objects.filter(code=code[:24], is_published=True).first()
    if item is None:
        return []
    seen: dict[str, dict] = {}
    for part in item.parts.order_by("code").prefetch_related("materials"):
        for m in part.materials.all():
            row = seen.setdefault(m.name, {"name": m.name, "required": False, "formats": m.formats, "items": []})
            row["required"] = row["required"] or m.required
            row["items"].append(part.name)
    return list(seen.values())


def submit_bundle(actor, code: str, *, materials: list[dict] | None = None, consent: bool = False,
                  channel: str = "online", now=None, **applicant) -> dict:
    """``materials``: [{name, file_name, size, sha256 | content}] by material name, given once for all items."""
    from smartcounty.domains.services.services.applications import submit

    now = now or timezone.now()
    item = ServiceItem.objects.filter(code=(code or "")[:24], is_published=True).first()
    if item is None:
        raise ApiError(404, "not-found", "没有该事项")
    parts = list(item.parts.order_by("code").prefetch_related("materials"))
    if not parts:
        raise ApiError(422, "invalid", "该事项不是一件事套餐", field="item")
    by_name = {str(m.get("name")): m for m in (materials or [])}
    with transaction.atomic():
        parent = Application.objects.create(
            item=item, state="split", organisation_id=None, applicant_id=actor.pk if channel == "online" else None,
            applicant_name=(applicant.get("applicant_name") or getattr(actor, "display_name", "")
                            or actor.get_username()), applicant_id_number=applicant.get("applicant_id_number", ""),
            applicant_phone=applicant.get("applicant_phone", ""), channel=channel,
            clerk_id=actor.pk if channel == "window" else None, visits=1 if channel == "window" else 0,
            created_at=now)
        numbers = []
        for part in parts:
            given = [{**by_name[m.name], "material_id": m.id} for m in part.materials.all() if m.name in by_name]
            out = submit(actor, part.code, channel=channel, materials=given, consent=consent, bundle=parent, now=now,
                         **applicant)
            numbers.append(out["number"])
        parent.number = f"YJS{timezone.localtime(now):%Y%m%d}{parent.pk:06d}"
        parent.save(update_fields=["number"])
        audit.record("services.bundle_submit", actor=actor, obj=parent,
                     detail={"number": parent.number, "item": item.code, "parts": numbers})
        events.publish("services.bundle_split", {"id": parent.pk, "number": parent.number, "parts": numbers})
    return {"id": parent.pk, "number": parent.number, "state": parent.state, "parts": numbers}


def bundle_detail(scope, bundle_id: int) -> dict | None:
    from smartcounty.domains.services.services.applications import state_name
    from smartcounty.domains.services.services.scope import filter_applications, sees


    parent = Application.objects.select_related("item").filter(pk=bundle_id, case_id__isnull=True).first()
    if parent is None:
        return None
    parts = filter_applications(scope, Application.objects.filter(bundle_id=bundle_id)).select_related("item")
    if not sees(scope, parent) and not parts.exists():
        return None
    return {"id": parent.pk, "number": parent.number, "state": parent.state, "state_name": STATE_NAMES[parent.state],
            "item": {"code": parent.item.code, "name": parent.item.name}, "created_at": parent.created_at,
            "closed_at": parent.closed_at,
            "parts": [{"id": p.pk, "number": p.number, "item_name": p.item.name, "state": p.state,
                       "state_name": state_name(p.state)} for p in parts.order_by("id")]}
