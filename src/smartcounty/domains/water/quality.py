"""Surface-water quality stations (地表水水质自动监测站), classified by GB 3838-2002 (``gb3838.classify``).

A station is a sensing thing of kind ``water_quality`` with datastreams of the automatic parameters
(pH, dissolved oxygen, permanganate index, ammonia nitrogen, total phosphorus); its thing property
``water_body`` is ``river`` (default) or ``lake`` (lakes and reservoirs: the 湖、库 phosphorus column and
total nitrogen). The sample classified is each parameter's latest reading; the station's class is the worst
parameter class (single-factor method), with the deciding parameters and the exceedance over Class III.
"""

from collections import defaultdict

from smartcounty.domains.water import gb3838
from smartcounty.foundation.sensing import services as sensing

KIND = "water_quality"
#: sensing observed property -> GB 3838 parameter key
PARAMETERS = {"ph": "ph", "dissolved_oxygen": "do", "codmn": "codmn", "nh3n": "nh3n", "tp": "tp", "tn": "tn"}
MAX_STATIONS = 200


def _streams(thing_ids=None) -> list[dict]:
    wanted = None if thing_ids is None else set(thing_ids)
    return [{"id": r.id, "thing_id": r.thing_id, "property_code": r.property_code, "town_code": r.town_code, "lon": r.lon,
             "lat": r.lat, "last_ms": r.last_ms, "last_value": r.last_value}
            for r in sensing.latest_values(property_codes=list(PARAMETERS)) if wanted is None or r.thing_id in wanted]


def station_ids() -> list[int]:
    """Things with at least one water-quality parameter datastream (ordered by id)."""
    return sorted({r["thing_id"] for r in _streams()})[:MAX_STATIONS]


def stations(thing_ids=None) -> list[dict]:
    """Each station's latest sample, classified: plain dicts (see ``schemas.QualityOut``)."""
    rows = _streams(thing_ids)
    if not rows:
        return []
    by_thing: dict[int, list[dict]] = defaultdict(list)
    for r in rows:
        by_thing[r["thing_id"]].append(r)
    first = [v[0]["id"] for v in by_thing.values()]
    names = {i["thing_id"]: i["thing_name"] for i in sensing.datastreams_info(first)}
    props = sensing.thing_properties(by_thing)
    out = []
    for thing_id in sorted(by_thing):
        streams = by_thing[thing_id]
        body = gb3838.LAKE if props.get(thing_id, {}).get("water_body") == gb3838.LAKE else gb3838.RIVER
        sample = {PARAMETERS[r["property_code"]]: r["last_value"] for r in streams if r["last_value"] is not None}
        times = [r["last_ms"] for r in streams if r["last_ms"] is not None]
        result = None
        if sample:
            try:
                result = gb3838.classify(sample, body)
            except ValueError:
                result = None
        head = streams[0]
        out.append({
            "station_id": thing_id, "station": names.get(thing_id, ""), "town": head["town_code"] or "",
            "lon": head["lon"], "lat": head["lat"], "water_body": body,
            "time": sensing.from_ms(max(times)) if times else None,
            "water_class": result.water_class if result else None,
            "class_code": result.code if result else None,
            "class_label": str(result.label) if result else None,
            "quality": str(result.quality) if result else None,
            "deciding": list(result.deciding) if result else [],
            "parameters": [{
                "key": key, "name": str(gb3838.PARAMETERS[key].name), "unit": gb3838.PARAMETERS[key].unit,
                "value": value, "water_class": result.per_parameter.get(key) if result else None,
                "class_code": gb3838.CLASS_CODES[result.per_parameter[key]] if result and key in result.per_parameter
                else None,
                "exceedance": float(result.exceedance[key]) if result and key in result.exceedance else None,
            } for key, value in sample.items()],
        })
    return out


CLASS_COLOURS = {1: "#1e88e5", 2: "#43a047", 3: "#c0ca33", 4: "#fb8c00", 5: "#e53935", 6: "#8e24aa"}
