"""Logistics and e-commerce services: the delivery network's sites and its coverage of towns and villages;
online shops and their monthly sales imported from CSV/XLSX files (every row checked, all or nothing),
figures by month and town, and the monthly figures published as open data through the catalog."""

import csv
import io
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from smartcounty.domains.logistics.models import MonthlySales, Shop, Site
from smartcounty.foundation.accounts import services as accounts
from smartcounty.foundation.catalog import services as catalog
from smartcounty.foundation.catalog.services import xlsx
from smartcounty.foundation.places import services as places
from smartcounty.kernel import audit, authz, geo
from smartcounty.kernel.problems import ApiError

OWNER_SETTING = "SMARTCOUNTY_LOGISTICS_ORGANISATION"
OPEN_DATA_CODE = "215002/00001"
LEVEL_NAMES = dict(Site.Level.choices)
HEADINGS = {"店铺名称": "shop", "平台": "platform", "品类": "category", "乡镇": "town", "月份": "month",
            "订单数": "orders", "销售额": "amount", "销售额（元）": "amount"}
REQUIRED = {"shop": "店铺名称", "platform": "平台", "month": "月份", "orders": "订单数", "amount": "销售额"}


def owner_organisation_id() -> int | None:
    org = accounts.organisation(getattr(settings, OWNER_SETTING, "commerce"))
    return org.id if org else None


def may(user, verb: str) -> bool:
    """The commerce bureau keeps the data; every department's staff may read the statistics."""
    owner = owner_organisation_id()
    if authz.user_has_perm(user, f"logistics.{verb}", owner if owner is not None else -1):
        return True
    org = getattr(user, "organisation_id", None)
    return verb == "view" and bool(org) and authz.user_has_perm(user, "logistics.view", org)


def require(user, verb: str) -> None:
    if user is None:
        raise ApiError(401, "not-authenticated")
    if not may(user, verb):
        raise ApiError(403, "forbidden")


# ---- the delivery network ---------------------------------------------------------------------------


@transaction.atomic
def save_site(*, name: str, level: str, lon: float, lat: float, operator: str = "", town_code: str = "",
              village_code: str = "", village_name: str = "", actor=None) -> int:
    if level not in LEVEL_NAMES:
        raise ApiError(422, "invalid", _("level is county, town or village"), field="level")
    try:
        geo.check_lonlat(lon, lat)
    except ValueError:
        raise ApiError(422, "invalid", _("the location is not valid"), field="lon") from None
    if level != "county":
        if not town_code:
            located = places.locate(lon, lat)
            town_code = getattr(located, "town_code", "") or ""
        if not town_code or places.town(town_code) is None:
            raise ApiError(422, "invalid", _("a town or village site needs a town of the county"), field="town_code")
    if level == "village":
        if not (len(village_code) == 12 and village_code.isdigit() and village_code.startswith(town_code)):
            raise ApiError(422, "invalid", _("a village code has 12 digits and begins with its town's code"),
                           field="village_code")
    site = Site.objects.create(name=name[:120], level=level, operator=operator[:80], town_code=town_code,
                               village_code=village_code if level == "village" else "",
                               village_name=village_name[:60] if level == "village" else "", lon=lon, lat=lat)
    audit.record("logistics.site_save", actor=actor, obj=site, detail={"level": level, "name": name})
    return site.pk


def sites(*, level: str = "", town: str = ""):
    qs = Site.objects.order_by("level", "town_code", "id")
    if level:
        qs = qs.filter(level=level)
    if town:
        qs = qs.filter(town_code=town)
    names = {t.code: t.name for t in places.towns()}
    return _Page(qs, lambda s: {"id": s.pk, "name": s.name, "level": s.level, "level_name": str(LEVEL_NAMES[s.level]),
                                "operator": s.operator, "town_code": s.town_code,
                                "town_name": names.get(s.town_code, ""), "village_code": s.village_code,
                                "village_name": s.village_name, "lon": s.lon, "lat": s.lat})


class _Page:
    def __init__(self, qs, out):
        self.qs, self.out = qs, out

    def count(self):
        return self.qs.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, s):
        rows = [self.out(r) for r in (self.qs[s] if isinstance(s, slice) else [self.qs[s]])]
        return rows if isinstance(s, slice) else rows[0]


def sites_geojson(limit: int = 5000) -> dict:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [s["lon"], s["lat"]]},
         "properties": {k: s[k] for k in ("name", "level", "level_name", "town_name", "village_name")}}
        for s in sites()[0:limit]]}


