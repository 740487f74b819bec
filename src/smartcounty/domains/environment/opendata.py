"""The environment module's live indicators published into the data catalog (``reg.catalog_resources``):
the hourly AQI of every town (HJ 633, from the mean concentrations of its stations), republished after each
hourly forecast run (``forecasting.run_background``) and by ``publish()``."""

from smartcounty.domains.environment import outputs
from smartcounty.foundation.catalog.schemas import ResourceSpec

AQI_BY_TOWN = "210001/00101"

SPECS = {
    AQI_BY_TOWN: ResourceSpec(
        provider="ecology-environment", slug="gx-aqi-by-town", name="冠县各乡镇实时空气质量指数", domain="10",
        update_cycle="hourly", open_type="open", tags=["空气质量", "AQI", "乡镇"],
        summary="各乡镇（街道）最新小时空气质量指数（HJ 633，由辖区监测站浓度均值计算）、级别、类别和首要污染物"
                "（演示网络为模拟数据）。",
        items=[{"name": "town_code", "title": "乡镇代码", "required": True}, {"name": "town", "title": "乡镇"},
               {"name": "hour", "title": "时段开始", "data_type": "datetime", "required": True},
               {"name": "aqi", "title": "空气质量指数", "data_type": "integer"},
               {"name": "level", "title": "级别", "data_type": "integer"}, {"name": "category", "title": "类别"},
               {"name": "primary", "title": "首要污染物"}, {"name": "stations", "title": "监测站数",
                                                         "data_type": "integer"}]),
}


def town_rows() -> list[dict]:
    return [{"town_code": r["key"], "town": r["name"], "hour": r["start"], "aqi": r["aqi"],
             "level": r["category"]["level"] if r["category"] else None,
             "category": r["category"]["name"] if r["category"] else "",
             "primary": "、".join(r["primary_labels"]), "stations": r["stations"]}
            for r in outputs.current_readings("town") if r["aqi"] is not None]


def publish() -> dict[str, int]:
    from smartcounty.foundation.catalog import services as catalog

    version = catalog.publish_registered(AQI_BY_TOWN, town_rows(), note="environment")
    return {AQI_BY_TOWN: version.row_count if version else 0}
