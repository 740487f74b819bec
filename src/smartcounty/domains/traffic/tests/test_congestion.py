"""The 5-minute county TPI from sensing observations, its storage, history, profiles and peak hours."""

import pytest

from smartcounty.domains.traffic import congestion, live
from smartcounty.domains.traffic.models import SegmentState, TpiSnapshot
from smartcounty.domains.traffic.tests.conftest import speeds

pytestmark = pytest.mark.django_db

# Monday 2026-11-30 08:00 Beijing time = 00:00 UTC
MONDAY_8 = 1_795_996_800_000


def test_weekday_slot_and_defined_peaks():
    assert congestion.weekday_slot(MONDAY_8) == (0, 96)
    assert congestion.in_peak(MONDAY_8) == "morning"
    assert congestion.in_peak(MONDAY_8 + 3_600_000) is None  # 09:00 ends the morning peak
    assert congestion.in_peak(MONDAY_8 + 9 * 3_600_000) == "evening"


def test_window_tpi_from_observations(roads):
    b = MONDAY_8
    speeds(roads["A1"], b, [25, 25, 25, 25, 25])  # the arterial's free flow is 55 km/h
    speeds(roads["B1"], b, [35, 35, 35, 35, 35])
    speeds(roads["A1"], b + 300_000, [50])  # the next window is not counted
    row = congestion.compute(b)
    a1, b1 = congestion.segment_table().values()
    fa = 3.0 * a1[1] / 55
    fb = 1.0 * b1[1] / 40
    tti = (3.0 * a1[1] / 25 + 1.0 * b1[1] / 35) / (fa + fb)
    assert row["tti"] == pytest.approx(tti, abs=1e-3)
    assert row["segments"] == 2 and row["congested"] == 0  # 25 km/h on an arterial is 轻度拥堵 (level 3)
    snap = TpiSnapshot.objects.get(bucket_ms=b)
    assert snap.level == row["level"] and (snap.weekday, snap.slot) == (0, 96)
    assert dict(SegmentState.objects.filter(bucket_ms=b).values_list("segment__code", "level")) == {"A1": 3, "B1": 2}  # 35 km/h is the top of 基本畅通
    # recomputing replaces, never duplicates
    congestion.compute(b)
    assert SegmentState.objects.filter(bucket_ms=b).count() == 2 and TpiSnapshot.objects.count() == 1


def test_a_window_without_data_has_no_index(roads):
    assert congestion.compute(MONDAY_8) is None
    assert not TpiSnapshot.objects.exists()


def test_congested_segments_and_segment_history(roads):
    speeds(roads["A1"], MONDAY_8, [12, 14])
    speeds(roads["B1"], MONDAY_8, [30])
    congestion.compute(MONDAY_8)
    rows = list(congestion.congested_segments())
    assert [(r.segment.code, r.level) for r in rows] == [("A1", 5)]
    hist = congestion.segment_history("A1", MONDAY_8, MONDAY_8 + 300_000)
    assert hist[0]["speed_kmh"] == 13.0 and hist[0]["level_name"] == "严重拥堵"


def test_profile_and_measured_peak_hour(roads):
    # two Mondays: slow between 07:30 and 08:30, free otherwise (06:00-10:00 covered)
    for week in (0, -7):
        day = MONDAY_8 - 2 * 3_600_000 + week * 86_400_000
        for k in range(48):
            b = day + k * 300_000
            slow = 18 <= k < 30
            speeds(roads["A1"], b, [20 if slow else 55])
            speeds(roads["B1"], b, [20 if slow else 35])
            congestion.compute(b)
    prof = congestion.profile(0)
    assert len(prof) == 48, prof[:2]
    assert all(p["days"] == 2 for p in prof), [p["days"] for p in prof]
    peak = congestion.peak_hour(prof, half="morning")
    assert peak["start"] == "07:30" and peak["end"] == "08:30"
    assert congestion.peak_hour(prof, half="evening") is None
    with pytest.raises(ValueError):
        congestion.profile(7)


def test_catch_up_computes_missing_closed_windows(roads):
    for k in range(6):
        speeds(roads["A1"], MONDAY_8 + k * 300_000, [40])
    n = congestion.catch_up(1, MONDAY_8 + 6 * 300_000 + 10_000)
    assert n == 6 and TpiSnapshot.objects.count() == 6
    assert congestion.catch_up(1, MONDAY_8 + 6 * 300_000 + 10_000) == 0


def test_live_subscriber_closes_windows_as_data_passes(roads, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        speeds(roads["A1"], MONDAY_8, [30, 30, 30, 30, 30], publish=True)
    assert not TpiSnapshot.objects.exists()  # the window is still open
    with django_capture_on_commit_callbacks(execute=True):
        speeds(roads["A1"], MONDAY_8 + 300_000, [30, 30], publish=True)  # 60 s past the window's end
    assert list(TpiSnapshot.objects.values_list("bucket_ms", flat=True)) == [MONDAY_8]
    assert live._state["done"] == MONDAY_8
