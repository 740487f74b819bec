"""Dataset pages: values as people read them, and the points of a dataset with coordinates, for its map."""

import json

from django.utils.translation import gettext as _

LON_NAMES = {"lon", "lng", "long", "longitude", "x", "经度"}
LAT_NAMES = {"lat", "latitude", "y", "纬度"}


def shown(value) -> str | None:
    """A cell of the preview: 是/否 for booleans, JSON (not a Python repr) for lists and objects."""
    if value is None:
        return None
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def points(names: list[str], titles: dict, rows: list[dict], *, limit: int = 500) -> list[dict]:
    """``[{"lon", "lat", "label"}]`` of the rows with a longitude and a latitude field (by name or
    title: lon/lng/longitude/经度, lat/latitude/纬度), WGS84 in range; [] when the dataset has none."""
    def pick(candidates):
        for n in names:
            if n.lower() in candidates or str(titles.get(n, "")).strip() in candidates:
                return n
        return None

    lon_f, lat_f = pick(LON_NAMES), pick(LAT_NAMES)
    if not lon_f or not lat_f:
        return []
    label_f = next((n for n in names if n not in (lon_f, lat_f)), None)
    out = []
    for row in rows[:limit]:
        try:
            lon, lat = float(row.get(lon_f)), float(row.get(lat_f))
        except (TypeError, ValueError):
            continue
        if 73 <= lon <= 136 and 3 <= lat <= 54:
            out.append({"lon": lon, "lat": lat, "label": shown(row.get(label_f)) if label_f else ""})
    return out
