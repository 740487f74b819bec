"""The service-item catalogue (事项清单): search, one item with its materials, saving an item."""

from smartcounty.domains.services import catalogue
from smartcounty.domains.services.models import ItemType, Material, ServiceItem, Situation
from smartcounty.foundation.accounts import services as accounts
from smartcounty.kernel import audit
from smartcounty.kernel.problems import ApiError
from smartcounty.kernel.rows import Rows

ITEM_FIELDS = ("id", "code", "name", "item_type", "situation", "organisation_code", "organisation_id",
               "promised_days", "legal_days", "visits", "online_depth", "fee", "licence_type")
MAX_QUERY = 40


def _org_names() -> dict[str, str]:
    return {o.code: o.name for o in accounts.organisations()}


def search_text(item: ServiceItem, org_name: str = "") -> str:
    return " ".join(p for p in (item.name, item.code, item.keywords, org_name, item.result_name) if p).lower()[:600]


def save_item(item: ServiceItem, *, actor=None) -> int:
    """Check and save an item (the code's shape, the organisation), keeping its search text and the limits."""
    if not catalogue.valid_code(item.code):
        raise ApiError(422, "invalid", "事项编码不符合 GB/T 39554.1 的结构（区划6位+类型2位+部门3位+主项3位+子项3位+情形2位）",
                       field="code")
    org = accounts.organisation(item.organisation_code)
    if org is None:
        raise ApiError(422, "invalid", "实施机构不存在", field="organisation_code")
    item.organisation_id = org.id
    item.search_text = search_text(item, org.name)
    created = item.pk is None
    item.save()
    catalogue.ITEM_LIMITS.changed()
    audit.record("services.item_created" if created else "services.item_changed", actor=actor, obj=item,
                 detail={"code": item.code})
    return item.pk


def _row(r: dict, names: dict) -> dict:
    return {**r, "organisation_name": names.get(r["organisation_code"], ""),
            "type_name": ItemType(r["item_type"]).label if r["item_type"] in ItemType.values else "",
            "situation_name": Situation(r["situation"]).label if r["situation"] else "",
            "instant": r["promised_days"] == 0}


def search(q: str = "", *, item_type: str = "", organisation_code: str = "", published_only: bool = True,
           bundles: bool | None = None) -> Rows:
    """Published items matching every word of ``q`` (name, code, keywords, organisation), by code."""
    qs = ServiceItem.objects.all()
    if published_only:
        qs = qs.filter(is_published=True)
    for word in (q or "").lower().split()[:5]:
        qs = qs.filter(search_text__contains=word[:MAX_QUERY])
    if item_type:
        qs = qs.filter(item_type=item_type)
    if organisation_code:
        qs = qs.filter(organisation_code=organisation_code)
    if bundles is not None:
        qs = qs.filter(parts__isnull=not bundles).distinct() if bundles else qs.filter(parts__isnull=True)
    names = _org_names()
    return Rows(qs.order_by("code"), lambda r: _row(r, names), fields=ITEM_FIELDS)


def _material(m: Material) -> dict:
    return {"id": m.id, "order": m.order, "name": m.name, "form": m.form, "form_name": m.get_form_display(),
            "count": m.count, "required": m.required, "condition": m.condition, "formats": m.formats,
            "blank_form": m.blank_form, "sample": m.sample, "licence_type": m.licence_type}


def item_detail(code: str, *, published_only: bool = True) -> dict | None:
    qs = ServiceItem.objects.filter(code=code[:24])
    if published_only:
        qs = qs.filter(is_published=True)
    item = qs.prefetch_related("materials", "parts").first()
    if item is None:
        return None
    names = _org_names()
    d = _row({f: getattr(item, f) for f in ITEM_FIELDS}, names)
    d.update({f: getattr(item, f) for f in ("legal_basis", "conditions", "fee_basis", "place", "hours",
                                             "consult_phone", "complaint_phone", "result_name", "licence_years",
                                             "keywords")})
    d["online_depth_name"] = catalogue.ONLINE_DEPTHS.get(item.online_depth, "")
    d["materials"] = [_material(m) for m in item.materials.all()]
    d["parts"] = [{"code": p.code, "name": p.name, "organisation_name": names.get(p.organisation_code, "")}
                  for p in item.parts.all()]
    d["is_bundle"] = bool(d["parts"])
    if item.parent_id:
        d["parent"] = ServiceItem.objects.filter(pk=item.parent_id).values("code", "name").first()
    return d


def types() -> list[tuple[str, str]]:
    return [(v, str(label)) for v, label in ItemType.choices]


def organisations_with_items() -> list[tuple[str, str]]:
    names = _org_names()
    codes = ServiceItem.objects.filter(is_published=True).values_list("organisation_code", flat=True).distinct()
    return sorted(((c, names.get(c, c)) for c in codes), key=lambda p: p[0])


def open_data_rows() -> list[dict]:
    names = _org_names()
    return [{"code": r["code"], "name": r["name"], "type": _row(r, names)["type_name"],
             "organisation": names.get(r["organisation_code"], ""), "promised_days": r["promised_days"],
             "legal_days": r["legal_days"], "visits": r["visits"], "online_depth": r["online_depth"],
             "fee": r["fee"] or "不收费"}
            for r in ServiceItem.objects.filter(is_published=True).order_by("code").values(*ITEM_FIELDS)]

