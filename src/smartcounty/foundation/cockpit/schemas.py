"""The cockpit's contract with every other module: panels and work items.

A module contributes to the operations cockpit (城市运行驾驶舱), the resident portal and the staff
home by registering a :class:`CockpitPanel` in ``reg.cockpit_panels`` from its ``register()``::

    from smartcounty.foundation.cockpit.schemas import CockpitPanel, Figure

    reg.cockpit_panels.register("water.over_warning", CockpitPanel(
        key="water.over_warning", title=_("Stations over warning level"), kind="figure",
        data=lambda ctx: Figure(value=count_over_warning(), unit=_("stations")).as_dict(),
        order=40, refresh=60), module="water")

The cockpit never imports the contributing module: it only calls ``panel.data(ctx)``.
``ctx`` is a :class:`PanelContext`. What ``data`` returns depends on ``kind`` (small, JSON-ready):

- ``figure``: ``{"value": number|str|None, "unit": str, "note": str, "level": "ok"|"warn"|"bad"|""}``,
  optionally ``"title"`` when the data says what it is better than the panel's title (a fallback quantity)
- ``chart``: ``{"type": "bar"|"line"|"pie", "categories": [str], "series": [{"name": str, "data": [number]}]}``
- ``list``: ``{"items": [{"title": str, "meta": str, "level": str, "url": str, "time": iso str}]}``
- ``map-layer``: ``{"points": [{"id": str, "lon": float, "lat": float, "label": str, "state": str}],
  "total": int}`` for the objects inside ``ctx.bbox``, at most ``ctx.limit`` of them (``total`` counts
  all in the box, so the map can say how many it does not show); or ``{"geojson": FeatureCollection}``
  for area layers (towns, grids).
- ``worklist``: ``{"items": [WorkItem.as_dict(), ...]}``: what waits for ``ctx.user`` and their organisation.

A failing ``data`` never breaks the screen: the cockpit logs it and shows the panel as unavailable.
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

KINDS = ("figure", "chart", "list", "map-layer", "worklist")
AUDIENCES = ("staff", "public")
LEVELS = ("", "ok", "warn", "bad")


@dataclass(frozen=True)
class PanelContext:
    """What a panel's ``data`` callable is asked for."""

    #: The signed-in user (None on public screens).
    user: Any = None
    #: The user's organisation id (None for residents, anonymous visitors and platform admins).
    organisation_id: int | None = None
    #: Map layers: (min_lon, min_lat, max_lon, max_lat) in WGS84; None = the whole county.
    bbox: tuple[float, float, float, float] | None = None
    #: Map layers: the most points to return.
    limit: int = 500
    #: Map zoom level, when asked from a map.
    zoom: int | None = None
    #: A town (9-digit code) the viewer picked, e.g. "air quality near me".
    town_code: str | None = None
    #: The viewer's position (WGS84), when they shared it.
    lon: float | None = None
    lat: float | None = None


@dataclass(frozen=True)
class CockpitPanel:
    """One panel a module contributes. ``key`` is ``<module label>.<name>``."""

    key: str
    title: Any
    data: Callable[[PanelContext], dict]
    kind: str = "figure"
    order: int = 100
    #: Seconds between live refreshes (the cockpit polls its live endpoint at the smallest of them).
    refresh: int = 30
    #: "staff": cockpit and staff home only; "public": also the resident portal and a public cockpit.
    audience: str = "staff"
    #: A permission code the viewer needs (checked with kernel.authz); None = any viewer of the screen.
    permission: str | None = None
    #: Map layers: a colour for the layer's markers (CSS), and whether markers are clustered.
    colour: str = "#1d4f91"
    cluster: bool = True
    #: Map layers drawn without asking (others can be switched on).
    default_on: bool = True
    #: Short explanation shown as a tooltip.
    help: Any = ""
    #: What the panel is about, for screens that pick one panel per topic: "air" (air quality at
    #: ``ctx.town_code``/``ctx.lon,lat``), "warnings" (public warnings). The lowest ``order`` wins,
    #: so a domain's panel (e.g. AQI with its category) replaces the cockpit's built-in fallback.
    topic: str = ""
    #: Seconds the data may be reused for every viewer (figure, chart and list panels whose data does not
    #: depend on the viewer; 0 = computed for each request). Spares the database on busy wall displays.
    cache: int = 0

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"cockpit panel {self.key!r}: kind must be one of {KINDS}, not {self.kind!r}")
        if self.audience not in AUDIENCES:
            raise ValueError(f"cockpit panel {self.key!r}: audience must be one of {AUDIENCES}")
        if "." not in self.key:
            raise ValueError(f"cockpit panel {self.key!r}: key must be '<module label>.<name>'")
        if self.refresh < 2:
            raise ValueError(f"cockpit panel {self.key!r}: refresh must be at least 2 seconds")


@dataclass
class Figure:
    value: Any
    unit: Any = ""
    note: Any = ""
    level: str = ""

    def as_dict(self) -> dict:
        return {"value": self.value, "unit": str(self.unit), "note": str(self.note), "level": self.level}


@dataclass
class WorkItem:
    """One thing waiting for someone on the staff home.

    Urgency orders the staff home: ``due`` first (overdue first, then the soonest), then ``level``
    (3 = most urgent), then age. ``count`` lets a module summarise many items as one line.
    """

    title: str
    url: str = ""
    module: str = ""
    kind: str = ""
    due: datetime | None = None
    level: int = 1
    count: int = 1
    created: datetime | None = None
    meta: str = ""
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        d = asdict(self)
        d["due"] = self.due.isoformat() if self.due else None
        d["created"] = self.created.isoformat() if self.created else None
        d["title"] = str(self.title)
        d["meta"] = str(self.meta)
        return d
