"""Agriculture services: farms and plots, seasons, field sensors through sensing, warnings raised as alerts
and the advisories residents read on the portal. Other modules import only this and ``schemas``.

Warnings (``check``): pest catch over a trap's threshold, frost from the field temperature (the weather
module's frost signal), soil drought by GB/T 32136-2015; each an alert (source ``agriculture``) while it
holds, and an advisory on the portal when it is first raised."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry import shape

from smartcounty.domains.agriculture import warnings
from smartcounty.domains.agriculture.models import Advisory, Crop, Farm, Plot, Season, Sensor
from smartcounty.foundation.accounts import services as accounts
from smartcounty.foundation.alerts import services as alerts
from smartcounty.foundation.places import services as places
from smartcounty.foundation.sensing import services as sensing
from smartcounty.kernel import audit, authz, codes, masking
from smartcounty.kernel.problems import ApiError

OWNER_SETTING = "SMARTCOUNTY_AGRICULTURE_ORGANISATION"
SOURCE = "agriculture"
PROPERTY = {"soil": "soil_moisture", "weather": "temperature", "pest_trap": "pest_count"}
KIND_OF = {v: k for k, v in PROPERTY.items()}
CROP_NAMES = dict(Crop.choices)
MU_PER_M2 = 1 / 666.6667  # 1 亩 = 10000/15 m²
#: the authalic (equal-area) radius of the WGS84 ellipsoid, m
AUTHALIC_RADIUS = 6_371_007.2
DAY = timedelta(days=1)


def owner_organisation_id() -> int | None:
    org = accounts.organisation(getattr(settings, OWNER_SETTING, "agriculture"))
    return org.id if org else None


@dataclass(frozen=True)
class Scope:
    manage: bool
    contacts: bool


def scope_of(user) -> Scope | None:
    """Staff of the agriculture bureau see and keep every farm (its administrators see farmers' ID numbers);
    staff of other departments read the farms with farmers' names and ID numbers masked; residents nothing."""
    owner = owner_organisation_id()
    if user is None:
        return None
    if authz.user_has_perm(user, "agriculture.view", owner if owner is not None else -1):
        return Scope(authz.user_has_perm(user, "agriculture.manage", owner),
                     authz.user_has_perm(user, "agriculture.view_personal", owner))
    org = getattr(user, "organisation_id", None)
    if org and authz.user_has_perm(user, "agriculture.view", org):
        return Scope(False, False)  # other departments: read-only, farmers' data masked
    return None


def require_scope(user, *, manage: bool = False) -> Scope:
    if user is None:
        raise ApiError(401, "not-authenticated")
    scope = scope_of(user)
    if scope is None or (manage and not scope.manage):
        raise ApiError(403, "forbidden")
    return scope


# ---- farms and plots --------------------------------------------------------------------------------


def _operator(kind: str, code: str) -> str:
    try:
        if kind == "uscc":
            return codes.validate_uscc(code).code
        if kind == "id":
            return codes.validate_resident_id(code).number
    except codes.CodeError as exc:
        raise ApiError(422, "invalid", _("the operator's code is not valid: %(r)s") % {"r": exc},
                       field="operator_code") from None
    raise ApiError(422, "invalid", _("an operator is identified by credit code or ID number"), field="operator_kind")


@transaction.atomic
def create_farm(*, name: str, operator_kind: str, operator_code: str, operator_name: str, town_code: str = "",
                lon=None, lat=None, actor=None) -> int:
    code = _operator(operator_kind, operator_code)
    if town_code and places.town(town_code) is None:
        raise ApiError(422, "invalid", _("%(v)s is not a town of the county") % {"v": town_code}, field="town_code")
    farm = Farm.objects.create(name=name[:120], operator_kind=operator_kind, operator_code=code,
                               operator_name=operator_name[:120], town_code=town_code, lon=lon, lat=lat,
                               organisation_id=owner_organisation_id())
    audit.record("agriculture.farm_create", actor=actor, obj=farm, detail={"name": name})
    return farm.pk


def _ring_area(coords) -> float:
    """Area (m²) of a ring on the authalic sphere: A = R²/2 |Σ (λ2 - λ1)(2 + sin φ1 + sin φ2)|
    (Chamberlain and Duquette, Some algorithms for polygons on a sphere, JPL 2007)."""
    import math

    total = 0.0
    pts = list(coords)
    for (lon1, lat1), (lon2, lat2) in zip(pts, pts[1:] + pts[:1], strict=True):
        total += math.radians(lon2 - lon1) * (2 + math.sin(math.radians(lat1)) + math.sin(math.radians(lat2)))
    return abs(total) * AUTHALIC_RADIUS ** 2 / 2


def _polygon_area(poly) -> float:
    return _ring_area(poly.exterior.coords[:-1]) - sum(_ring_area(r.coords[:-1]) for r in poly.interiors)


def plot_area_mu(geometry: dict) -> float:
    """Area of a polygon (WGS84 lon/lat) in 亩, on the authalic sphere (within 0.3 % of the ellipsoid's)."""
    try:
        geom = shape(geometry)
    except (AttributeError, KeyError, TypeError, ValueError):
        raise ApiError(422, "invalid", _("the boundary is not a GeoJSON polygon"), field="geometry") from None
    if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty or not geom.is_valid:
        raise ApiError(422, "invalid", _("the boundary is not a valid polygon"), field="geometry")
    parts = list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]
    return round(sum(_polygon_area(p) for p in parts) * MU_PER_M2, 2)