def site_points(bbox=None, limit: int = 500) -> dict:
    """Sites inside ``bbox`` (west, south, east, north) as map points, at most ``limit``, and how many there are."""
    qs = Site.objects.all()
    if bbox:
        w, s, e, n = bbox
        qs = qs.filter(lon__gte=w, lon__lte=e, lat__gte=s, lat__lte=n)
    rows = qs.order_by("level", "id").values_list("id", "lon", "lat", "name", "level")[:limit]
    return {"points": [{"id": str(i), "lon": lon, "lat": lat, "label": f"{name}（{LEVEL_NAMES[level]}）",
                        "state": "ok"} for i, lon, lat, name, level in rows], "total": qs.count()}


def coverage() -> dict:
    """Per town: its stations and village points and the villages they reach; county totals."""
    per = {r["town_code"]: r for r in Site.objects.exclude(town_code="").values("town_code").annotate(
        stations=Count("id", filter=Q(level="town")), points=Count("id", filter=Q(level="village")),
        villages=Count("village_code", filter=Q(level="village"), distinct=True))}
    towns = []
    for t in places.towns():
        r = per.get(t.code, {})
        towns.append({"town_code": t.code, "town_name": t.name, "stations": r.get("stations", 0),
                      "points": r.get("points", 0), "villages": r.get("villages", 0),
                      "covered": bool(r.get("stations"))})
    covered = sum(1 for t in towns if t["covered"])
    return {"county_centres": Site.objects.filter(level="county").count(), "towns": len(towns),
            "towns_covered": covered, "town_rate": round(covered / len(towns), 4) if towns else None,
            "villages_covered": sum(t["villages"] for t in towns), "by_town": towns}


# ---- e-commerce -------------------------------------------------------------------------------------


def _rows(content: bytes, filename: str):
    lim = catalog.upload_limits()
    if len(content) > lim.max_bytes:
        raise ApiError(413, "upload-limit", _("the file is too large"), field="file")
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        try:
            yield from xlsx.read_rows(content, lim)
        except xlsx.WorkbookError as exc:
            raise ApiError(422, "invalid-dataset", exc.detail, field="file",
                           errors=[{"row": exc.row, "column": exc.column or "", "message": exc.detail}]) from None
        return
    if not name.endswith(".csv"):
        raise ApiError(422, "invalid-dataset", _("use a CSV or XLSX file"), field="file")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("gb18030")
        except UnicodeDecodeError:
            raise ApiError(422, "invalid-dataset", _("the file is neither UTF-8 nor GB 18030 text"),
                           field="file") from None
    try:
        for n, values in enumerate(csv.reader(io.StringIO(text, newline=""), strict=True), 1):
            if n > lim.max_rows + 1:
                raise ApiError(413, "upload-limit", _("the file has too many rows"), field="file")
            yield n, values
    except csv.Error:
        raise ApiError(422, "invalid-dataset", _("malformed CSV text"), field="file") from None


def _month(value) -> date | None:
    if hasattr(value, "year") and hasattr(value, "month"):
        return date(value.year, value.month, 1)
    text = str(value or "").strip().replace("年", "-").replace("月", "").replace("/", "-")
    try:
        y, m = (int(x) for x in text.split("-")[:2])
        return date(y, m, 1)
    except ValueError:
        return None


