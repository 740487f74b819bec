"""Official division facts for Guan County (冠县, 371525): standards-cn.md §8.

Township-level codes from the 2022 statistical division codes (modood/Administrative-divisions-of-
China ``dist/streets.csv``, cut-off 2022-10-31): 3 streets (街道), 12 towns (镇), 3 townships (乡).
English names are Hanyu Pinyin with the unit type translated.
"""

COUNTY = ("371525", "冠县", "Guan County")

TOWNS = (
    ("371525001", "清泉街道", "Qingquan Subdistrict"),
    ("371525002", "崇文街道", "Chongwen Subdistrict"),
    ("371525003", "烟庄街道", "Yanzhuang Subdistrict"),
    ("371525101", "贾镇", "Jia Town"),
    ("371525102", "桑阿镇", "Sang'e Town"),
    ("371525103", "柳林镇", "Liulin Town"),
    ("371525104", "清水镇", "Qingshui Town"),
    ("371525105", "东古城镇", "Donggucheng Town"),
    ("371525106", "北馆陶镇", "Beiguantao Town"),
    ("371525107", "店子镇", "Dianzi Town"),
    ("371525108", "定远寨镇", "Dingyuanzhai Town"),
    ("371525109", "辛集镇", "Xinji Town"),
    ("371525110", "梁堂镇", "Liangtang Town"),
    ("371525111", "范寨镇", "Fanzhai Town"),
    ("371525112", "甘官屯镇", "Ganguantun Town"),
    ("371525200", "斜店乡", "Xiedian Township"),
    ("371525206", "兰沃乡", "Lanwo Township"),
    ("371525209", "万善乡", "Wanshan Township"),
)

#: Rough bounding box (west, south, east, north), ±0.05°: standards-cn.md §8. Not for geofencing.
ESTIMATED_BBOX = (115.27, 36.36, 115.78, 36.70)

#: A point for the county seat found in public code (datum unknown): seeds the demo streets.
SEAT = (115.450462, 36.492479)
