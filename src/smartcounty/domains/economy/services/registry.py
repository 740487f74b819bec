"""The enterprise registry: who may see what, validation of one record, reads, 企业上云 and parks."""

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from smartcounty.domains.economy import industries
from smartcounty.domains.economy.models import CloudStatus, Enterprise, Park
from smartcounty.domains.economy.schemas import EnterpriseBrief
from smartcounty.foundation.accounts import services as accounts
from smartcounty.foundation.places import services as places
from smartcounty.kernel import audit, authz, codes, masking
from smartcounty.kernel.problems import ApiError

#: The organisation that keeps the registry (工业和信息化局 by default).
OWNER_SETTING = "SMARTCOUNTY_ECONOMY_ORGANISATION"
KIND_NAMES = dict(Enterprise.Kind.choices)
SIZE_NAMES = dict(Enterprise.Size.choices)
LEVEL_NAMES = dict(CloudStatus.Level.choices)
#: The kernel's reasons for a bad credit code, in this module's catalogue.
CODE_REASONS = (
    gettext_noop("a credit code has 18 characters"),
    gettext_noop("a credit code uses digits and capital letters other than I, O, S, V, Z"),
    gettext_noop("unknown registration authority"),
    gettext_noop("positions 3-8 of a credit code are a division code"),
    gettext_noop("the credit code's check character is wrong"),
    gettext_noop("the organisation code in the credit code has a wrong check character"),
)
#: GB 32100 registration authorities an enterprise's code may come from: 9 工商, N 农业 (集体经济组织).
ENTERPRISE_AUTHORITIES = ("9", "N")


def owner_organisation_id() -> int | None:
    org = accounts.organisation(getattr(settings, OWNER_SETTING, "industry-it"))
    return org.id if org else None


@dataclass(frozen=True)
class Scope:
    """What a user sees: the whole registry, or the enterprises of the parks their organisation runs."""

    all: bool
    park_ids: tuple[int, ...] = ()
    contacts: bool = False
    manage: bool = False

    def filter(self, qs, park_field: str = "park_id"):
        return qs if self.all else qs.filter(**{f"{park_field}__in": self.park_ids})


