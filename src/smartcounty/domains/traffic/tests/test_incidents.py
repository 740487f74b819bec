"""SND incident detection on labelled series, and live: a detector's drop raises an alert, recovery resolves it."""

import pytest

from smartcounty.domains.traffic import network, panels, simulate, snd
from smartcounty.domains.traffic.models import Incident
from smartcounty.domains.traffic.tests.conftest import speeds
from smartcounty.domains.traffic.tests.test_congestion import MONDAY_8
from smartcounty.foundation.alerts import services as alerts
from smartcounty.foundation.cockpit.schemas import PanelContext
from smartcounty.foundation.sensing import services as sensing


def noisy(n, level, seed=1):
    import random

    r = random.Random(seed)
    return [level + r.uniform(-2, 2) for _ in range(n)]


def test_a_sudden_drop_is_declared_after_two_intervals_and_clears_on_recovery():
    series = noisy(30, 60) + [20, 19, 21, 20, 22, 20] + noisy(20, 58, seed=2)
    alarms = snd.snd_alarms(series)
    assert len(alarms) == 1
    a = alarms[0]
    assert a.start == 31 and a.end == 37  # declared at the 2nd low minute; cleared at the 2nd minute back
    assert a.baseline == pytest.approx(60, abs=1.5) and a.speed == 19


def test_a_single_low_reading_and_a_gradual_rush_hour_slowdown_are_not_incidents():
    assert snd.snd_alarms(noisy(30, 60) + [20] + noisy(30, 60, seed=3)) == []
    ramp = [60 - 0.5 * i for i in range(80)]  # 40 km/h lost over 80 minutes
    assert snd.snd_alarms(ramp) == []
    # the fixed threshold (half of free flow) calls the slow rush hour an incident
    assert len(snd.threshold_alarms(ramp, 70)) == 1


def test_missing_readings_are_skipped():
    series = noisy(15, 60) + [None, 18, None, 17] + noisy(10, 60)
    assert len(snd.snd_alarms(series)) == 1


def test_scoring_on_simulated_incidents_with_ground_truth():
    key, minutes = "det-x", 3 * 24 * 60
    start = MONDAY_8 - 3 * 86_400_000
    series = [simulate.speed(key, "arterial", 55, start + m * 60_000, rate=1.0) for m in range(minutes)]
    truth = [((i.start_ms - start) // 60_000, (i.end_ms - start) // 60_000)
             for d in range(4) for i in simulate.incidents_on(key, simulate.local(start + d * 86_400_000).date(),
                                                              rate=1.0)
             if start <= i.start_ms < start + minutes * 60_000]
    assert len(truth) >= 2
    alarms = snd.snd_alarms(series)
    detected, false, delays = snd.score(truth, alarms, len(series))
    assert detected == len(truth) and all(0 <= d <= 3 for d in delays)
    # the false alarms are the short disturbances (labelled non-incidents), never a rush hour
    disturbed = {m for m in range(minutes) if simulate.disturbance(key, start + m * 60_000)}
    false_starts = [a.start for a in alarms if not any(s <= a.start < e + 5 for s, e in truth)]
    assert len(false_starts) == false and all(any(m in disturbed for m in range(f - 3, f + 1)) for f in false_starts)
    s = snd.Score(len(truth), detected, false, len(series), sum(delays) / len(delays))
    assert s.detection_rate == 1.0 and s.false_alarm_rate == false / len(series)


@pytest.mark.django_db
def test_live_detector_drop_raises_and_recovery_resolves_the_alert(roads, orgs, django_capture_on_commit_callbacks):
    network.map_stream("A1", roads["A1"], source="detector")
    base = sensing.to_ms(sensing.from_ms(MONDAY_8))
    with django_capture_on_commit_callbacks(execute=True):
        speeds(roads["A1"], base, noisy(20, 50), publish=True)
    assert not Incident.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        speeds(roads["A1"], base + 20 * 60_000, [12, 11, 12], publish=True)
    inc = Incident.objects.get()
    assert inc.state == "active" and inc.detected_ms == base + 21 * 60_000 and inc.speed_kmh == 11
    alert = alerts.find_open_alert("traffic", f"incident:{roads['A1']}")
    assert alert is not None and alert.level == 3 and inc.alert_id == alert.id
    items = panels.incident_list(PanelContext(user=orgs.transport))["items"]
    assert [i["title"] for i in items] == ["测试道路A1"]
    with django_capture_on_commit_callbacks(execute=True):
        speeds(roads["A1"], base + 23 * 60_000, [48, 49, 50], publish=True)
    inc.refresh_from_db()
    assert inc.state == "cleared" and inc.cleared_ms == base + 24 * 60_000
    assert alerts.find_open_alert("traffic", f"incident:{roads['A1']}") is None
    # replaying the same hour does not raise it again
    with django_capture_on_commit_callbacks(execute=True):
        speeds(roads["A1"], base + 26 * 60_000, [50], publish=True)
    assert Incident.objects.count() == 1
