"""Code lists a choice field may name (``code_list``): each is a list of ``(code, Chinese name)``.

Built in: ``gb2261.sex`` (GB/T 2261.1-2003 human sex codes), ``gb4761.relation`` (GB/T 4761-2008 family
relation codes, first level) and ``county.towns`` (the county's towns and subdistricts, from ``places``).
"""

from django.utils.translation import gettext_lazy as _

SEX = (("0", _("Unknown sex")), ("1", _("Male")), ("2", _("Female")), ("9", _("Sex not stated")))
RELATION = (("01", _("Self")), ("02", _("Household head")), ("10", _("Spouse")), ("20", _("Son")),
            ("30", _("Daughter")), ("50", _("Parent")), ("70", _("Grandchild")), ("99", _("Other relation")))


def _towns():
    try:
        from smartcounty.foundation.places import services as places
    except ImportError:  # places not installed in this deployment
        return ()
    return tuple((t.code, t.name) for t in places.towns())


CODE_LISTS = {
    "gb2261.sex": (_("Sex (GB/T 2261.1)"), lambda: SEX),
    "gb4761.relation": (_("Family relation (GB/T 4761)"), lambda: RELATION),
    "county.towns": (_("Towns of the county"), _towns),
}


def names() -> dict[str, str]:
    return {key: str(title) for key, (title, _load) in CODE_LISTS.items()}


def items(name: str) -> tuple[tuple[str, str], ...]:
    """The ``(code, name)`` pairs of a code list (empty when it is unknown)."""
    entry = CODE_LISTS.get(name)
    return tuple((code, str(label)) for code, label in entry[1]()) if entry else ()
