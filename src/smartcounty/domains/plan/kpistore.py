"""Computing the registered KPIs (``registry.kpis``) and storing each value, so every KPI has a trend."""

import json
import logging
from datetime import timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from smartcounty.domains.plan.models import KpiValue
from smartcounty.domains.plan.schemas import KpiOut, Reader
from smartcounty.domains.plan.work import _need
from smartcounty.kernel import registry

log = logging.getLogger("smartcounty.plan")
TREND_DAYS = 90


def _reading(raw) -> dict:
    if raw is None or isinstance(raw, (int, float)):
        return {"value": None if raw is None else float(raw)}
    if isinstance(raw, dict) and "value" in raw:
        return raw
    raise TypeError(f"a KPI computes a number, None or a dict with 'value', not {type(raw).__name__}")


def refresh(now=None) -> list[KpiValue]:
    """Compute every registered KPI now and store one value each (an error is stored as such)."""
    now = now or timezone.now()
    rows = []
    for key, kpi in sorted(registry.kpis.items(), key=lambda kv: (kv[1].order, kv[0])):
        try:
            r = _reading(kpi.compute())
            value = r.get("value")
            json.dumps(r.get("detail") or {}, cls=DjangoJSONEncoder)  # plain data only, checked before storing
            rows.append(KpiValue(key=key, value=None if value is None else float(value), numerator=r.get("numerator"),
                                 denominator=r.get("denominator"), detail=r.get("detail") or {}, at=now))
        except Exception as exc:  # one module's failure does not stop the others
            log.exception("KPI %s failed", key)
            rows.append(KpiValue(key=key, value=None, error=f"{type(exc).__name__}: {exc}"[:200], at=now))
    KpiValue.objects.bulk_create(rows)
    return rows


def _met(kpi, value) -> bool | None:
    if kpi.target is None or value is None:
        return None
    return value >= kpi.target if kpi.higher_is_better else value <= kpi.target


def _daily(values) -> list[tuple[str, float | None]]:
    """The last value of each Beijing day, oldest first."""
    days: dict[str, float | None] = {}
    for at, value in values:
        days[timezone.localtime(at).date().isoformat()] = value
    return sorted(days.items())


def kpis(reader: Reader, *, action: int | None = None, days: int = TREND_DAYS) -> list[KpiOut]:
    """Every registered KPI (of one action) with its latest value, target and daily trend (two queries)."""
    _need(reader)
    entries = sorted(registry.kpis.items(), key=lambda kv: (kv[1].order, kv[0]))
    if action is not None:
        entries = [(k, e) for k, e in entries if action in e.actions]
    keys = [k for k, _e in entries]
    since = timezone.now() - timedelta(days=days)
    series: dict[str, list] = {k: [] for k in keys}
    for key, at, value in (KpiValue.objects.filter(key__in=keys, at__gte=since).order_by("key", "at")
                           .values_list("key", "at", "value")):
        series[key].append((at, value))
    latest = {}
    last_at = {k: s[-1][0] for k, s in series.items() if s}
    for v in KpiValue.objects.filter(key__in=keys, at__in=set(last_at.values())):
        if last_at.get(v.key) == v.at:
            latest[v.key] = v
    out = []
    for key, kpi in entries:
        v = latest.get(key)
        value = v.value if v else None
        out.append(KpiOut(key=key, name=str(kpi.name), unit=kpi.unit, target=kpi.target, value=value,
                          numerator=v.numerator if v else None, denominator=v.denominator if v else None,
                          at=v.at if v else None, met=_met(kpi, value), actions=tuple(kpi.actions),
                          query=str(kpi.query), module=registry.kpis.owner(key), error=v.error if v else "",
                          detail=v.detail if v else {}, trend=_daily(series[key])))
    return out
