"""The ingest operations' request bodies for the OpenAPI document.

Ingest reads its body itself (no pydantic model per item: see ``ingest``), so the shapes are written out
here as JSON Schema. They describe what is accepted; each item is still checked one by one, and a bad item
is rejected to the dead letters with its reason while the others are stored.
"""

from smartcounty.foundation.sensing.ingest import MAX_REQUEST_ITEMS

_ID = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
_TIME = {"description": "ISO 8601 with an offset (e.g. `2026-11-27T10:00:00+08:00`), or epoch milliseconds",
         "oneOf": [{"type": "string", "format": "date-time"}, {"type": "integer", "minimum": 0,
                                                               "maximum": 2**63 - 1}]}
_RESULT = {"description": "a finite number (or a boolean) for numeric properties; other properties also take "
                          "text or JSON (at most 4,096 characters as JSON)"}
_QUALITY = {"oneOf": [{"type": "string", "enum": ["good", "suspect", "bad"]},
                      {"type": "integer", "enum": [0, 1, 2], "minimum": 0, "maximum": 2}]}
_REF = {"oneOf": [_ID, {"type": "object", "properties": {"@iot.id": _ID}, "required": ["@iot.id"]}]}

OBSERVATION = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"datastream": _REF, "Datastream": _REF, "phenomenonTime": _TIME, "resultTime": _TIME,
                   "result": _RESULT, "resultQuality": _QUALITY},
    "required": ["result"],
}
DATA_ARRAY_GROUP = {
    "type": "object",
    "properties": {
        "Datastream": _REF,
        "components": {"type": "array", "minItems": 1, "uniqueItems": True, "items": {
            "type": "string", "enum": ["phenomenonTime", "result", "resultTime", "resultQuality"]}},
        "dataArray@iot.count": {"type": "integer", "minimum": 0, "maximum": MAX_REQUEST_ITEMS},
        "dataArray": {"type": "array", "maxItems": MAX_REQUEST_ITEMS, "items": {"type": "array"}},
    },
    "required": ["Datastream", "components", "dataArray"],
}


def _body(schema: dict, description: str) -> dict:
    return {"requestBody": {"required": True, "description": description,
                            "content": {"application/json": {"schema": schema}}}}


INGEST_BODY = _body({"oneOf": [
    {"type": "array", "maxItems": MAX_REQUEST_ITEMS, "items": OBSERVATION},
    OBSERVATION,
    {"type": "array", "maxItems": MAX_REQUEST_ITEMS, "items": DATA_ARRAY_GROUP},
]}, f"A list of observations (at most {MAX_REQUEST_ITEMS:,}), one observation, or SensorThings "
    "CreateObservations groups.")
CREATE_OBSERVATIONS_BODY = _body({"type": "array", "items": DATA_ARRAY_GROUP},
                                 "OGC SensorThings CreateObservations: groups of a datastream, its components and "
                                 "dataArray rows.")
