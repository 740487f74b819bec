"""Writes of the SensorThings API (create, update, delete, CreateObservations)."""

from smartcounty.foundation.sensing.sta.callers import StaError


def create_observations(caller, body, base):
    raise StaError(405, "writes are not open yet")


def post(caller, path, body, base):
    raise StaError(405, "writes are not open yet")


def patch(caller, path, body, base):
    raise StaError(405, "writes are not open yet")


def delete(caller, path, base):
    raise StaError(405, "writes are not open yet")
