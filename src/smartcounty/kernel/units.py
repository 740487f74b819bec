"""Units as people read them: the platform stores UCUM-style codes (``ug/m3``, ``Cel``), pages show
symbols (μg/m³, ℃). A code without a display form is shown as stored (it is already a symbol: m, mm, %)."""

from django.utils.translation import gettext_lazy as _

DISPLAY = {
    "ug/m3": "μg/m³", "mg/m3": "mg/m³", "Cel": "℃", "deg": "°", "m3": "m³", "m3/s": "m³/s", "m2": "m²",
    "km2": "km²", "veh/h": _("vehicles/h"), "1": "", "[ppm]": "ppm", "mg/L": "mg/L", "uS/cm": "μS/cm", "kW.h": "kWh", "kW/h": "kWh",
}


def display(code) -> str:
    code = "" if code is None else str(code)
    return str(DISPLAY.get(code, code))
