"""Sensing shapes other modules use. (The sensing helper extends this file.)

Events published by sensing (through ``smartcounty.kernel.events``), delivered after commit:

- ``sensing.observations``: payload ``list[ObservationFact]``, the observations one ingest batch
  stored (new ones only; a repeated (datastream, phenomenon time) is not published again).
- ``sensing.datastream_offline`` / ``sensing.datastream_online``: payload ``DatastreamHealth``.
"""

from datetime import datetime
from typing import NamedTuple


class ObservationFact(NamedTuple):
    datastream_id: int
    thing_id: int
    property: str  # observed property code, e.g. "pm25", "water_level", "smoke"
    town: str | None  # 9-digit town code from places, e.g. "371525001"
    grid: str | None  # 14-digit grid code from places
    time: datetime  # phenomenon time, aware, UTC
    value: float | None  # numeric result (None when the result is not numeric)


class DatastreamHealth(NamedTuple):
    datastream_id: int
    thing_id: int
    property: str
    town: str | None
    grid: str | None
    last_time: datetime | None
    online: bool
