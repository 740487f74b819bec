"""GB/T 4754-2017 国民经济行业分类: the 20 sections (门类) with their division (大类) ranges, and the names of
the divisions a county's registry meets most. An industry code is a section letter, optionally followed by
a two-digit division and up to two more digits (中类, 小类): ``C``, ``C33``, ``C331``, ``C3311``."""

import re

from django.utils.translation import gettext as _

from smartcounty.kernel.problems import ApiError

#: letter -> (name, first division, last division); GB/T 4754-2017 table 1.
SECTIONS = {
    "A": ("农、林、牧、渔业", 1, 5),
    "B": ("采矿业", 6, 12),
    "C": ("制造业", 13, 43),
    "D": ("电力、热力、燃气及水生产和供应业", 44, 46),
    "E": ("建筑业", 47, 50),
    "F": ("批发和零售业", 51, 52),
    "G": ("交通运输、仓储和邮政业", 53, 60),
    "H": ("住宿和餐饮业", 61, 62),
    "I": ("信息传输、软件和信息技术服务业", 63, 65),
    "J": ("金融业", 66, 69),
    "K": ("房地产业", 70, 70),
    "L": ("租赁和商务服务业", 71, 72),
    "M": ("科学研究和技术服务业", 73, 75),
    "N": ("水利、环境和公共设施管理业", 76, 79),
    "O": ("居民服务、修理和其他服务业", 80, 82),
    "P": ("教育", 83, 83),
    "Q": ("卫生和社会工作", 84, 85),
    "R": ("文化、体育和娱乐业", 86, 90),
    "S": ("公共管理、社会保障和社会组织", 91, 96),
    "T": ("国际组织", 97, 97),
}

DIVISIONS = {
    "01": "农业", "02": "林业", "03": "畜牧业", "04": "渔业", "05": "农、林、牧、渔专业及辅助性活动",
    "13": "农副食品加工业", "14": "食品制造业", "15": "酒、饮料和精制茶制造业", "17": "纺织业",
    "18": "纺织服装、服饰业", "20": "木材加工和木、竹、藤、棕、草制品业", "22": "造纸和纸制品业",
    "26": "化学原料和化学制品制造业", "27": "医药制造业", "29": "橡胶和塑料制品业", "30": "非金属矿物制品业",
    "31": "黑色金属冶炼和压延加工业", "33": "金属制品业", "34": "通用设备制造业", "35": "专用设备制造业",
    "36": "汽车制造业", "38": "电气机械和器材制造业", "44": "电力、热力生产和供应业", "47": "房屋建筑业",
    "51": "批发业", "52": "零售业", "54": "道路运输业", "59": "装卸搬运和仓储业", "60": "邮政业",
    "61": "住宿业", "62": "餐饮业", "64": "互联网和相关服务", "65": "软件和信息技术服务业",
}

_CODE = re.compile(r"^([A-T])(\d{2}(\d{1,2})?)?$")


def section_of_division(division: int) -> str | None:
    for letter, (_name, lo, hi) in SECTIONS.items():
        if lo <= division <= hi:
            return letter
    return None


def normalise(code) -> str:
    """The industry code in canonical form (``C33``); a bare division (``33``) gets its section letter.
    Raises ApiError 422 (field ``industry``) for a code GB/T 4754-2017 does not have."""
    text = str(code or "").strip().upper()
    if text.isdigit() and len(text) in (2, 3, 4):
        letter = section_of_division(int(text[:2]))
        text = (letter or "?") + text
    m = _CODE.match(text)
    if not m:
        raise ApiError(422, "invalid", _("%(value)s is not a GB/T 4754-2017 industry code") % {"value": code}, field="industry")
    letter, digits = m.group(1), m.group(2)
    if digits:
        _name, lo, hi = SECTIONS[letter]
        if not lo <= int(digits[:2]) <= hi:
            raise ApiError(422, "invalid", _("division %(d)s is not in section %(s)s") % {"d": digits[:2], "s": letter},
                           field="industry")
    return text


def name(code: str) -> str:
    """Chinese name: the division's when known, else the section's."""
    if not code:
        return ""
    division = DIVISIONS.get(code[1:3]) if len(code) >= 3 else None
    section = SECTIONS.get(code[0], ("",))[0]
    return division or section


def section(code: str) -> str:
    return code[:1] if code else ""
