"""Plain data for the water API, page, cockpit and catalog (lazy pages so a list computes only its slice)."""

from collections.abc import Sequence

from django.db import transaction

from smartcounty.domains.water import drought, quality, readings
from smartcounty.kernel import audit

PLATFORM = 0  # no organisation has id 0: only platform administrators pass a check on it
WATER_ORG = "water"


class _Page(Sequence):
    property_code = ""

    def __init__(self):
        self._ids: list[int] | None = None

    def ids(self) -> list[int]:
        if self._ids is None:
            self._ids = readings.gauge_ids(self.property_code)
        return self._ids

    def __len__(self) -> int:
        return len(self.ids())

    def rows(self, ids) -> list[dict]:
        raise NotImplementedError

    def __getitem__(self, i):
        if isinstance(i, slice):
            ids = self.ids()[i]
            return self.rows(ids) if ids else []
        return self.rows([self.ids()[i]])[0]


class LevelPage(_Page):
    property_code = readings.LEVEL_PROPERTY

    def rows(self, ids):
        return readings.levels(ids)


class RainPage(_Page):
    property_code = readings.RAIN_PROPERTY

    def rows(self, ids):
        return readings.rain(ids)


def is_gauge(datastream_id: int, property_code: str) -> bool:
    return datastream_id in set(readings.gauge_ids(property_code))


def water_organisation() -> int:
    from smartcounty.foundation.accounts import services as accounts

    return accounts.organisation_ids_by_code().get(WATER_ORG, PLATFORM)


def reassess_drought(*, actor, organisation_id: int | None) -> dict:
    with transaction.atomic():
        st = drought.assess_drought()
        audit.record("water.drought_assess", actor=actor, organisation_id=organisation_id,
                     detail={"grade": None if st.watch is None else st.watch.grade, "gauges": st.gauges})
    return readings.drought_out()


def quality_stations() -> list[dict]:
    return quality.stations()
