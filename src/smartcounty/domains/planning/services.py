"""Planning services: the site pre-check of a parcel against the planning layers, and the checks' history.

Who may check and read checks: accounts with ``planning.check`` of the county natural resources and planning
bureau (县自然资源和规划局), and platform administrators (``reader`` is the one scoping rule: pages, API and
PDF all call it). A check is kept with its report as it was, so later layer versions do not change it.
"""

import time
from dataclasses import dataclass

from django.db import transaction

from smartcounty.domains.planning import verdicts
from smartcounty.domains.planning.models import Check, Rule, Verdict
from smartcounty.domains.planning.schemas import (
    CheckOut,
    CheckRow,
    FeatureHit,
    LayerResult,
    RuleOut,
    RuleResult,
)
from smartcounty.foundation.accounts import services as accounts
from smartcounty.foundation.places import services as places
from smartcounty.kernel import audit, authz
from smartcounty.kernel.problems import ApiError
from smartcounty.kernel.rows import Rows

AUTHORITY_CODE = "natural-resources"
MAX_FEATURES_LISTED = 100
VERDICT_NAMES = {"pass": "通过", "note": "提示", "warn": "警示", "block": "禁止"}


def authority_id() -> int | None:
    """The organisation that runs the pre-check (县自然资源和规划局)."""
    org = accounts.organisation(AUTHORITY_CODE)
    return org.id if org else None


def may_check(user) -> bool:
    return authz.user_has_perm(user, "planning.check", authority_id() or -1)


@dataclass(frozen=True)
class Scope:
    """Whose checks a user sees: every check (``organisation_id`` None) or those of one organisation."""

    allowed: bool
    organisation_id: int | None = None


def reader(user) -> Scope:
    if not may_check(user):
        return Scope(False)
    if getattr(user, "role", "") == "platform_admin" or getattr(user, "is_superuser", False):
        return Scope(True, None)
    return Scope(True, user.organisation_id)


def _rule(r: Rule) -> RuleOut:
    return RuleOut(code=r.code, title=r.title, layer_key=r.layer_key, condition=r.condition, min_share=r.min_share,
                   verdict=r.verdict, message=r.message, basis=r.basis)


def rules() -> list[RuleOut]:
    """The active rules, in order."""
    return [_rule(r) for r in Rule.objects.filter(active=True)]


def layer_keys() -> list[str]:
    """The layers the active rules look at, in rule order, each once."""
    return list(dict.fromkeys(Rule.objects.filter(active=True).values_list("layer_key", flat=True)))


def _layer_result(key: str, geometry: dict, area_m2: float) -> LayerResult:
    try:
        meta = places.layer(key)
    except ApiError:
        return LayerResult(key=key, name=key, missing=True)
    if meta.version is None:
        return LayerResult(key=key, name=meta.name, missing=True)
    found = places.layer_overlaps(key, geometry)
    overlap = found["overlap_m2"]
    inside, _ = verdicts.shares(area_m2, overlap)
    hits = sorted(found["features"], key=lambda f: -f["overlap_m2"])
    return LayerResult(
        key=key, name=meta.name, version=found["version"], overlap_m2=round(overlap, 2), share=round(inside, 6),
        outside_m2=round(max(0.0, area_m2 - overlap), 2), feature_count=len(hits),
        features=[FeatureHit(number=f["number"], name=f["name"], overlap_m2=round(f["overlap_m2"], 2),
                             share=round(f["overlap_m2"] / area_m2, 6) if area_m2 else 0,
                             properties=f["properties"]) for f in hits[:MAX_FEATURES_LISTED]],
        overlap_geometry=found["overlap_geometry"])


def evaluate(geometry: dict) -> tuple[float, list[LayerResult], list[RuleResult], str]:
    """(area m², per layer results, per rule results, overall verdict) of a parcel; nothing is stored."""
    area = places.parcel_area_m2(geometry)
    active = list(Rule.objects.filter(active=True))
    layers = {key: _layer_result(key, geometry, area) for key in dict.fromkeys(r.layer_key for r in active)}
    results = []
    for r in active:
        lr = layers[r.layer_key]
        hit = not lr.missing and verdicts.applies(r.condition, r.min_share, area, lr.overlap_m2)
        if lr.missing:
            results.append(RuleResult(code=r.code, title=r.title, layer_key=r.layer_key, applies=False,
                                      verdict=Verdict.WARN, message=f"图层“{lr.name}”尚无数据，本条未能核查"))
            continue
        results.append(RuleResult(code=r.code, title=r.title, layer_key=r.layer_key, applies=hit,
                                  verdict=r.verdict if hit else Verdict.PASS, message=r.message if hit else "",
                                  basis=r.basis))
    return area, list(layers.values()), results, verdicts.worst(x.verdict for x in results)


