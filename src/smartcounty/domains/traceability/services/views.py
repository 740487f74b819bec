"""Read models of a trace: a batch with its events, the public chain from farm to shop, the trace graph."""

from django.utils.translation import gettext as _

from smartcounty.domains.traceability.models import Batch, Event
from smartcounty.domains.traceability.services import trace
from smartcounty.domains.traceability.services.batches import EPCIS_TYPES, KIND_NAMES, STAGE_NAMES
from smartcounty.kernel import masking
from smartcounty.kernel.problems import ApiError


def _producer(b: Batch, public: bool) -> dict:
    if b.producer_kind == "id":
        name = masking.mask_name(b.producer_name) if public else b.producer_name
        code = masking.mask_id_number(b.producer_code) if public else b.producer_code
    else:
        name, code = b.producer_name, b.producer_code
    return {"kind": b.producer_kind, "code": code, "name": name}


def batch_out(b: Batch, *, public: bool = False) -> dict:
    return {"id": b.pk, "code": b.code, "product": b.product, "quantity": b.quantity, "unit": b.unit,
            "stage": b.stage, "stage_name": str(STAGE_NAMES.get(b.stage, b.stage)),
            "producer": _producer(b, public), "origin": b.origin, "organisation_id": b.organisation_id,
            "created_at": b.created_at, "recalled": b.recalled_at is not None, "recalled_at": b.recalled_at,
            "recall_reason": b.recall_reason}


#: sensor reading types and units shown in Chinese
READING_NAMES = {"temperature": "温度", "humidity": "相对湿度", "pesticide_inhibition": "农药残留抑制率",
                 "soil_moisture": "土壤含水量", "weight": "重量"}
UNIT_NAMES = {"Cel": "℃", "%": "%", "kg": "kg", "": ""}


def _readings(readings: list) -> list:
    return [{**r, "name": READING_NAMES.get(r.get("type"), "读数"), "unit": UNIT_NAMES.get(r.get("uom"), r.get("uom"))}
            for r in readings or ()]


def event_out(ev: Event, code: str) -> dict:
    return {"id": ev.id, "batch": code, "kind": ev.kind, "kind_name": str(KIND_NAMES.get(ev.kind, ev.kind)),
            "type": EPCIS_TYPES.get(ev.kind, "ObjectEvent"), "stage": ev.stage,
            "stage_name": str(STAGE_NAMES.get(ev.stage, ev.stage)), "time": ev.time, "who": ev.who,
            "where": ev.place, "lon": ev.lon, "lat": ev.lat, "readings": _readings(ev.readings), "inputs": ev.inputs,
            "outputs": ev.outputs, "result": ev.result, "note": ev.note, "hash": ev.hash}


EVENT_FIELDS = ("id", "batch_id", "kind", "stage", "time", "who", "place", "lon", "lat", "readings", "inputs",
                "outputs", "result", "note", "hash")


def traced(code: str, direction: str, *, public: bool = False, limit: int = 2000) -> dict:
    """The batch of ``code`` and every batch ``forward`` (downstream) or ``backward`` (upstream) of it, with the
    links between them and their events, oldest first. Rows are read as tuples and names translated once."""
    if direction not in ("forward", "backward"):
        raise ApiError(422, "invalid", _("direction is forward or backward"), field="direction")
    root = Batch.objects.filter(code=str(code or "").strip().upper()).first()
    if root is None:
        raise ApiError(404, "not-found")
    ids = trace.reach(root.pk, direction)
    batches = {b.pk: b for b in Batch.objects.filter(pk__in=ids[:limit])}
    code_of = {pk: b.code for pk, b in batches.items()}
    kinds = {k: str(v) for k, v in KIND_NAMES.items()}
    stages = {k: str(v) for k, v in STAGE_NAMES.items()}
    # a person's name (a grower identified by ID number) is masked wherever a public event names them
    hide = {b.producer_name: masking.mask_name(b.producer_name) for b in batches.values()
            if public and b.producer_kind == "id" and b.producer_name}
    events = []
    for row in (Event.objects.filter(batch_id__in=list(batches)).order_by("time", "id")
                .values_list(*EVENT_FIELDS)[: limit * 10]):
        e = dict(zip(EVENT_FIELDS, row, strict=True))
        kind, stage = e["kind"], e["stage"]
        e.update(batch=code_of[e.pop("batch_id")], kind_name=kinds.get(kind, kind),
                 type=EPCIS_TYPES.get(kind, "ObjectEvent"), stage_name=stages.get(stage, stage),
                 where=e.pop("place"), readings=_readings(e["readings"]))
        for name, masked in hide.items():
            e["who"], e["note"] = e["who"].replace(name, masked), e["note"].replace(name, masked)
        events.append(e)
    return {"root": batch_out(root, public=public), "direction": direction, "count": len(ids),
            "batches": [batch_out(batches[i], public=public) for i in ids[:limit] if i in batches],
            "links": [{"from": code_of[p], "to": code_of[c], "kind": k} for p, c, k in trace.links_among(list(batches))],
            "events": events}


def epcis_document(code: str) -> dict:
    """The batch's upstream chain as an EPCIS 2.0 JSON-LD document (events only, our vocabulary for the rest)."""
    t = traced(code, "backward", public=True)
    events = []
    for e in t["events"]:
        doc = {"type": e["type"], "eventTime": e["time"].isoformat(), "eventTimeZoneOffset": "+08:00",
               "action": "ADD" if e["kind"] in ("create",) else "OBSERVE",
               "bizStep": e["kind"], "readPoint": {"id": e["where"] or "urn:smartcounty:place:unknown"},
               "sensorElementList": [{"sensorReport": [{"type": r["type"], "value": r["value"], "uom": r["uom"]}
                                                       for r in e["readings"]]}] if e["readings"] else [],
               "sc:hash": e["hash"]}
        epc = f"urn:smartcounty:batch:{e['batch']}"
        if e["type"] == "TransformationEvent":
            doc["inputEPCList"] = [f"urn:smartcounty:batch:{c}" for c in e["inputs"]]
            doc["outputEPCList"] = [f"urn:smartcounty:batch:{c}" for c in e["outputs"]]
        else:
            doc["epcList"] = [epc]
        events.append(doc)
    return {"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld",
                         {"sc": "urn:smartcounty:"}], "type": "EPCISDocument", "schemaVersion": "2.0",
            "creationDate": t["root"]["created_at"].isoformat(), "epcisBody": {"eventList": events}}