@transaction.atomic
def add_plot(farm_id: int, *, name: str, geometry: dict, actor=None) -> int:
    farm = Farm.objects.filter(pk=farm_id).first()
    if farm is None:
        raise ApiError(404, "not-found")
    area = plot_area_mu(geometry)
    min_lon, min_lat, max_lon, max_lat = shape(geometry).bounds
    plot = Plot.objects.create(farm=farm, name=name[:80], geometry=geometry, area_mu=area, min_lon=min_lon,
                               min_lat=min_lat, max_lon=max_lon, max_lat=max_lat)
    audit.record("agriculture.plot_add", actor=actor, obj=plot, detail={"farm": farm.pk, "area_mu": area})
    return plot.pk


@transaction.atomic
def add_season(plot_id: int, *, crop: str, sown_on: date, harvest_on: date | None = None, actor=None) -> int:
    if crop not in CROP_NAMES:
        raise ApiError(422, "invalid", _("unknown crop"), field="crop")
    if harvest_on and harvest_on < sown_on:
        raise ApiError(422, "invalid", _("the harvest is before the sowing"), field="harvest_on")
    plot = Plot.objects.filter(pk=plot_id).first()
    if plot is None:
        raise ApiError(404, "not-found")
    s = Season.objects.create(plot=plot, crop=crop, sown_on=sown_on, harvest_on=harvest_on)
    audit.record("agriculture.season_add", actor=actor, obj=s, detail={"crop": crop})
    return s.pk


@transaction.atomic
def add_sensor(farm_id: int, *, kind: str, code: str, lon: float, lat: float, pest: str = "", threshold=None,
               is_demo: bool = False, actor=None) -> int:
    if kind not in PROPERTY:
        raise ApiError(422, "invalid", _("kind is soil, weather or pest_trap"), field="kind")
    if kind == "pest_trap" and not (threshold and threshold > 0):
        raise ApiError(422, "invalid", _("a pest trap needs a positive daily threshold"), field="threshold")
    farm = Farm.objects.filter(pk=farm_id).first()
    if farm is None:
        raise ApiError(404, "not-found")
    found = Sensor.objects.filter(code=code).first()
    if found:
        return found.pk
    thing = sensing.create_thing(f"agri-{code}", f"{farm.name}{Sensor.Kind(kind).label}", lon=lon, lat=lat,
                                 kind=f"agri_{kind}", organisation_id=farm.organisation_id, is_demo=is_demo,
                                 properties={"farm": farm.pk})
    ds = sensing.create_datastream(thing, PROPERTY[kind], expected_interval_s=3600)
    s = Sensor.objects.create(farm=farm, kind=kind, code=code, thing_id=thing.pk, datastream_id=ds.pk, pest=pest,
                              threshold=threshold)
    audit.record("agriculture.sensor_add", actor=actor, obj=s, detail={"kind": kind})
    return s.pk


def farms(scope: Scope, *, town: str = "", q: str = "") -> "FarmPage":
    qs = Farm.objects.annotate(plots_n=Count("plots", distinct=True), area=Sum("plots__area_mu"))
    if town:
        qs = qs.filter(town_code=town)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(operator_name__contains=q))
    return FarmPage(qs.order_by("id"), scope)


