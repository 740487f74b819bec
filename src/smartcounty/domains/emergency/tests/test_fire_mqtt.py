"""End to end through the real Mosquitto broker: a smoke detector of a public building publishes an alarm over
MQTT to the ingesting process; the alarm persists, so an incident opens at the building, the building's contact
and the fire brigade's duty desk are notified and the nearest ready team is tasked; the commander publishes a
public warning that the portal shows; the team finishes its task, the incident closes with a review, and the
warning is withdrawn from the portal. Also: a detector offline too long becomes a maintenance case."""

import json
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import paho.mqtt.client as mqtt
import pytest
from django.core.cache import cache
from django.db import connection

from smartcounty.domains.emergency import services
from smartcounty.domains.emergency.models import Detector, Incident, Notice, Task
from smartcounty.foundation.cases import services as cases
from smartcounty.foundation.sensing import services as sensing
from smartcounty.foundation.sensing.schemas import DatastreamHealth

from .conftest import LAT, LON, team

pytestmark = [pytest.mark.mqtt, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _db_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _ingester(broker, prefix):
    env = dict(os.environ, DATABASE_URL=_db_url(), SMARTCOUNTY_SIMULATE="0")
    proc = subprocess.Popen(
        [sys.executable, "-m", "smartcounty.cli", "ingest_mqtt", "--host", broker[0], "--port", str(broker[1]),
         "--client-id", f"sc-fire-{uuid.uuid4().hex[:8]}", "--topic", f"{prefix}v1.1/+/Observations", "--batch", "1"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if "subscribed" not in line:
        proc.kill()
        raise AssertionError(f"ingester did not start: {line!r} {proc.stderr.read()[-2000:]}")
    return proc


def _wait(cond, timeout=60.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.2)
    return False


def _building(world):
    thing = sensing.create_thing("smoke-test-hall", "县文化馆烟感", lon=LON, lat=LAT, kind="smoke")
    ds = sensing.create_datastream(thing, "smoke", expected_interval_s=300)
    b = services.fire.create_building(code="B-HALL", name="冠县文化馆", lon=LON, lat=LAT, town_code="371525001",
                                      address="冠县文化馆一层", contact_name="钱馆长", contact_phone="06355221009",
                                      contact_user_id=world.other.pk)
    services.fire.register_detector(b, thing.id)
    return thing, ds


def test_smoke_alarm_over_mqtt_to_a_closed_incident(world, mqtt_broker, client):
    thing, ds = _building(world)
    near = team("T-NEAR", lon=LON + 0.004, org=world.brigade)
    team("T-FAR", lon=LON + 0.05, org=world.brigade)
    prefix = f"sc-test/{uuid.uuid4().hex[:10]}/"
    proc = _ingester(mqtt_broker, prefix)
    pub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"pub-{uuid.uuid4().hex[:8]}")
    pub.connect(*mqtt_broker)
    pub.loop_start()
    try:
        t0 = datetime.now(UTC) - timedelta(minutes=5)
        topic = f"{prefix}v1.1/Datastreams({ds.id})/Observations"
        pub.publish(topic, json.dumps({"phenomenonTime": t0.isoformat(), "result": 1}), qos=1).wait_for_publish(10)
        assert _wait(lambda: Detector.objects.filter(alarm_since__isnull=False).exists(), 60), "alarm not seen"
        assert not Incident.objects.exists()  # one reading is not yet a persisting alarm
        later = t0 + timedelta(seconds=services.fire.PERSIST_S + 30)
        pub.publish(topic, json.dumps({"phenomenonTime": later.isoformat(), "result": 1}), qos=1).wait_for_publish(10)
        assert _wait(lambda: Task.objects.exists(), 60), "no incident with a task"
    finally:
        pub.disconnect()
        pub.loop_stop()
        proc.terminate()
        proc.wait(20)
    inc = Incident.objects.get()
    assert (inc.kind, inc.source, inc.state) == ("fire", "alert", "open")
    task = Task.objects.get()
    assert task.team_id == near  # the nearest ready team
    assert cases.get_case(task.case_id).organisation_id == world.brigade
    notices = Notice.objects.filter(incident=inc)
    assert {n.organisation_id for n in notices} == {None, world.brigade}
    assert notices.filter(user_id=world.other.pk, phone="06355221009").exists()
    assert services.command_view(inc.id)["alerts"][0]["property"] == "smoke"

    client.force_login(world.fire)  # the brigade's duty desk commands the fire incident
    assert inc.number in client.get("/emergency/duty/").content.decode()
    r = client.post(f"/api/v1/emergency/incidents/{inc.id}/warnings",
                    {"headline": "县文化馆火警，请勿靠近", "instruction": "周边群众请远离，让出消防通道", "level": 3},
                    content_type="application/json")
    assert r.status_code == 201, r.content
    cache.clear()
    assert "县文化馆火警，请勿靠近" in client.get("/portal/").content.decode()
    for step, data in (("accept", {}), ("arrive", {}), ("finish", {"result": "为电气线路短路冒烟，已处置"})):
        cases.transition(task.case_id, step, actor=world.fire, data=data)
    assert Task.objects.get().state == "done"
    r = client.post(f"/api/v1/emergency/incidents/{inc.id}/close",
                    {"review": "烟感持续报警1分钟后自动立案并调派最近队伍，8分钟到场；需排查老旧线路。"},
                    content_type="application/json")
    assert r.status_code == 200, r.content
    cache.clear()
    assert "县文化馆火警，请勿靠近" not in client.get("/portal/").content.decode()
    assert Incident.objects.get().state == "closed"


def test_detector_offline_too_long_becomes_a_maintenance_case(world):
    thing, ds = _building(world)
    gone = datetime.now(UTC) - timedelta(hours=30)
    services.fire.on_offline("sensing.datastream_offline",
                             DatastreamHealth(ds.id, thing.id, "smoke", None, None, gone, False))
    assert services.fire.sweep()["maintenance"] == 1
    assert services.fire.sweep()["maintenance"] == 0  # one open case per detector
    case = cases.get_case(Detector.objects.get().maintenance_case_id)
    assert case.case_type == "emergency.maintenance" and case.organisation_id == world.brigade
    services.fire.on_online("sensing.datastream_online",
                            DatastreamHealth(ds.id, thing.id, "smoke", None, None, datetime.now(UTC), True))
    assert Detector.objects.get().offline_since is None