def import_sales(content: bytes, filename: str, *, actor=None) -> dict:
    """Check every row; on any error nothing is written and every error is returned with its row."""
    rows = _rows(content, filename)
    header = next(rows, None)
    if header is None:
        raise ApiError(422, "invalid-dataset", _("the file is empty"), field="file")
    cols = [HEADINGS.get(str(h or "").strip()) for h in header[1]]
    missing = [title for key, title in REQUIRED.items() if key not in cols]
    if missing:
        raise ApiError(422, "invalid-dataset", _("missing columns: %(c)s") % {"c": "、".join(missing)}, field="file",
                       errors=[{"row": 1, "column": "", "message": _("missing columns: %(c)s") % {"c": "、".join(missing)}}])
    towns = {}
    for t in places.towns():
        towns[t.code], towns[t.name] = t.code, t.code
    good, errors, seen = [], [], {}
    today = date.today().replace(day=1)
    for n, values in rows:
        if not any(str(v).strip() for v in values if v is not None):
            continue
        raw = {c: v for c, v in zip(cols, values, strict=False) if c}
        errs = []
        shop = str(raw.get("shop") or "").strip()[:120]
        if not shop:
            errs.append(("shop", _("the shop's name is required")))
        platform = str(raw.get("platform") or "").strip()[:40]
        if not platform:
            errs.append(("platform", _("the platform is required")))
        month = _month(raw.get("month"))
        if month is None or month > today:
            errs.append(("month", _("the month is not a past or current month (year-month)")))
        try:
            orders = int(str(raw.get("orders") or "").strip())
            if orders < 0:
                raise ValueError
        except ValueError:
            errs.append(("orders", _("orders is a whole number, zero or more")))
            orders = 0
        try:
            amount = Decimal(str(raw.get("amount") or "").strip().replace(",", "")).quantize(Decimal("0.01"))
            if amount < 0 or amount >= Decimal("1e12"):
                raise InvalidOperation
        except InvalidOperation:
            errs.append(("amount", _("sales is an amount of yuan, zero or more")))
            amount = Decimal(0)
        town_raw = str(raw.get("town") or "").strip()
        town = towns.get(town_raw, "") if town_raw else ""
        if town_raw and not town:
            errs.append(("town", _("%(v)s is not a town of the county") % {"v": town_raw}))
        if not errs and (shop, month) in seen:
            errs.append(("month", _("the same shop and month are in row %(n)s") % {"n": seen[(shop, month)]}))
        errors.extend({"row": n, "column": c, "message": m} for c, m in errs)
        if not errs:
            seen[(shop, month)] = n
            good.append((shop, platform, str(raw.get("category") or "").strip()[:40], town, month, orders, amount))
    if errors:
        return {"rows": len(good) + len({e["row"] for e in errors}), "imported": 0, "errors": errors[:200]}
    with transaction.atomic():
        shops = {s.name: s for s in Shop.objects.filter(name__in={g[0] for g in good})}
        for name, platform, category, town, *_rest in good:
            if name not in shops:
                shops[name] = Shop.objects.create(name=name, platform=platform, category=category, town_code=town)
        for name, _p, _c, _t, month, orders, amount in good:
            MonthlySales.objects.update_or_create(shop=shops[name], month=month,
                                                  defaults={"orders": orders, "amount": amount})
        audit.record("logistics.sales_import", actor=actor, object_type="logistics.monthlysales",
                     detail={"file": filename, "rows": len(good)})
    return {"rows": len(good), "imported": len(good), "errors": []}


def monthly(*, town: str = "", months: int = 24) -> list[dict]:
    qs = MonthlySales.objects.all()
    if town:
        qs = qs.filter(shop__town_code=town)
    rows = qs.values("month").annotate(orders=Sum("orders"), amount=Sum("amount"), shops=Count("shop", distinct=True))
    out = [{"month": r["month"].strftime("%Y-%m"), "orders": r["orders"], "amount": float(r["amount"]),
            "shops": r["shops"]} for r in rows.order_by("-month")[:months]]
    return sorted(out, key=lambda r: r["month"])


def by_town(month: date) -> list[dict]:
    names = {t.code: t.name for t in places.towns()}
    rows = (MonthlySales.objects.filter(month=month).values("shop__town_code")
            .annotate(orders=Sum("orders"), amount=Sum("amount"), shops=Count("shop", distinct=True))
            .order_by("-amount"))
    return [{"town_code": r["shop__town_code"], "town_name": names.get(r["shop__town_code"], "—"),
             "orders": r["orders"], "amount": float(r["amount"]), "shops": r["shops"]} for r in rows]


def open_data_rows() -> list[dict]:
    names = {t.code: t.name for t in places.towns()}
    rows = (MonthlySales.objects.values("month", "shop__town_code")
            .annotate(orders=Sum("orders"), amount=Sum("amount"), shops=Count("shop", distinct=True))
            .order_by("month", "shop__town_code"))
    return [{"month": r["month"].strftime("%Y-%m"), "town": names.get(r["shop__town_code"], "全县"),
             "shops": r["shops"], "orders": r["orders"], "amount": float(r["amount"])} for r in rows]


def publish_open_data(*, actor=None) -> int:
    """Publish the monthly figures by town (no shop is named) as the catalog's open dataset."""
    catalog.ensure_registered_resources(actor=actor)
    rows = open_data_rows()
    catalog.publish_dataset(OPEN_DATA_CODE, rows, actor=actor, note="电子商务月度统计", allow_empty=True)
    resource = catalog.get_resource(OPEN_DATA_CODE)
    if resource.open_type != "open":
        catalog.open_resource(resource, actor=actor)
    return len(rows)