def scope_of(user) -> Scope | None:
    """The one scoping rule of the module (pages, API and panels use it). None: nothing.

    The registry's organisation sees and keeps everything; a park's organisation sees its parks' enterprises
    (contacts unmasked for its administrators); the staff of every other department read the whole registry
    with contacts masked; residents see nothing."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    owner = owner_organisation_id()
    if authz.user_has_perm(user, "economy.view", owner if owner is not None else -1):
        return Scope(True, contacts=authz.user_has_perm(user, "economy.view_contacts", owner),
                     manage=authz.user_has_perm(user, "economy.manage", owner))
    org = getattr(user, "organisation_id", None)
    if org and authz.user_has_perm(user, "economy.view", org):
        parks = tuple(Park.objects.filter(organisation_id=org).values_list("id", flat=True))
        if parks:
            return Scope(False, parks, contacts=authz.user_has_perm(user, "economy.view_contacts", org))
        # every other department shares the one registry, read-only and with the contacts masked
        return Scope(True)
    return None


def require_scope(user) -> Scope:
    if user is None:
        raise ApiError(401, "not-authenticated")
    scope = scope_of(user)
    if scope is None:
        raise ApiError(403, "forbidden")
    return scope


def require_manage(user) -> Scope:
    scope = require_scope(user)
    if not scope.manage:
        raise ApiError(403, "forbidden")
    return scope


# ---- validation ------------------------------------------------------------------------------------


def _towns() -> dict[str, str]:
    """Town code and name -> code."""
    out = {}
    for t in places.towns():
        out[t.code] = t.code
        out[t.name] = t.code
    return out


def _parks() -> dict[str, int]:
    out = {}
    for pk, code, name in Park.objects.values_list("id", "code", "name"):
        out[code] = pk
        out[name] = pk
    return out


def _choice(value, choices, names: dict, column: str, errors: list, default: str):
    text = str(value or "").strip()
    if not text:
        return default
    if text in choices:
        return text
    for code, label in names.items():
        if text == str(label) or text == _zh(label):
            return code
    errors.append((column, _("unknown value %(value)s") % {"value": text}))
    return default


def _zh(label) -> str:
    from django.utils import translation

    with translation.override("zh-hans"):
        return str(label)


def clean(raw: dict, *, towns: dict | None = None, parks: dict | None = None) -> tuple[dict, list]:
    """One record checked: (clean fields, [(column, message), ...])."""
    towns = _towns() if towns is None else towns
    parks = _parks() if parks is None else parks
    errors: list = []
    out: dict = {}
    try:
        cc = codes.validate_uscc(raw.get("uscc"))
        if cc.authority not in ENTERPRISE_AUTHORITIES:
            errors.append(("uscc", _("the credit code is not one of an enterprise (registration authority 9 or N)")))
        out["uscc"] = cc.code
    except codes.CodeError as exc:
        errors.append(("uscc", _("the unified social credit code is not valid: %(reason)s") % {"reason": _(str(exc))}))
    name = str(raw.get("name") or "").strip()
    if not name:
        errors.append(("name", _("a name is required")))
    elif len(name) > 120:
        errors.append(("name", _("a name has at most 120 characters")))
    out["name"] = name[:120]
    try:
        out["industry"] = industries.normalise(raw.get("industry"))
    except ApiError as exc:
        errors.append(("industry", exc.detail))
    out["kind"] = _choice(raw.get("kind"), Enterprise.Kind.values, KIND_NAMES, "kind", errors, "limited")
    out["size"] = _choice(raw.get("size"), Enterprise.Size.values, SIZE_NAMES, "size", errors, "small")
    town = str(raw.get("town") or "").strip()
    out["town_code"] = towns.get(town, "") if town else ""
    if town and not out["town_code"]:
        errors.append(("town", _("%(value)s is not a town of the county") % {"value": town}))
    park = str(raw.get("park") or "").strip()
    out["park_id"] = parks.get(park) if park else None
    if park and out["park_id"] is None:
        errors.append(("park", _("%(value)s is not a park") % {"value": park}))
    for field, n in (("contact_name", 40), ("contact_phone", 20), ("address", 200)):
        text = str(raw.get(field) or "").strip()
        if len(text) > n:
            errors.append((field, _("at most %(n)s characters") % {"n": n}))
        out[field] = text[:n]
    phone = out["contact_phone"]
    if phone and not (masking.looks_like_phone(phone) or phone.replace("-", "").isdigit()):
        errors.append(("contact_phone", _("%(value)s is not a telephone number") % {"value": phone}))
    reg = raw.get("registered_on")
    if isinstance(reg, datetime):
        reg = reg.date()
    elif isinstance(reg, str) and reg.strip():
        try:
            reg = date.fromisoformat(reg.strip()[:10])
        except ValueError:
            errors.append(("registered_on", _("%(value)s is not a date (year-month-day)") % {"value": reg}))
            reg = None
    elif reg not in (None, "") and not isinstance(reg, date):
        errors.append(("registered_on", _("%(value)s is not a date (year-month-day)") % {"value": reg}))
        reg = None
    if isinstance(reg, date) and reg > date.today():
        errors.append(("registered_on", _("the registration date is in the future")))
    out["registered_on"] = reg or None
    return out, errors


@transaction.atomic
def save_enterprise(raw: dict, *, actor=None, source: str = "manual") -> int:
    """Create or update (by credit code) one enterprise; 422 naming the first bad field."""
    data, errors = clean(raw)
    if errors:
        column, message = errors[0]
        raise ApiError(422, "invalid", message, field=column,
                       errors=[{"field": c, "message": m} for c, m in errors])
    ent, created = Enterprise.objects.update_or_create(uscc=data.pop("uscc"), defaults={**data, "source": source})
    audit.record("economy.enterprise_create" if created else "economy.enterprise_update", actor=actor, obj=ent,
                 detail={"uscc": ent.uscc, "name": ent.name})
    return ent.pk


# ---- reads ------------------------------------------------------------------------------------------


def _out(e: Enterprise, town_names: dict, scope: Scope) -> dict:
    try:
        cloud = e.cloud
    except CloudStatus.DoesNotExist:
        cloud = None
    name, phone = e.contact_name, e.contact_phone
    if not scope.contacts:
        name, phone = masking.mask_name(name), masking.mask_phone(phone)
    return {"id": e.pk, "uscc": e.uscc, "name": e.name, "kind": e.kind, "kind_name": str(KIND_NAMES.get(e.kind, "")),
            "industry": e.industry, "industry_name": industries.name(e.industry), "town_code": e.town_code,
            "town_name": town_names.get(e.town_code, ""), "park_id": e.park_id,
            "park_name": e.park.name if e.park_id else "", "size": e.size,
            "size_name": str(SIZE_NAMES.get(e.size, "")), "contact_name": name or "", "contact_phone": phone or "",
            "address": masking.mask_address(e.address) if (e.address and not scope.contacts) else e.address,
            "registered_on": e.registered_on, "cloud_level": cloud.level if cloud else None,
            "cloud_level_name": str(LEVEL_NAMES[cloud.level]) if cloud else "",
            "cloud_provider": cloud.provider if cloud else "", "cloud_since": cloud.since if cloud else None}


class Page:
    """A lazily counted, lazily sliced list of enterprises for the paginator (one COUNT, one SELECT)."""

    def __init__(self, qs, scope: Scope, actor):
        self.qs, self.scope, self.actor = qs, scope, actor

    def count(self) -> int:
        return self.qs.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, s):
        rows = list(self.qs[s]) if isinstance(s, slice) else [self.qs[s]]
        names = {t.code: t.name for t in places.towns()}
        out = [_out(e, names, self.scope) for e in rows]
        if self.scope.contacts and rows:
            audit.record("economy.read_contacts", actor=self.actor, object_type="economy.enterprise",
                         detail={"ids": [e.pk for e in rows]})
        return out if isinstance(s, slice) else out[0]


def enterprises(scope: Scope, *, actor=None, q: str = "", town: str = "", industry: str = "", park_id=None,
                size: str = "", cloud: bool | None = None) -> Page:
    qs = scope.filter(Enterprise.objects.select_related("park", "cloud"))
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(uscc=q.upper()))
    if town:
        qs = qs.filter(town_code=town)
    if industry:
        qs = qs.filter(industry__startswith=industry.upper())
    if park_id:
        qs = qs.filter(park_id=park_id)
    if size:
        qs = qs.filter(size=size)
    if cloud is not None:
        qs = qs.filter(cloud__isnull=not cloud)
    return Page(qs.order_by("id"), scope, actor)


def enterprise_detail(scope: Scope, enterprise_id: int, *, actor=None) -> dict:
    qs = scope.filter(Enterprise.objects.select_related("park", "cloud")).filter(pk=enterprise_id)
    page = Page(qs, scope, actor)[0:1]
    if not page:
        raise ApiError(404, "not-found")
    return page[0]


def enterprise_by_uscc(uscc: str) -> EnterpriseBrief | None:
    """For other modules (traceability: a producer by credit code)."""
    e = Enterprise.objects.filter(uscc=str(uscc or "").strip().upper()).first()
    return EnterpriseBrief(e.pk, e.uscc, e.name, e.industry, e.town_code, e.park_id) if e else None


def enterprises_brief(ids) -> dict[int, EnterpriseBrief]:
    return {e.pk: EnterpriseBrief(e.pk, e.uscc, e.name, e.industry, e.town_code, e.park_id)
            for e in Enterprise.objects.filter(pk__in=list(ids))}


# ---- 企业上云 ---------------------------------------------------------------------------------------


@transaction.atomic
def set_cloud(enterprise_id: int, *, level: int, provider: str, since: date, actor=None) -> None:
    if level not in LEVEL_NAMES:
        raise ApiError(422, "invalid", _("level is 1, 2 or 3"), field="level")
    if since > date.today():
        raise ApiError(422, "invalid", _("since cannot be in the future"), field="since")
    ent = Enterprise.objects.filter(pk=enterprise_id).first()
    if ent is None:
        raise ApiError(404, "not-found")
    CloudStatus.objects.update_or_create(enterprise=ent, defaults={"level": level, "provider": provider.strip(),
                                                                   "since": since})
    audit.record("economy.cloud", actor=actor, obj=ent, detail={"level": level, "provider": provider,
                                                                "since": since})


def cloud_statistics(scope: Scope) -> dict:
    """County (or park) figures: enterprises, how many are on the cloud, by level, provider, town, industry."""
    ents = scope.filter(Enterprise.objects.all())
    total = ents.count()
    clouds = scope.filter(CloudStatus.objects.all(), "enterprise__park_id")
    by_level = dict(clouds.values_list("level").annotate(n=Count("id")).order_by())
    on = sum(by_level.values())
    providers = list(clouds.values("provider").annotate(n=Count("id")).order_by("-n", "provider")[:20])
    town_names = {t.code: t.name for t in places.towns()}
    towns = []
    for row in (ents.values("town_code").annotate(n=Count("id"), on=Count("cloud")).order_by("town_code")):
        towns.append({"town_code": row["town_code"], "town_name": town_names.get(row["town_code"], "—"),
                      "enterprises": row["n"], "on_cloud": row["on"],
                      "rate": round(row["on"] / row["n"], 4) if row["n"] else None})
    sections: dict = {}
    for code, n, c in ents.values_list("industry").annotate(n=Count("id"), on=Count("cloud")).order_by():
        s = sections.setdefault(code[:1], {"section": code[:1], "name": industries.SECTIONS[code[:1]][0],
                                           "enterprises": 0, "on_cloud": 0})
        s["enterprises"] += n
        s["on_cloud"] += c
    return {"enterprises": total, "on_cloud": on, "rate": round(on / total, 4) if total else None,
            "by_level": [{"level": lv, "name": str(LEVEL_NAMES[lv]), "count": by_level.get(lv, 0)}
                         for lv in LEVEL_NAMES],
            "by_provider": [{"provider": r["provider"], "count": r["n"]} for r in providers],
            "by_town": towns, "by_industry": sorted(sections.values(), key=lambda r: r["section"])}


# ---- parks ------------------------------------------------------------------------------------------


@transaction.atomic
def save_park(*, code: str, name: str, town_code: str = "", organisation_id=None, area_ha=None, lon=None,
              lat=None, description: str = "", actor=None) -> int:
    if town_code and places.town(town_code) is None:
        raise ApiError(422, "invalid", _("%(value)s is not a town of the county") % {"value": town_code}, field="town_code")
    park, created = Park.objects.update_or_create(code=code, defaults={
        "name": name, "town_code": town_code, "organisation_id": organisation_id, "area_ha": area_ha, "lon": lon,
        "lat": lat, "description": description})
    audit.record("economy.park_save", actor=actor, obj=park, detail={"code": code, "created": created})
    return park.pk


def parks(scope: Scope) -> list[dict]:
    qs = Park.objects.annotate(n=Count("enterprises")).order_by("code")
    if not scope.all:
        qs = qs.filter(pk__in=scope.park_ids)
    return [{"id": p.pk, "code": p.code, "name": p.name, "town_code": p.town_code,
             "organisation_id": p.organisation_id, "area_ha": p.area_ha, "lon": p.lon, "lat": p.lat,
             "enterprises": p.n} for p in qs]


def park_in_scope(scope: Scope, park_id: int) -> dict:
    for p in parks(scope):
        if p["id"] == park_id:
            return p
    raise ApiError(404, "not-found")
