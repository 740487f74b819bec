"""Resource codes (《政务信息资源目录编制指南(试行)》, building on GB/T 21063.3).

A code is ``<前段码>/<后段码>``: the classification (1-digit 类 1-3: 基础 / 主题 / 部门, 2-digit 项,
3-digit 目, and an optional 细目 of up to 6 digits) and a sequence number of 4 to 8 digits,
e.g. ``210001/00012``. The guide leaves 细目's length and the sequence's width open; these are
the bounds we accept.
"""

import re

from django.utils.translation import gettext_lazy as _

CODE_RE = re.compile(r"^(?P<cls>[1-3])(?P<item>\d{2})(?P<entry>\d{3})(?P<detail>\d{0,6})/(?P<seq>\d{4,8})$")

CLASSES = {"1": _("Basic information resources"), "2": _("Thematic information resources"),
           "3": _("Department information resources")}


class ResourceCodeError(ValueError):
    pass


def parse_code(code: str) -> dict:
    """Split a resource code into its parts; raise ResourceCodeError naming what is wrong."""
    code = (code or "").strip()
    m = CODE_RE.match(code)
    if not m:
        raise ResourceCodeError(
            "a resource code is 类(1-3) + 项(2 digits) + 目(3 digits) + optional 细目(up to 6 digits), "
            "'/', and a 4-8 digit sequence number, e.g. 210001/00012")
    parts = m.groupdict()
    if parts["item"] == "00":
        raise ResourceCodeError("项 (digits 2-3) cannot be 00")
    if parts["entry"] == "000":
        raise ResourceCodeError("目 (digits 4-6) cannot be 000")
    if int(parts["seq"]) == 0:
        raise ResourceCodeError("the sequence number cannot be 0")
    parts["classification"] = code.split("/", 1)[0]
    return parts


def is_valid(code: str) -> bool:
    try:
        parse_code(code)
    except ResourceCodeError:
        return False
    return True