def precheck(geometry, *, name: str, actor, source: str = "drawn") -> CheckOut:
    """Check a parcel (GeoJSON in WGS84/CGCS2000) against every active rule and keep the check."""
    if not may_check(actor):
        raise ApiError(403, "forbidden")
    return record(geometry, name=name, user_id=actor.pk, organisation_id=actor.organisation_id, source=source,
                  actor=actor)


def record(geometry, *, name: str, user_id: int | None, organisation_id: int | None, source: str = "drawn",
           actor=None) -> CheckOut:
    """Run and keep a check for a user of an organisation (the caller has authorised it; the demo uses it)."""
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ApiError(422, "invalid", "地块名称为1-120个字", field="name")
    started = time.perf_counter()
    clean = places.parcel_geometry(geometry)
    area, layers, results, overall = evaluate(clean)
    report = {"layers": [lr.model_dump() for lr in layers], "rules": [r.model_dump() for r in results]}
    with transaction.atomic():
        c = Check.objects.create(name=name, geometry=clean, area_m2=area, verdict=overall, report=report,
                                 source=source[:20], created_by_id=user_id, organisation_id=organisation_id,
                                 duration_ms=round((time.perf_counter() - started) * 1000, 1))
        audit.record("planning.check", actor=actor, obj=c, organisation_id=organisation_id,
                     detail={"name": name, "area_m2": round(area, 1), "verdict": overall, "source": source})
    return _out(c)


def _out(c: Check) -> CheckOut:
    who = accounts.users_brief([c.created_by_id]).get(c.created_by_id) if c.created_by_id else None
    return CheckOut(id=c.pk, name=c.name, area_m2=c.area_m2, verdict=c.verdict, source=c.source,
                    created_at=c.created_at.isoformat(), created_by=who.display_name if who else "",
                    duration_ms=c.duration_ms, geometry=c.geometry,
                    layers=[LayerResult(**x) for x in c.report.get("layers", [])],
                    rules=[RuleResult(**x) for x in c.report.get("rules", [])])


def _row(d: dict) -> CheckRow:
    return CheckRow(id=d["id"], name=d["name"], area_m2=d["area_m2"], verdict=d["verdict"],
                    created_at=d["created_at"].isoformat(), created_by_id=d["created_by_id"])


def checks(scope: Scope, *, verdict: str | None = None) -> Rows:
    """The checks a scope sees, newest first (one query per page)."""
    if not scope.allowed:
        raise ApiError(403, "forbidden")
    qs = Check.objects.order_by("-created_at", "-id")
    if scope.organisation_id is not None:
        qs = qs.filter(organisation_id=scope.organisation_id)
    if verdict:
        if verdict not in VERDICT_NAMES:
            raise ApiError(422, "invalid", "结论只能是pass、note、warn或block", field="verdict")
        qs = qs.filter(verdict=verdict)
    return Rows(qs, _row, fields=("id", "name", "area_m2", "verdict", "created_at", "created_by_id"))


def check(pk: int, scope: Scope) -> CheckOut:
    """One check (404 when it is not there or not in the scope)."""
    if not scope.allowed:
        raise ApiError(403, "forbidden")
    qs = Check.objects.filter(pk=int(pk))
    if scope.organisation_id is not None:
        qs = qs.filter(organisation_id=scope.organisation_id)
    c = qs.first()
    if c is None:
        raise ApiError(404, "not-found")
    return _out(c)


def report_pdf(pk: int, scope: Scope) -> bytes:
    """The check's report as a PDF (A4, with a map of the parcel and the layers it meets)."""
    from smartcounty.domains.planning import pdf

    return pdf.render(check(pk, scope))
