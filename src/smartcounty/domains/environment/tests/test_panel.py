"""The AQI people read (portal and cockpit): its HJ 633 category, colour, health effect and advice
(Table 2), for the AQI of the viewer's town."""

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from smartcounty.domains.environment import panels
from smartcounty.domains.environment.aqi.tables import CATEGORIES, category_for
from smartcounty.foundation.cockpit.schemas import PanelContext
from smartcounty.foundation.sensing import services as sensing

#: HJ 633-2012 Table 2, the standard's own wording (AQI upper bound -> category, effect, advice).
TABLE_2 = {
    50: ("优", "空气质量令人满意，基本无空气污染", "各类人群可正常活动"),
    100: ("良", "空气质量可接受，但某些污染物可能对极少数异常敏感人群健康有较弱影响", "极少数异常敏感人群应减少户外活动"),
    150: ("轻度污染", "易感人群症状有轻度加剧，健康人群出现刺激症状",
          "儿童、老年人及心脏病、呼吸系统疾病患者应减少长时间、高强度的户外锻炼"),
    200: ("中度污染", "进一步加剧易感人群症状，可能对健康人群心脏、呼吸系统有影响",
          "儿童、老年人及心脏病、呼吸系统疾病患者避免长时间、高强度的户外锻炼，一般人群适量减少户外运动"),
    300: ("重度污染", "心脏病和肺病患者症状显著加剧，运动耐受力降低，健康人群普遍出现症状",
          "儿童、老年人和心脏病、肺病患者应停留在室内，停止户外运动，一般人群减少户外运动"),
    500: ("严重污染", "健康人群运动耐受力降低，有明显强烈症状，提前出现某些疾病",
          "儿童、老年人和病人应当留在室内，避免体力消耗，一般人群应避免户外活动"),
}


def test_every_category_says_what_table_2_says():
    with translation.override("zh-hans"):
        for cat in CATEGORIES:
            name, effect, advice = TABLE_2[cat.aqi_high]
            assert (str(cat.name), str(cat.health_effect), str(cat.advice)) == (name, effect, advice)


@given(st.integers(min_value=0, max_value=500), st.integers(min_value=0, max_value=500))
def test_a_higher_aqi_never_gets_milder_advice(a, b):
    low, high = sorted((a, b))
    assert category_for(low).level <= category_for(high).level


@pytest.mark.django_db
def test_the_panel_gives_the_town_its_category_and_advice():
    sensing.sync_observed_properties()
    thing = sensing.create_thing("air-p", "测试站", lon=115.44, lat=36.48, kind="air", town_code="371525001")
    ds = sensing.create_datastream(thing, "aqi", expected_interval_s=3600)
    sensing.ingest([{"datastream": ds.id, "phenomenonTime": "2026-12-01T08:00:00+08:00", "result": 129}], source="test")
    with translation.override("zh-hans"):
        data = panels.air_quality(PanelContext(town_code="371525001"))
    assert data["value"] == 129 and data["colour"] == "#FF7E00"
    assert data["category"].startswith("轻度污染") and data["health"] == TABLE_2[150][1]
    assert data["advice"] == TABLE_2[150][2] and "全县" not in data["note"]  # the town's own, not the county mean
