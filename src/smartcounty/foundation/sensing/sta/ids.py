"""An Observation's ``@iot.id``: its primary key (datastream, phenomenon epoch ms) as one integer,
datastream x 10^13 + ms (times up to the year 2286)."""

OBS_ID_BASE = 10**13


class BadId(ValueError):
    pass


def obs_id(ds: int, ms: int) -> int:
    return ds * OBS_ID_BASE + ms


def split_obs_id(value: int) -> tuple[int, int]:
    if not isinstance(value, int) or isinstance(value, bool) or value < OBS_ID_BASE:
        raise BadId("not an Observation id")
    return divmod(value, OBS_ID_BASE)
