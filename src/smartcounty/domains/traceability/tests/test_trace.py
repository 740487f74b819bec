"""Batches, splits and merges in forward and backward traces, a recall, tamper detection, who may do what."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model

from smartcounty.domains.traceability import services
from smartcounty.domains.traceability.demo import resident_id
from smartcounty.domains.traceability.models import Batch, Event
from smartcounty.foundation.accounts import services as accounts
from smartcounty.kernel import codes
from smartcounty.kernel.problems import ApiError

pytestmark = pytest.mark.django_db


def make_uscc(serial: int) -> str:
    org8 = f"MA{serial:06d}"
    first17 = "91371525" + org8 + codes.org_code_check_char(org8)
    return first17 + codes.uscc_check_char(first17)
T0 = datetime(2026, 10, 1, 1, 0, tzinfo=UTC)


def user(username, role, org=None):
    return get_user_model().objects.create_user(username=username, password="Guanxian-2026!", role=role,
                                                organisation_id=org, kind="staff")


@pytest.fixture
def orgs(db):
    accounts.ensure_plan_organisations()
    return accounts.organisation_ids_by_code()


def harvest(org, n=0, qty=100.0):
    return services.create_batch(product="鸭梨", quantity=qty, producer_kind="id",
                                 producer_code=resident_id("37152519680301", f"{n:02d}1"), producer_name="王秀英",
                                 origin="演示果园", organisation_id=org, who="王秀英", when=T0 + timedelta(minutes=n))


def chain_of(org):
    """a, b -> merge m -> split s1, s2; s2 -> process j; c (another farm) alone."""
    a, b, c = harvest(org, 1), harvest(org, 2, 50), harvest(org, 3)
    [m] = services.transform([a, b], [{"quantity": 150}], kind="merge", who="合作社", when=T0 + timedelta(hours=1))
    s1, s2 = services.transform([m], [{"quantity": 100}, {"quantity": 50}], kind="split", who="合作社",
                                when=T0 + timedelta(hours=2))
    [j] = services.transform([s2], [{"product": "梨汁", "quantity": 30, "unit": "L"}], kind="process", who="食品厂",
                             when=T0 + timedelta(hours=3))
    return a, b, c, m, s1, s2, j


def codes_of(t):
    return {b["code"] for b in t["batches"]}


def test_forward_and_backward_traces_through_splits_and_merges(orgs):
    a, b, c, m, s1, s2, j = chain_of(orgs["agriculture"])
    assert codes_of(services.traced(a.code, "forward")) == {a.code, m.code, s1.code, s2.code, j.code}
    assert codes_of(services.traced(j.code, "backward")) == {j.code, s2.code, m.code, a.code, b.code}
    assert codes_of(services.traced(s1.code, "backward")) == {s1.code, m.code, a.code, b.code}
    assert codes_of(services.traced(c.code, "forward")) == {c.code}
    t = services.traced(j.code, "backward")
    assert {(x["from"], x["to"], x["kind"]) for x in t["links"]} == {
        (a.code, m.code, "merge"), (b.code, m.code, "merge"), (m.code, s2.code, "split"), (s2.code, j.code, "process")}
    kinds = [e["kind"] for e in t["events"]]
    assert kinds.count("create") == 2 and "merge" in kinds and "process" in kinds
    assert all(e["type"] == "TransformationEvent" for e in t["events"] if e["kind"] in ("merge", "split", "process"))
    assert s1.producer_code == a.producer_code and s1.stage == "production" and j.stage == "processing"


def test_quantities_and_inputs_are_checked(orgs):
    a = harvest(orgs["agriculture"], 1)
    with pytest.raises(ApiError):
        services.transform([a], [{"quantity": 60}, {"quantity": 60}], kind="split")  # 120 of 100
    with pytest.raises(ApiError):
        services.transform([a], [{"quantity": 100}], kind="merge")
    with pytest.raises(ApiError):
        services.create_batch(product="x", quantity=1, producer_kind="id", producer_code="371525196803011234",
                              producer_name="某")  # bad check digit
    with pytest.raises(ApiError):
        services.create_batch(product="x", quantity=1, producer_kind="uscc", producer_code="91371525MA3DEMO000")
    ok = services.create_batch(product="x", quantity=1, producer_kind="uscc", producer_code=make_uscc(7),
                               producer_name="冠县某公司")
    assert ok.producer_kind == "uscc" and Batch.objects.count() == 2


def test_recall_finds_every_downstream_batch(orgs):
    a, b, c, m, s1, s2, j = chain_of(orgs["agriculture"])
    services.record(s1, "transport", who="物流")
    out = services.recall(b.code, reason="农药残留超标")
    assert out["batches"] == 5 and set(out["codes"]) == {b.code, m.code, s1.code, s2.code, j.code}
    assert set(Batch.objects.exclude(recalled_at=None).values_list("code", flat=True)) == set(out["codes"])
    assert Batch.objects.get(pk=a.pk).recalled_at is None  # upstream of the merge, not downstream of b
    assert Event.objects.filter(kind="recall").count() == 5
    with pytest.raises(ApiError) as err:
        services.record(j, "sell", who="超市")
    assert err.value.status == 409
    assert services.recall(m.code, reason="再次")["newly_recalled"] == 0


def test_tampering_is_detected(orgs):
    a, *_rest = chain_of(orgs["agriculture"])
    services.inspect(a, passed=True, who="检测站", readings=[{"type": "pesticide_inhibition", "value": 12, "uom": "%"}])
    assert services.verify().ok
    n = Event.objects.count()
    ev = Event.objects.filter(kind="inspect").get()
    Event.objects.filter(pk=ev.pk).update(result="fail")  # someone edits the record behind the chain's back
    v = services.verify()
    assert not v.ok and v.broken_id == ev.pk and v.checked < n
    Event.objects.filter(pk=ev.pk).update(result="pass")
    assert services.verify().ok
    second = Event.objects.order_by("id")[1]
    Event.objects.filter(pk=second.pk).delete()  # a removed record breaks the next link
    v = services.verify()
    assert not v.ok and v.broken_id == Event.objects.filter(id__gt=second.pk).order_by("id").first().pk


def test_api_authorisation_and_public_trace(client, orgs):
    ny = user("nyj", "staff", orgs["agriculture"])
    other = user("swj", "staff", orgs["commerce"])
    sup = user("scj-admin", "org_admin", orgs["market-regulation"])
    body = json.dumps({"product": "鸭梨", "quantity": 100, "producer_kind": "id",
                       "producer_code": resident_id("37152519680301", "011"), "producer_name": "王秀英",
                       "readings": [{"type": "temperature", "value": 12.5, "uom": "Cel"}]})
    assert client.post("/api/v1/traceability/batches", body, content_type="application/json").status_code == 401
    client.force_login(ny)
    r = client.post("/api/v1/traceability/batches", body, content_type="application/json")
    assert r.status_code == 201
    code = r.json()["code"]
    ev = json.dumps({"kind": "store", "place": "冷库", "readings": [{"type": "temperature", "value": 2, "uom": "Cel"}]})
    assert client.post(f"/api/v1/traceability/batches/{code}/events", ev, content_type="application/json").status_code == 201
    client.logout()
    assert client.get(f"/api/v1/traceability/batches/{code}/trace").status_code == 401
    assert client.post(f"/api/v1/traceability/batches/{code}/recall", json.dumps({"reason": "x"}),
                       content_type="application/json").status_code == 401
    client.force_login(other)  # another organisation
    assert client.get(f"/api/v1/traceability/batches/{code}/trace").status_code == 403
    assert client.post(f"/api/v1/traceability/batches/{code}/events", ev, content_type="application/json").status_code == 403
    assert client.get("/api/v1/traceability/batches").json()["count"] == 0
    assert client.get("/api/v1/traceability/verify").status_code == 403
    client.force_login(sup)  # the supervisor inspects and recalls anyone's batch
    r = client.post(f"/api/v1/traceability/batches/{code}/inspections", json.dumps({"passed": False}),
                    content_type="application/json")
    assert r.status_code == 201 and r.json()["result"] == "fail"
    assert client.post(f"/api/v1/traceability/batches/{code}/recall", json.dumps({"reason": "检测不合格"}),
                       content_type="application/json").json()["batches"] == 1
    assert client.get("/api/v1/traceability/verify").json()["ok"] is True
    client.logout()
    pub = client.get(f"/api/v1/traceability/public/{code}").json()
    assert pub["root"]["producer"]["name"] == "王**" and "*" in pub["root"]["producer"]["code"]
    assert pub["root"]["recalled"] is True
    assert "王秀英" not in json.dumps(pub, ensure_ascii=False)
    page = client.get(f"/traceability/t/{code}/").content.decode()
    assert "王**" in page and "已召回" in page and "<svg" in page and "温度" in page
    assert client.get(f"/traceability/t/{code}/qr.svg")["Content-Type"] == "image/svg+xml"
    assert client.get("/traceability/t/GXNOSUCHCODE00/").status_code == 404
    doc = json.loads(client.get(f"/api/v1/traceability/public/{code}/epcis").content)
    assert doc["type"] == "EPCISDocument" and doc["epcisBody"]["eventList"][1]["sensorElementList"]


def test_demo_chain(orgs):
    from smartcounty.domains.traceability import demo

    demo.load()
    demo.load()
    sold = Batch.objects.filter(product="冠县鸭梨（演示）", stage="sale").get()
    t = services.traced(sold.code, "backward")
    assert t["count"] == 4 and services.verify().ok
