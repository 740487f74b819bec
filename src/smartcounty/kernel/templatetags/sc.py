"""Template filters every page may use: ``{% load sc %}{{ datastream.unit_symbol|unit }}``."""

from django import template

from smartcounty.kernel import units

register = template.Library()


@register.filter
def unit(code):
    """A stored unit code (UCUM, ``ug/m3``) as its symbol (μg/m³)."""
    return units.display(code)