def _farm_out(f: Farm, scope: Scope, names: dict) -> dict:
    personal = f.operator_kind == "id" and not scope.contacts
    return {"id": f.pk, "name": f.name, "operator_kind": f.operator_kind,
            "operator_code": masking.mask_id_number(f.operator_code) if personal else f.operator_code,
            "operator_name": masking.mask_name(f.operator_name) if personal else f.operator_name,
            "town_code": f.town_code, "town_name": names.get(f.town_code, ""), "lon": f.lon, "lat": f.lat,
            "plots": getattr(f, "plots_n", None), "area_mu": round(getattr(f, "area", 0) or 0, 2)}


class FarmPage:
    def __init__(self, qs, scope):
        self.qs, self.scope = qs, scope

    def count(self):
        return self.qs.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, s):
        names = {t.code: t.name for t in places.towns()}
        rows = [_farm_out(f, self.scope, names) for f in (self.qs[s] if isinstance(s, slice) else [self.qs[s]])]
        return rows if isinstance(s, slice) else rows[0]


def farm_detail(scope: Scope, farm_id: int, *, actor=None, today: date | None = None) -> dict:
    f = Farm.objects.annotate(plots_n=Count("plots", distinct=True), area=Sum("plots__area_mu")).filter(
        pk=farm_id).first()
    if f is None:
        raise ApiError(404, "not-found")
    if scope.contacts and f.operator_kind == "id":
        audit.record("agriculture.read_personal", actor=actor, obj=f, detail={"farm": f.pk})
    out = _farm_out(f, scope, {t.code: t.name for t in places.towns()})
    today = today or timezone.localdate()
    seasons = {}
    for s in Season.objects.filter(plot__farm=f).order_by("plot_id", "-sown_on"):
        seasons.setdefault(s.plot_id, []).append({
            "crop": s.crop, "crop_name": str(CROP_NAMES[s.crop]), "sown_on": s.sown_on, "harvest_on": s.harvest_on,
            "active": s.sown_on <= today and (s.harvest_on is None or s.harvest_on >= today)})
    out["plot_list"] = [{"id": p.pk, "name": p.name, "area_mu": p.area_mu, "geometry": p.geometry,
                         "seasons": seasons.get(p.pk, [])} for p in f.plots.order_by("id")]
    out["sensors"] = [{"id": s.pk, "kind": s.kind, "kind_name": str(Sensor.Kind(s.kind).label), "code": s.code,
                       "datastream_id": s.datastream_id, "pest": s.pest, "threshold": s.threshold}
                      for s in f.sensors.order_by("id")]
    return out


def plots_geojson(scope: Scope | None, bbox=None) -> dict:
    """Plots inside ``bbox`` as GeoJSON (the cockpit's layer passes no scope: its panel has a permission)."""
    qs = Plot.objects.select_related("farm")
    if bbox:
        w, s, e, n = places.check_bbox(bbox)
        qs = qs.filter(max_lon__gte=w, min_lon__lte=e, max_lat__gte=s, min_lat__lte=n)
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": p.geometry, "properties": {"id": p.pk, "name": p.name, "farm": p.farm.name,
                                                                   "farm_id": p.farm_id, "area_mu": p.area_mu}}
        for p in qs.order_by("id")[:2000]]}


# ---- warnings ---------------------------------------------------------------------------------------


def _growing(farm_ids, today: date) -> set[int]:
    return set(Season.objects.filter(plot__farm_id__in=list(farm_ids), sown_on__lte=today)
               .filter(Q(harvest_on__isnull=True) | Q(harvest_on__gte=today))
               .values_list("plot__farm_id", flat=True))


def _advise(key: str, title: str, body: str, town: str, at: datetime) -> None:
    if not Advisory.objects.filter(key=key, published_at__gte=at - DAY).exists():
        Advisory.objects.create(title=title[:120], body=body, town_code=town, published_at=at, source="warning",
                                key=key)


def _set(key: str, level: int, *, title: str, sensor: Sensor, value, at: datetime, advice: str = "",
         detail: dict | None = None) -> None:
    current = alerts.find_open_alert(SOURCE, key)
    if level:
        out = alerts.raise_alert(source=SOURCE, key=key, title=title, level=level,
                                 property=PROPERTY[sensor.kind], thing_id=sensor.thing_id,
                                 datastream_id=sensor.datastream_id, town=sensor.farm.town_code,
                                 organisation_id=sensor.farm.organisation_id, value=value, at=at, detail=detail)
        if out.created and advice:
            _advise(key, title, advice, sensor.farm.town_code, at)
    elif current is not None and value is not None:
        alerts.resolve_alert(current.id, value=value, at=at, note="已解除")


