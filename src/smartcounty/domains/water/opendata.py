"""The water module's live indicators published into the data catalog (``reg.catalog_resources``): each
gauge's water level against its marks and each water-quality station's GB 3838 class, republished hourly
by the background service ``water.publish``."""

import logging

from django.db import close_old_connections

from smartcounty.domains.water import quality, readings
from smartcounty.foundation.catalog.schemas import ResourceSpec

log = logging.getLogger("smartcounty.water")

LEVELS = "209001/00101"
QUALITY = "210002/00101"
EVERY_S = 3600.0

SPECS = {
    LEVELS: ResourceSpec(
        provider="water", slug="gx-water-levels", name="冠县河道水库实时水位", domain="09", update_cycle="hourly",
        open_type="open", tags=["水位", "警戒水位", "防汛"],
        summary="各水位站最新水位及其警戒水位、保证水位和超警状态（演示网络为模拟数据）。",
        items=[{"name": "station", "title": "水位站", "required": True}, {"name": "town", "title": "乡镇代码"},
               {"name": "time", "title": "观测时间", "data_type": "datetime"},
               {"name": "level", "title": "水位(米)", "data_type": "number"},
               {"name": "warning_level", "title": "警戒水位(米)", "data_type": "number"},
               {"name": "guarantee_level", "title": "保证水位(米)", "data_type": "number"},
               {"name": "state", "title": "状态"}]),
    QUALITY: ResourceSpec(
        provider="ecology-environment", slug="gx-surface-water-class", name="冠县地表水水质类别",
        domain="10", update_cycle="hourly", open_type="open", tags=["水质", "GB 3838", "地表水"],
        summary="各地表水水质自动站最新监测值按GB 3838-2002单因子评价的水质类别与定类因子（演示网络为模拟数据）。",
        items=[{"name": "station", "title": "水质站", "required": True}, {"name": "town", "title": "乡镇代码"},
               {"name": "time", "title": "监测时间", "data_type": "datetime"},
               {"name": "water_class", "title": "水质类别", "required": True},
               {"name": "quality", "title": "水质状况"}, {"name": "deciding", "title": "定类因子"}]),
}


def level_rows() -> list[dict]:
    return [{"station": r["station"], "town": r["town"], "time": r["time"], "level": r["level"],
             "warning_level": r["warning_level"], "guarantee_level": r["guarantee_level"],
             "state": r["state_name"] or ""}
            for r in readings.levels(readings.gauge_ids()) if r["level"] is not None]


def quality_rows() -> list[dict]:
    return [{"station": s["station"], "town": s["town"], "time": s["time"], "water_class": s["class_label"],
             "quality": s["quality"], "deciding": "、".join(p["name"] for p in s["parameters"]
                                                          if p["key"] in s["deciding"])}
            for s in quality.stations() if s["water_class"] is not None]


def publish() -> dict[str, int]:
    """Publish the current rows of each resource (a resource without rows yet is left alone)."""
    from smartcounty.foundation.catalog import services as catalog

    out = {}
    for code, rows in ((LEVELS, level_rows()), (QUALITY, quality_rows())):
        version = catalog.publish_registered(code, rows, note="water")
        out[code] = version.row_count if version else 0
    return out


def run_background(stop, every: float = EVERY_S) -> None:
    wait = 120.0
    while not stop.wait(wait):
        wait = every
        try:
            close_old_connections()
            publish()
        except Exception:  # pragma: no cover - logged and retried next time
            log.exception("publishing the water data into the catalog failed")
