"""Surface-water quality class per sample: GB 3838-2002 Table 1 (basic items), single-factor method.

* **Class rule** (单因子评价, 《地表水环境质量评价办法(试行)》 环办〔2011〕22号): each parameter gets the best
  class whose limit it meets; the sample's class is the worst of them. A parameter that fails Class V
  makes the water 劣V. The parameters at that worst class are named as the deciding ones.
* **Which parameters** (configurable, ``Gb3838Config``): the 2011 method evaluates Table 1 without water
  temperature, total nitrogen and faecal coliform; TN is used for lakes and reservoirs (湖、库) only.
  Defaults: TN for lakes/reservoirs only, faecal coliform off, water temperature never (it has no
  class limits, only a rule on man-made change).
* **Total phosphorus**: the river column, or the 湖、库 column for lakes and reservoirs.
* **Dissolved oxygen** is "≥"; Class I is "饱和率90%(或7.5)": DO ≥ 7.5 mg/L, or saturation ≥ 90 %
  when the saturation is given. **pH** must lie in 6–9 (every class); outside it the water is 劣V.
* Exceedance (超标倍数) is reported for parameters worse than Class III: (C − C_III)/C_III
  (环办〔2011〕22号; not for DO and pH).

Values are compared exactly (decimal), with no rounding: round them to the method's reporting
precision before calling if your laboratory reports more digits.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

RIVER, LAKE = "river", "lake"  # LAKE = lakes and reservoirs (湖、库)
WORSE_THAN_V = 6  # 劣V
CLASS_LABELS = {
    1: _("Class I"), 2: _("Class II"), 3: _("Class III"), 4: _("Class IV"), 5: _("Class V"),
    6: _("Worse than Class V"),
}
CLASS_CODES = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "劣V"}
#: Qualitative labels (I–II 优, III 良好, IV 轻度污染, V 中度污染, 劣V 重度污染).
QUALITY_LABELS = {
    1: pgettext_lazy("water quality", "Excellent"),
    2: pgettext_lazy("water quality", "Excellent"),
    3: pgettext_lazy("water quality", "Good"),
    4: pgettext_lazy("water quality", "Lightly polluted"),
    5: pgettext_lazy("water quality", "Moderately polluted"),
    6: pgettext_lazy("water quality", "Heavily polluted"),
}


@dataclass(frozen=True)
class Parameter:
    key: str
    name: object
    unit: str
    direction: str  # "max": value ≤ limit; "min": value ≥ limit; "range": low ≤ value ≤ high
    limits: tuple[str, ...]  # Classes I..V (decimal text); for "range" the two bounds
    lake_limits: tuple[str, ...] | None = None


MAX = "max"
# GB 3838-2002 Table 1 (地表水环境质量标准基本项目标准限值), mg/L unless stated.
PARAMETERS: dict[str, Parameter] = {p.key: p for p in (
    Parameter("ph", _("pH"), "", "range", ("6", "9")),
    Parameter("do", _("Dissolved oxygen"), "mg/L", "min", ("7.5", "6", "5", "3", "2")),
    Parameter("codmn", _("Permanganate index"), "mg/L", MAX, ("2", "4", "6", "10", "15")),
    Parameter("cod", _("Chemical oxygen demand"), "mg/L", MAX, ("15", "15", "20", "30", "40")),
    Parameter("bod5", _("Five-day biochemical oxygen demand"), "mg/L", MAX, ("3", "3", "4", "6", "10")),
    Parameter("nh3n", _("Ammonia nitrogen"), "mg/L", MAX, ("0.15", "0.5", "1.0", "1.5", "2.0")),
    Parameter("tp", _("Total phosphorus"), "mg/L", MAX, ("0.02", "0.1", "0.2", "0.3", "0.4"),
              lake_limits=("0.01", "0.025", "0.05", "0.1", "0.2")),
    Parameter("tn", _("Total nitrogen"), "mg/L", MAX, ("0.2", "0.5", "1.0", "1.5", "2.0")),
    Parameter("cu", _("Copper"), "mg/L", MAX, ("0.01", "1.0", "1.0", "1.0", "1.0")),
    Parameter("zn", _("Zinc"), "mg/L", MAX, ("0.05", "1.0", "1.0", "2.0", "2.0")),
    Parameter("fluoride", _("Fluoride"), "mg/L", MAX, ("1.0", "1.0", "1.0", "1.5", "1.5")),
    Parameter("se", _("Selenium"), "mg/L", MAX, ("0.01", "0.01", "0.01", "0.02", "0.02")),
    Parameter("as", _("Arsenic"), "mg/L", MAX, ("0.05", "0.05", "0.05", "0.1", "0.1")),
    Parameter("hg", _("Mercury"), "mg/L", MAX, ("0.00005", "0.00005", "0.0001", "0.001", "0.001")),
    Parameter("cd", _("Cadmium"), "mg/L", MAX, ("0.001", "0.005", "0.005", "0.005", "0.01")),
    Parameter("cr6", _("Chromium (hexavalent)"), "mg/L", MAX, ("0.01", "0.05", "0.05", "0.05", "0.1")),
    Parameter("pb", _("Lead"), "mg/L", MAX, ("0.01", "0.01", "0.05", "0.05", "0.1")),
    Parameter("cn", _("Cyanide"), "mg/L", MAX, ("0.005", "0.05", "0.2", "0.2", "0.2")),
    Parameter("phenol", _("Volatile phenol"), "mg/L", MAX, ("0.002", "0.002", "0.005", "0.01", "0.1")),
    Parameter("oil", _("Petroleum"), "mg/L", MAX, ("0.05", "0.05", "0.05", "0.5", "1.0")),
    Parameter("las", _("Anionic surfactant"), "mg/L", MAX, ("0.2", "0.2", "0.2", "0.3", "0.3")),
    Parameter("sulfide", _("Sulfide"), "mg/L", MAX, ("0.05", "0.1", "0.2", "0.5", "1.0")),
    Parameter("fecal_coliform", _("Faecal coliform"), "MPN/L", MAX, ("200", "2000", "10000", "20000", "40000")),
)}

DO_SATURATION_CLASS_I = Decimal("90")  # percent


@dataclass(frozen=True)
class Gb3838Config:
    tn_for_rivers: bool = False
    tn_for_lakes: bool = True
    fecal_coliform: bool = False
    #: exceedance (超标倍数) is computed against this class's limit
    target_class: int = 3


DEFAULT_CONFIG = Gb3838Config()


@dataclass(frozen=True)
class WaterClassResult:
    water_class: int  # 1..5, 6 = 劣V
    per_parameter: dict[str, int]
    deciding: tuple[str, ...]
    #: parameter -> exceedance multiple over the target class (only parameters worse than it)
    exceedance: dict[str, Decimal]
    ignored: tuple[str, ...]  # given but not evaluated under the configuration

    @property
    def code(self) -> str:
        return CLASS_CODES[self.water_class]

    @property
    def label(self):
        return CLASS_LABELS[self.water_class]

    @property
    def quality(self):
        return QUALITY_LABELS[self.water_class]


def _dec(value) -> Decimal:
    if isinstance(value, bool):
        raise TypeError("a measurement is a number")
    d = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))
    if not d.is_finite():
        raise ValueError("a measurement must be finite")
    return d


def parameter_class(key: str, value, water_body: str = RIVER, do_saturation=None) -> int:
    """The class (1..5, 6 = 劣V) one parameter alone gives."""
    p = PARAMETERS[key]
    v = _dec(value)
    if v < 0 and key != "ph":
        raise ValueError(f"{key} cannot be negative")
    if p.direction == "range":
        lo, hi = (Decimal(x) for x in p.limits)
        return 1 if lo <= v <= hi else WORSE_THAN_V
    limits = p.lake_limits if (water_body == LAKE and p.lake_limits) else p.limits
    for cls, limit in enumerate(limits, start=1):
        lim = Decimal(limit)
        if p.direction == "max" and v <= lim:
            return cls
        if p.direction == "min":
            if v >= lim:
                return cls
            if cls == 1 and do_saturation is not None and _dec(do_saturation) >= DO_SATURATION_CLASS_I:
                return 1
    return WORSE_THAN_V


def _evaluated(key: str, water_body: str, config: Gb3838Config) -> bool:
    if key == "tn":
        return config.tn_for_lakes if water_body == LAKE else config.tn_for_rivers
    if key == "fecal_coliform":
        return config.fecal_coliform
    return True


def classify(
    sample: Mapping[str, float | str | None],
    water_body: str = RIVER,
    *,
    do_saturation=None,
    config: Gb3838Config = DEFAULT_CONFIG,
) -> WaterClassResult:
    """Class of one sample. ``sample`` maps parameter keys (``PARAMETERS``) to values; ``None`` =
    not measured. ``do_saturation``: DO saturation in percent, if measured."""
    if water_body not in (RIVER, LAKE):
        raise ValueError("water_body is 'river' or 'lake' (lakes and reservoirs)")
    unknown = set(sample) - set(PARAMETERS)
    if unknown:
        raise ValueError(f"unknown parameters {sorted(unknown)}")
    per: dict[str, int] = {}
    ignored = []
    for key, value in sample.items():
        if value is None:
            continue
        if not _evaluated(key, water_body, config):
            ignored.append(key)
            continue
        per[key] = parameter_class(key, value, water_body, do_saturation if key == "do" else None)
    if not per:
        raise ValueError("no parameter to evaluate")
    worst = max(per.values())
    order = list(PARAMETERS)
    deciding = tuple(sorted((k for k, c in per.items() if c == worst), key=order.index))
    exceedance = {}
    for key, cls in per.items():
        p = PARAMETERS[key]
        if cls > config.target_class and p.direction == "max":
            limits = p.lake_limits if (water_body == LAKE and p.lake_limits) else p.limits
            lim = Decimal(limits[config.target_class - 1])
            exceedance[key] = (_dec(sample[key]) - lim) / lim
    return WaterClassResult(worst, dict(sorted(per.items(), key=lambda kv: order.index(kv[0]))), deciding,
                            exceedance, tuple(sorted(ignored, key=order.index)))
