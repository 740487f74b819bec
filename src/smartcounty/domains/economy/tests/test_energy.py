"""Energy monitoring: simulated hourly meter readings through sensing; daily and monthly totals; anomaly alerts."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from smartcounty.domains.economy import services
from smartcounty.foundation.alerts import services as alerts
from smartcounty.foundation.sensing import services as sensing

T0 = datetime(2026, 11, 1, 16, 0, tzinfo=UTC)  # 2 November 00:00 北京时间


def feed(meter, start, hours, value):
    items = [{"datastream": meter["datastream_id"], "phenomenonTime": (start + timedelta(hours=h)).isoformat(),
              "result": value(h) if callable(value) else value} for h in range(hours)]
    return sensing.ingest(items, source="test")


def make(eco, n=0, park=True):
    pk = services.save_enterprise({"uscc": eco.uscc[n], "name": f"企业{n}", "industry": "C33",
                                   "park": "冠县经济开发区" if park else ""})
    return pk, services.add_meter(pk, kind="electricity", code=f"E{n}", lon=115.44, lat=36.48)


def test_daily_and_monthly_consumption(eco):
    a, ma = make(eco, 0)
    b, mb = make(eco, 1)
    feed(ma, T0, 48, 10.0)        # 240 kW·h a day
    feed(mb, T0, 24, 5.0)         # 120 on the first day
    scope = services.scope_of(eco.staff)
    day = services.consumption(scope, kind="electricity", start=T0, end=T0 + timedelta(days=2), park_id=eco.park)
    assert day["series"] == [{"period": "2026-11-02", "value": 360.0}, {"period": "2026-11-03", "value": 240.0}]
    assert day["total"] == 600.0 and day["meters"] == 2 and day["unit"] == "kW·h"
    month = services.consumption(scope, kind="electricity", start=T0 - timedelta(days=1), end=T0 + timedelta(days=2),
                                 enterprise_id=a, bucket="month")
    assert month["series"] == [{"period": "2026-11", "value": 480.0}]
    rows = services.park_breakdown(scope, eco.park, kind="electricity", start=T0, end=T0 + timedelta(days=2))
    assert [(r["enterprise_id"], r["value"]) for r in rows] == [(a, 480.0), (b, 120.0)]
    zone = services.scope_of(eco.zone)  # the park's own organisation sees it
    assert services.consumption(zone, kind="electricity", start=T0, end=T0 + timedelta(days=2),
                                park_id=eco.park)["total"] == 600.0


def test_anomaly_alert_raised_and_resolved_from_simulated_meter(eco, django_capture_on_commit_callbacks):
    _pk, m = make(eco, 0)
    with django_capture_on_commit_callbacks(execute=True):  # the sensing.observations handler judges each batch
        feed(m, T0, 8 * 24, lambda h: 10.0 + (h % 24 >= 8) * 20)  # a normal week: 8 h working at 30, else 10
    assert alerts.find_open_alert("economy", "energy:E0") is None
    spike_start = T0 + timedelta(days=8)
    with django_capture_on_commit_callbacks(execute=True):
        feed(m, spike_start, 24, lambda h: 2.2 * (10.0 + (h % 24 >= 8) * 20))
    alert = alerts.find_open_alert("economy", "energy:E0")
    assert alert is not None and alert.level == 3  # 2.2 times the daily mean: orange
    with django_capture_on_commit_callbacks(execute=True):
        feed(m, spike_start + timedelta(days=1), 24, lambda h: 10.0 + (h % 24 >= 8) * 20)
    assert alerts.find_open_alert("economy", "energy:E0") is None


def test_anomaly_needs_a_baseline(eco):
    _pk, m = make(eco, 0)
    feed(m, T0, 24, 10.0)
    feed(m, T0 + timedelta(days=1), 24, 100.0)  # only one day before: no baseline, no alert
    assert alerts.find_open_alert("economy", "energy:E0") is None
    [judged] = services.check_anomalies(T0 + timedelta(days=2))
    assert judged["baseline"] is None and judged["level"] == 0


def test_anomaly_level_boundaries():
    assert services.anomaly_level(149.9, 100) == 0
    assert services.anomaly_level(150, 100) == 2
    assert services.anomaly_level(199.9, 100) == 2
    assert services.anomaly_level(200, 100) == 3
    assert services.anomaly_level(500, None) == 0 and services.anomaly_level(5, 0) == 0


@given(st.floats(0, 1e6), st.floats(0, 1e6), st.floats(0.01, 1e5))
def test_anomaly_level_is_monotonic(a, b, base):
    lo, hi = sorted((a, b))
    assert services.anomaly_level(lo, base) <= services.anomaly_level(hi, base)