def check(at: datetime, *, datastream_ids=None) -> list[dict]:
    """Judge the field sensors (all, or those given) at ``at``; two aggregate queries for all of them."""
    qs = Sensor.objects.select_related("farm")
    if datastream_ids is not None:
        qs = qs.filter(datastream_id__in=list(datastream_ids))
    sensors = list(qs)
    if not sensors:
        return []
    ids = [s.datastream_id for s in sensors]
    day = sensing.window_stats(ids, sensing.to_ms(at - DAY), sensing.to_ms(at))
    growing = _growing({s.farm_id for s in sensors}, (at + timedelta(hours=8)).date())
    out = []
    for s in sensors:
        n, total, lo, _hi = day.get(s.datastream_id, (0, None, None, None))
        key = f"{s.kind}:{s.code}"
        if s.kind == "pest_trap":
            level = warnings.pest_level(total if n else None, s.threshold)
            _set(key, level, sensor=s, value=total if n else None, at=at,
                 title=f"{s.farm.name}{s.pest}诱捕量{total or 0:g}头/日，超过防治指标{s.threshold:g}头",
                 advice=f"{s.farm.name}及周边{s.pest}虫量上升，请及时开展统防统治，按农药安全间隔期用药。",
                 detail={"catch": total, "threshold": s.threshold})
        elif s.kind == "weather":
            signal = warnings.frost_signal(lo) if s.farm_id in growing else None
            level = signal.rank if signal else 0
            _set(key, level, sensor=s, value=lo, at=at,
                 title=f"{s.farm.name}{signal.name if signal else ''}：近24小时最低气温{lo if lo is not None else 0:g}℃",
                 advice="霜冻风险：果园可熏烟、灌水或覆盖防霜，设施农业注意保温。",
                 detail={"signal": signal.code if signal else "", "tmin": lo})
        else:
            latest = (total / n) if n else None
            level = warnings.drought_level(latest)
            _set(key, level, sensor=s, value=latest, at=at,
                 title=f"{s.farm.name}土壤{warnings.DROUGHT_NAMES.get(level, '')}：相对湿度{latest or 0:.0f}%",
                 advice="土壤墒情偏旱，请适时灌溉保墒。", detail={"relative_moisture": latest})
        out.append({"sensor": s.code, "kind": s.kind, "level": level})
    return out


def on_observations(event: str, payload) -> None:
    from smartcounty.foundation.sensing.schemas import ObservationBatch

    batch = ObservationBatch.of(payload)
    watched = batch.properties & set(KIND_OF)
    if not watched:
        return
    ids, newest = set(), None
    for code in watched:
        for ds, ms, _rt, value, _text, _q in batch.select(code):
            if value is not None:
                ids.add(ds)
                newest = ms if newest is None else max(newest, ms)
    if ids and Sensor.objects.filter(datastream_id__in=ids).exists():
        check(sensing.from_ms(newest + 1), datastream_ids=ids)


# ---- advisories -------------------------------------------------------------------------------------


@transaction.atomic
def publish_advisory(*, title: str, body: str, crop: str = "", town_code: str = "", actor=None,
                     at: datetime | None = None) -> int:
    if crop and crop not in CROP_NAMES:
        raise ApiError(422, "invalid", _("unknown crop"), field="crop")
    a = Advisory.objects.create(title=title[:120], body=body, crop=crop, town_code=town_code,
                                published_at=at or timezone.now())
    audit.record("agriculture.advisory", actor=actor, obj=a, detail={"title": title})
    return a.pk


def advisories(*, town: str = "", limit: int = 50) -> list[dict]:
    """The newest advisories (public), county-wide ones and those of ``town``."""
    qs = Advisory.objects.order_by("-published_at")
    if town:
        qs = qs.filter(Q(town_code="") | Q(town_code=town))
    names = {t.code: t.name for t in places.towns()}
    return [{"id": a.pk, "title": a.title, "body": a.body, "crop": a.crop,
             "crop_name": str(CROP_NAMES.get(a.crop, "")) if a.crop else "", "town_code": a.town_code,
             "town_name": names.get(a.town_code, ""), "published_at": a.published_at, "source": a.source}
            for a in qs[:limit]]
