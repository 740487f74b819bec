"""Rule parameters in words (the rules page): a rule's stored parameters are a JSON object; people read
"高于 75 / 115 / 150 / 250，回差 5，持续 300 秒", not a Python dict."""

from django.utils.translation import gettext_lazy as _

NAMES = {
    "op": _("condition"), "value": _("threshold"), "low": _("lower limit"), "high": _("upper limit"),
    "hysteresis": _("hysteresis"), "direction": _("direction"), "levels": _("blue / yellow / orange / red"),
    "limit": _("rate limit"), "per": _("per"), "window": _("window (s)"), "duration": _("lasting (s)"),
}
VALUES = {
    "above": _("above"), "below": _("below"), "between": _("between"), "outside": _("outside"),
    "rise": _("rising"), "fall": _("falling"), "either": _("either way"), "hour": _("hour"), "minute": _("minute"),
}


def _value(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return str(_("yes") if v else _("no"))
    if isinstance(v, (list, tuple)):
        return " / ".join(_value(x) for x in v)
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(VALUES.get(v, v)) if isinstance(v, str) else str(v)


def describe(params) -> str:
    """``{"op": "above", "value": 30}`` -> ``条件：高于；阈值：30``."""
    if not isinstance(params, dict) or not params:
        return "—"
    return _("; ").join(f"{NAMES.get(k, k)}{_(': ')}{_value(v)}" for k, v in params.items())
