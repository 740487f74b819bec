"""The built-in observed properties every county's sensors need; modules may register more."""

from smartcounty.foundation.sensing.schemas import ObservedPropertySpec as P

_QUDT = "http://qudt.org/vocab/quantitykind/"
_CN = "urn:smartcounty:property:"

_POS = {"minimum": 0.0}  # amounts, concentrations, speeds, distances
_PCT = {"minimum": 0.0, "maximum": 100.0}

BUILTINS = (
    P("pm25", "细颗粒物(PM2.5)", "PM2.5", "ug/m3", _CN + "pm25", 0, **_POS),
    P("pm10", "可吸入颗粒物(PM10)", "PM10", "ug/m3", _CN + "pm10", 0, **_POS),
    P("so2", "二氧化硫", "Sulphur dioxide", "ug/m3", _CN + "so2", 0, **_POS),
    P("no2", "二氧化氮", "Nitrogen dioxide", "ug/m3", _CN + "no2", 0, **_POS),
    P("co", "一氧化碳", "Carbon monoxide", "mg/m3", _CN + "co", 1, **_POS),
    P("o3", "臭氧", "Ozone", "ug/m3", _CN + "o3", 0, **_POS),
    P("aqi", "空气质量指数", "Air quality index", "1", _CN + "aqi", 0, **_POS),
    P("water_level", "水位", "Water level", "m", _QUDT + "Height", 2),  # a stage may be below its datum
    P("rainfall", "降水量", "Rainfall", "mm", _QUDT + "Precipitation", 1, **_POS),
    # air temperature: the world's records are -89.2 and 56.7 Cel
    P("temperature", "气温", "Air temperature", "Cel", _QUDT + "Temperature", 1, minimum=-90.0, maximum=60.0),
    P("humidity", "相对湿度", "Relative humidity", "%", _QUDT + "RelativeHumidity", 0, **_PCT),
    P("wind_speed", "风速", "Wind speed", "m/s", _QUDT + "Speed", 1, **_POS),
    P("wind_gust", "阵风风速", "Wind gust", "m/s", _QUDT + "Speed", 1, **_POS),
    P("wind_direction", "风向", "Wind direction", "deg", _QUDT + "Angle", 0, minimum=0.0, maximum=360.0),
    P("visibility", "能见度", "Visibility", "m", _QUDT + "Length", 0, **_POS),
    P("pressure", "气压", "Air pressure", "hPa", _QUDT + "Pressure", 1, **_POS),
    P("traffic_flow", "交通流量", "Traffic flow", "veh/h", _CN + "traffic_flow", 0, **_POS),
    P("traffic_speed", "平均车速", "Traffic speed", "km/h", _CN + "traffic_speed", 0, **_POS),
    P("smoke", "烟雾报警", "Smoke alarm", "1", _CN + "smoke", 0, minimum=0.0, maximum=1.0),
    P("water_temperature", "水温", "Water temperature", "Cel", _QUDT + "Temperature", 1, minimum=-5.0, maximum=60.0),
    P("ph", "pH值", "pH", "1", _QUDT + "PH", 2, minimum=0.0, maximum=14.0),
    P("dissolved_oxygen", "溶解氧", "Dissolved oxygen", "mg/L", _CN + "dissolved_oxygen", 2, **_POS),
    P("soil_moisture", "土壤含水量", "Soil moisture", "%", _CN + "soil_moisture", 0, **_PCT),
    P("power", "用电功率", "Electric power", "kW", _QUDT + "Power", 1),  # negative: fed into the grid
    P("battery", "电池电量", "Battery level", "%", _CN + "battery", 0, **_PCT),
)


def register_builtins(reg, *, module: str) -> None:
    for spec in BUILTINS:
        reg.observed_properties.register(spec.code, spec, module=module)
