"""Incident detection benchmark: the SND algorithm (``domains/traffic/snd.py``) beside a naive fixed speed
threshold, on simulated detector data with injected incidents (ground truth from ``domains/traffic/simulate.py``).

Detectors on expressways, arterials and secondary roads report 1-minute mean speeds over 14 days that include
the National Day holidays (the shipped official calendar), with weekday rush hours, weekend and holiday demand,
noise, and incidents (a quarter to a half of normal speed for 15-60 minutes). Each algorithm sees every
detector's series; an alarm declared from the incident's start until 5 minutes after its end detects it, any
other alarm is false. SND runs with the live parameters (n = 10 minutes, k = 3, m = 2) and with m = 3 and 4. Printed per algorithm: detection rate (DR), false-alarm rate (FAR: false alarms per
decision, one decision per detector-minute, the literature's definition), false alarms per detector-day, and
mean time to detect (MTTD, minutes from the incident's start).

    .venv/bin/python bench/traffic_incidents.py [--detectors 60] [--days 14] [--rate 0.15]
"""

import argparse
import os
import sys
import time
from datetime import date, datetime, timedelta

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))

from smartcounty.domains.traffic import simulate, snd  # noqa: E402
from smartcounty.domains.traffic.tpi import FREE_FLOW  # noqa: E402
from smartcounty.foundation.cases.workcalendar import shipped_days  # noqa: E402

START = date(2026, 9, 26)
CLASSES = ("expressway", "arterial", "arterial", "secondary")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--detectors", type=int, default=60)
    p.add_argument("--days", type=int, default=14)
    p.add_argument("--rate", type=float, default=simulate.INCIDENT_PER_DAY, help="incidents per detector-day")
    p.add_argument("--threshold-share", type=float, default=0.5, help="peer: alarm below this share of free flow")
    a = p.parse_args()
    holidays = frozenset(d for d, kind, _n, _s in shipped_days() if kind == "holiday")
    t0_ms = int(datetime(START.year, START.month, START.day, tzinfo=simulate.BEIJING).timestamp() * 1000)
    minutes = a.days * 24 * 60
    variants = {f"SND n={snd.SndParams.window} k={snd.SndParams.threshold:g} m={m}{' (live)' if m == snd.SndParams.persistence else ''}":
                snd.SndParams(persistence=m) for m in (2, 3, 4)}
    peer = f"fixed threshold {a.threshold_share:.0%} of free flow, m=2"
    results = {name: [0, 0, [], 0] for name in (*variants, peer)}
    n_incidents = decisions = 0
    timing = {k: 0.0 for k in results}
    t_sim = time.perf_counter()
    for d in range(a.detectors):
        key, cls = f"bench-det-{d}", CLASSES[d % len(CLASSES)]
        vf = FREE_FLOW[cls]
        series = [simulate.speed(key, cls, vf, t0_ms + m * 60_000, holidays, rate=a.rate) for m in range(minutes)]
        truth = []
        for k in range(-1, a.days):
            for inc in simulate.incidents_on(key, START + timedelta(days=k), rate=a.rate):
                s = (inc.start_ms - t0_ms) // 60_000
                e = (inc.end_ms - t0_ms) // 60_000
                if 0 <= s < minutes:
                    truth.append((s, e))
        n_incidents += len(truth)
        decisions += len(series)
        for name in results:
            t0 = time.perf_counter()
            if name in variants:
                alarms = snd.snd_alarms(series, variants[name])
            else:
                alarms = snd.threshold_alarms(series, vf, share=a.threshold_share)
            timing[name] += time.perf_counter() - t0
            det, false, delays = snd.score(truth, alarms, len(series))
            r = results[name]
            r[0] += det
            r[1] += false
            r[2] += delays
    t_sim = time.perf_counter() - t_sim
    print(f"{a.detectors} detectors x {a.days} days of 1-minute speeds from {START} (National Day holidays "
          f"included): {n_incidents} true incidents, {decisions:,} decisions (simulated and judged in {t_sim:.1f} s; "
          f"load {os.getloadavg()[0]:.2f})")
    print(f"{'algorithm':42s} {'DR':>7s} {'FAR':>9s} {'false/det-day':>14s} {'MTTD min':>9s} {'run s':>7s}")
    for name, (det, false, delays, _x) in results.items():
        mttd = sum(delays) / len(delays) if delays else float("nan")
        s = snd.Score(n_incidents, det, false, decisions, mttd)
        print(f"{name:42s} {s.detection_rate:7.1%} {s.false_alarm_rate:9.5%} "
              f"{false / (a.detectors * a.days):14.3f} {mttd:9.2f} {timing[name]:7.2f}")


if __name__ == "__main__":
    main()
