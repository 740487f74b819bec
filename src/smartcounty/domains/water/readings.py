"""Water levels against their marks, rain totals and the drought watch as plain data (API, page, catalog),
read through the sensing services only."""

from datetime import UTC, datetime

from smartcounty.domains.water import drought
from smartcounty.domains.water.levels import FLOOD_STATE_NAMES, RAIN_WINDOWS_H, flood_state
from smartcounty.foundation.sensing import services as sensing

LEVEL_PROPERTY = "water_level"
RAIN_PROPERTY = "rainfall"
HOUR_MS = 3_600_000
MAX_HOURS = 7 * 24
_FIELDS = ("id", "thing_id", "town_code", "lon", "lat", "last_ms", "last_value")


def _num(props: dict, key: str) -> float | None:
    try:
        return float(props[key])
    except (KeyError, TypeError, ValueError):
        return None


def gauge_ids(property_code: str = LEVEL_PROPERTY) -> list[int]:
    return [r.id for r in sensing.latest_values(property_code=property_code)]


def _rows(ids) -> list[dict]:
    rows = {r.id: {f: getattr(r, f) for f in _FIELDS} for r in sensing.latest_values(ids=list(ids))}
    return [rows[i] for i in ids if i in rows]


def levels(ids) -> list[dict]:
    """Each gauge's latest level against its warning (警戒) and guaranteed (保证) marks."""
    rows = _rows(ids)
    names = {i["id"]: i["thing_name"] for i in sensing.datastreams_info(ids)}
    props = sensing.thing_properties(r["thing_id"] for r in rows)
    out = []
    for r in rows:
        p = props.get(r["thing_id"], {})
        warning, guaranteed = _num(p, "warning_level"), _num(p, "guarantee_level")
        if guaranteed is not None and warning is not None and guaranteed < warning:
            guaranteed = None
        state = None
        if r["last_value"] is not None and warning is not None:
            state = flood_state(r["last_value"], warning, guaranteed)
        out.append({"gauge_id": r["id"], "station_id": r["thing_id"], "station": names.get(r["id"], ""),
                    "town": r["town_code"] or "", "lon": r["lon"], "lat": r["lat"], "level": r["last_value"],
                    "time": sensing.from_ms(r["last_ms"]), "warning_level": warning, "guarantee_level": guaranteed,
                    "to_warning": None if state is None else round(state.to_warning, 3),
                    "state": None if state is None else state.state,
                    "state_name": None if state is None else str(FLOOD_STATE_NAMES[state.state])})
    return out


def rain(ids, now: datetime | None = None) -> list[dict]:
    """Each rain gauge's totals over 1/3/6/12/24 hours ending now (one query per window)."""
    now = now or datetime.now(UTC)
    rows = _rows(ids)
    if not rows:
        return []
    names = {i["id"]: i["thing_name"] for i in sensing.datastreams_info(ids)}
    sums = {w: sensing.trailing_stats([r["id"] for r in rows], now, w) for w in RAIN_WINDOWS_H}
    return [{"gauge_id": r["id"], "station": names.get(r["id"], ""), "town": r["town_code"] or "", "lon": r["lon"],
             "lat": r["lat"], "time": sensing.from_ms(r["last_ms"]),
             "totals": [{"hours": w, "mm": round(sums[w][r["id"]][1], 1) if r["id"] in sums[w] else 0.0}
                        for w in RAIN_WINDOWS_H]} for r in rows]


def hourly(datastream_id: int, hours: int, *, total: bool = False, now: datetime | None = None) -> list[dict]:
    """One gauge's hourly series over the last ``hours`` hours: for levels the hour's mean, minimum and
    maximum; for rain (``total``) the hour's amount."""
    now = now or datetime.now(UTC)
    end = (sensing.to_ms(now) // HOUR_MS + 1) * HOUR_MS
    start = end - min(hours, MAX_HOURS) * HOUR_MS
    out = []
    for row in sensing.aggregate(datastream_id, start, end, "1h"):
        item = {"start": row["start"], "count": row["count"]}
        if total:
            item["mm"] = round(row["mean"] * row["count"], 1)
        else:
            item.update(mean=round(row["mean"], 3), min=row["min"], max=row["max"])
        out.append(item)
    return out


def drought_out(now: datetime | None = None) -> dict:
    st = drought.status(now)
    w = st.watch
    return {"grade": None if w is None else w.grade, "name": None if w is None else str(w.name),
            "anomaly_percent": None if w is None else round(w.anomaly_percent, 1),
            "actual_mm": None if w is None else round(w.actual_mm, 1),
            "normal_mm": None if w is None else round(w.normal_mm, 1),
            "gauges": st.gauges, "gauges_short": st.gauges_short, "min_days": drought.MIN_COVERED_DAYS,
            "window_days": drought.WINDOW_DAYS, "start": st.start, "end": st.end,
            "configured_normals": st.configured_normals, "covered_days": list(st.covered_days)}
