"""The rule engine: evaluates rules as observations arrive (a handler of ``sensing.observations``, never a
poll of the observation table) and as datastreams go offline/online.

Per batch: take the rows of each observed property that has rules (``ObservationBatch.select``) and the
rules from an in-process cache (invalidated when a rule changes, here or in another process), load the
per-(rule, datastream) states missing from the in-memory cache in one query, evaluate in phenomenon-time
order, then write the changed states (one upsert) and the alert changes (bulk inserts/updates) in one
transaction, none when nothing changed, and publish the alert events after commit. One lock serialises
evaluation within the process.

After a crash, the batches the engine had not handled are replayed from the outbox (``kernel.outbox``) before the
process takes new work. A batch whose transaction committed is marked handled in it (``events.mark_handled``), so
it is never evaluated twice; a batch that changed nothing is evaluated again, which changes nothing again (and
the saved states' last times skip what they have already seen).
"""

import logging
import threading
import time as _time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

import orjson
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone

from smartcounty.foundation.alerts.models import Alert, AlertEvent, Rule, RuleState
from smartcounty.foundation.alerts.schemas import RuleKind
from smartcounty.foundation.alerts.services import fact
from smartcounty.foundation.sensing.schemas import MS, ObservationBatch
from smartcounty.kernel import events, process, registry

log = logging.getLogger("smartcounty.alerts")

#: How often (seconds) the engine asks the database whether another process changed the rules.
RULE_CHECK_SECONDS = 1.0
#: A memo that changes with every value (a rate window) is written at most this often (phenomenon time);
#: after a restart the window may miss up to this much history, nothing else.
MEMO_SAVE_SECONDS = 300.0
CHUNK = 500


@dataclass
class CompiledRule:
    id: int
    name: str
    kind: RuleKind
    params: Any
    property: str
    scope: str
    area_code: str
    thing_id: int | None
    datastream_id: int | None
    level: int
    organisation_id: int | None
    #: ``(level, value) -> target`` for memo-free kinds (see ``_fast``), else None.
    fast: Any = None
    #: Its alerts are public warnings.
    public: bool = False

    def matches(self, f) -> bool:
        scope = self.scope
        if scope == "county":
            return True
        if scope == "town":
            return f.town == self.area_code
        if scope == "grid":
            return f.grid == self.area_code
        if scope == "thing":
            return f.thing_id == self.thing_id
        return f.datastream_id == self.datastream_id


@dataclass
class State:
    thing_id: int
    level: int = 0
    memo: dict = field(default_factory=dict)
    pending_since: float | None = None
    pending_min: int | None = None
    last_time: float | None = None
    #: What the database holds: (level, pending_since, pending_min, memo) and the phenomenon time it was saved at.
    saved: tuple | None = None
    saved_time: float | None = None

    def key_facts(self) -> tuple:
        return self.level, self.pending_since, self.pending_min, self.memo

    def needs_saving(self) -> bool:
        """Saved when level or pending changed; a changed memo (e.g. a rate window) at most every
        ``MEMO_SAVE_SECONDS`` of phenomenon time. Steady states cost no write at all."""
        if self.saved is None:
            return True
        level, since, low, memo = self.saved
        if (level, since, low) != (self.level, self.pending_since, self.pending_min):
            return True
        if memo != self.memo:
            return self.last_time is None or self.saved_time is None or \
                self.last_time - self.saved_time >= MEMO_SAVE_SECONDS
        return False

    def mark_saved(self) -> None:
        self.saved = (self.level, self.pending_since, self.pending_min, _copy(self.memo))
        self.saved_time = self.last_time

    def dump(self) -> dict:
        return {"memo": self.memo, "pending_since": self.pending_since, "pending_min": self.pending_min,
                "last_time": self.last_time}

    @classmethod
    def load(cls, row: RuleState) -> "State":
        s = row.state or {}
        st = cls(thing_id=row.thing_id, level=row.level, memo=s.get("memo") or {},
                 pending_since=s.get("pending_since"), pending_min=s.get("pending_min"),
                 last_time=s.get("last_time"))
        st.mark_saved()
        return st


def _copy(memo: dict) -> dict:
    return {k: (list(v) if isinstance(v, list) else v) for k, v in memo.items()}


@dataclass
class Transition:
    rule: CompiledRule
    datastream_id: int
    thing_id: int
    town: str | None
    grid: str | None
    before: int
    after: int
    time: float
    value: float | None


_lock = threading.RLock()
_rules: dict[str, list[CompiledRule]] | None = None
_health_rules: dict[str, list[CompiledRule]] = {}
_version: tuple | None = None
_checked_at = 0.0
_states: dict[tuple[int, int], State] = {}
_by_thing: dict[tuple[int, int], set[int]] = defaultdict(set)
#: rule id -> the datastreams whose state for that rule is in ``_states`` (for set arithmetic per batch).
_known: dict[int, set[int]] = defaultdict(set)


def _forget() -> None:
    _states.clear()
    _by_thing.clear()
    _known.clear()


def invalidate() -> None:
    """Forget the cached rules and states (called after a rule change commits)."""
    global _rules, _version
    with _lock:
        _rules, _version = None, None
        _forget()


def _rule_version() -> tuple:
    agg = Rule.objects.aggregate(n=Count("id"), m=Max("updated_at"), i=Max("id"))
    return agg["n"], agg["m"], agg["i"]


def _compiled() -> tuple[dict[str, list[CompiledRule]], dict[str, list[CompiledRule]]]:
    global _rules, _health_rules, _version, _checked_at
    now = _time.monotonic()
    if _rules is not None and now - _checked_at < RULE_CHECK_SECONDS:
        return _rules, _health_rules
    version = _rule_version()
    _checked_at = now
    if _rules is not None and version == _version:
        return _rules, _health_rules
    obs, health = defaultdict(list), defaultdict(list)
    for r in Rule.objects.filter(enabled=True):
        if r.kind not in registry.rule_kinds:
            log.warning("rule %s uses unknown kind %r: skipped", r.id, r.kind)
            continue
        kind = registry.rule_kinds.get(r.kind)
        try:
            params = kind.parse(r.params)
        except Exception:
            log.warning("rule %s has invalid parameters: skipped", r.id)
            continue
        c = CompiledRule(r.id, r.name, kind, params, r.property, r.scope, r.area_code, r.thing_id, r.datastream_id,
                         r.level, r.organisation_id, public=r.public)
        c.fast = _fast(c)
        (health if kind.evaluate_health else obs)[r.property].append(c)
    if _version is not None:
        _forget()
    _rules, _health_rules, _version = dict(obs), dict(health), version
    return _rules, _health_rules


def _load_states(keys) -> None:
    missing = [k for k in keys if k not in _states]
    if not missing:
        return
    rule_ids = sorted({k[0] for k in missing})
    ds_ids = sorted({k[1] for k in missing})
    wanted = set(missing)
    for i in range(0, len(ds_ids), CHUNK):
        for row in RuleState.objects.filter(rule_id__in=rule_ids, datastream_id__in=ds_ids[i:i + CHUNK]):
            key = (row.rule_id, row.datastream_id)
            if key in wanted:
                _states[key] = State.load(row)
                _known[row.rule_id].add(row.datastream_id)
                _by_thing[(row.rule_id, row.thing_id)].add(row.datastream_id)


def _state(key, thing_id) -> State:
    st = _states.get(key)
    if st is None:
        st = _states[key] = State(thing_id=thing_id)
        _known[key[0]].add(key[1])
        _by_thing[(key[0], thing_id)].add(key[1])
    return st


def step(rule: CompiledRule, st: State, target: int | None, t: float) -> int:
    """Apply ``duration``: a higher level takes effect once asked for continuously for ``duration`` seconds of
    phenomenon time (at the lowest level asked for during that time); a lower level takes effect at once."""
    if target is None:
        return st.level
    if target <= st.level:
        st.pending_since = st.pending_min = None
        return target
    duration = rule.params.duration
    if duration <= 0:
        return target
    if st.pending_since is None:
        st.pending_since, st.pending_min = t, target
    else:
        st.pending_min = min(st.pending_min, target)
    if t - st.pending_since < duration:
        return st.level
    new = max(st.level, st.pending_min)
    st.pending_since, st.pending_min = (t, target) if target > new else (None, None)
    return new


def _fast(rule: CompiledRule):
    """A plain ``(level, value) -> target`` for the memo-free built-in kinds (threshold, multi-level), with the
    thresholds hoisted out of the per-observation call; ``None`` for other kinds. Same results as the kind's
    evaluator (``rules.evaluate_threshold`` / ``rules.evaluate_multi_level``)."""
    from smartcounty.foundation.alerts import rules as kinds

    p, rl = rule.params, rule.level
    if rule.kind.evaluate is kinds.evaluate_threshold:
        h, op = p.hysteresis, p.op
        if op == "above":
            on, off = p.value - h, p.value

            def fn(level, v):
                return None if v is None else rl if v > (on if level > 0 else off) else 0
        elif op == "below":
            on, off = p.value + h, p.value

            def fn(level, v):
                return None if v is None else rl if v < (on if level > 0 else off) else 0
        elif op == "between":
            lo_on, hi_on, lo, hi = p.low - h, p.high + h, p.low, p.high

            def fn(level, v):
                if v is None:
                    return None
                if level > 0:
                    return rl if lo_on <= v <= hi_on else 0
                return rl if lo <= v <= hi else 0
        else:  # outside
            lo_on, hi_on, lo, hi = p.low + h, p.high - h, p.low, p.high

            def fn(level, v):
                if v is None:
                    return None
                if level > 0:
                    return rl if v < lo_on or v > hi_on else 0
                return rl if v < lo or v > hi else 0
        return fn
    if rule.kind.evaluate is kinds.evaluate_multi_level:
        above = p.direction == "above"
        levels = [(code, t) for code, t in enumerate(p.levels, 1) if t is not None]
        h = p.hysteresis
        lowest = levels[0][1]  # the blue-most threshold given

        def level_of(v, slack):
            found = 0
            for code, t in levels:
                if (v > t - slack) if above else (v < t + slack):
                    found = code
            return found

        def fn(level, v):
            if v is None:
                return None
            if level == 0 and ((v <= lowest) if above else (v >= lowest)):
                return 0  # the common case: below every threshold, nothing in force
            raw = level_of(v, 0.0)
            if raw >= level:
                return raw
            return max(raw, min(level, level_of(v, h) if h else raw))
        return fn
    return None


def on_observations(event: str, payload) -> None:
    """Handler of ``sensing.observations`` (payload ``ObservationBatch``, or a list of ``ObservationFact``).

    Fast path: the rows of each property with rules are sorted once by phenomenon time (stable, so each
    datastream's observations stay in arrival order), each rule walks the rows it matches (an area or thing
    rule picks its datastreams once per batch, from their ``StreamInfo``), and an observation that leaves its
    state as it was (the common case) costs a dict lookup and one comparison; only changed states are saved
    and only transitions touch the alerts."""
    if not payload:
        return
    batch = ObservationBatch.of(payload)
    info = batch.info
    with _lock:
        rules, _ = _compiled()
        if not rules:
            return
        plan = []
        for prop in batch.properties & rules.keys():
            rows = sorted(batch.select(prop), key=_ms)  # stable: a datastream's equal times stay in arrival order
            streams = {d for d, i in info.items() if i.property == prop}
            for rule in rules[prop]:
                if rule.scope == "county":
                    plan.append((rule, rows, streams))
                    continue
                ds = {d for d in streams if rule.matches(info[d])}
                if ds:
                    plan.append((rule, [r for r in rows if r[0] in ds], ds))
        states = _states
        missing = []
        for rule, _mine, ds in plan:
            rid = rule.id
            missing.extend((rid, d) for d in ds - _known[rid])
        if missing:
            _load_states(missing)
        transitions, dirty = [], {}
        for rule, mine, _ds in plan:
            rid = rule.id
            fast = rule.fast
            evaluate, params, rlevel = rule.kind.evaluate, rule.params, rule.level
            for d, ms, _rt, value, _text, _q in mine:
                key = (rid, d)
                st = states.get(key)
                if st is None:
                    st = _state(key, info[d].thing_id)
                    dirty[key] = st  # new: saved once, as before
                t = ms / 1000
                last = st.last_time
                if last is not None and t <= last:
                    continue  # late or repeated: the state has moved past it
                before = st.level
                if fast is not None:
                    target = fast(before, value)
                else:
                    target = evaluate(params, st.memo, before, rlevel, t, value)
                    dirty[key] = st  # the memo may have changed
                st.last_time = t
                if (target is None or target == before) and st.pending_since is None:
                    continue  # steady: nothing to step, nothing to save
                st.level = step(rule, st, target, t)
                dirty[key] = st
                if st.level != before:
                    i = info[d]
                    transitions.append(Transition(rule, d, i.thing_id, i.town, i.grid, before, st.level, t, value))
        _commit(transitions, dirty)


_ms = itemgetter(MS)


def on_health(event: str, h) -> None:
    """Handler of ``sensing.datastream_offline`` / ``sensing.datastream_online`` (payload DatastreamHealth)."""
    with _lock:
        _, health = _compiled()
        transitions, dirty = [], {}
        rules = [r for r in health.get(h.property, ()) if r.matches(h)]
        if not rules:
            return
        _load_states([(r.id, h.datastream_id) for r in rules])
        t = (h.last_time if not h.online and h.last_time else timezone.now()).timestamp()
        for rule in rules:
            key = (rule.id, h.datastream_id)
            st = _state(key, h.thing_id)
            before = st.level
            target = rule.kind.evaluate_health(rule.params, st.memo, before, rule.level, h.online)
            st.level = before if target is None else target
            dirty[key] = st
            if st.level != before:
                transitions.append(Transition(rule, h.datastream_id, h.thing_id, h.town, h.grid, before, st.level,
                                              t, None))
        _commit(transitions, dirty)


def _thing_facts(transitions) -> dict[int, dict]:
    """Owner organisation and thing name of the datastreams behind new alerts, from sensing's services
    (one query per chunk of datastreams)."""
    ids = sorted({tr.datastream_id for tr in transitions})
    if not ids:
        return {}
    try:
        from smartcounty.foundation.sensing import services as sensing
    except ImportError:  # pragma: no cover - sensing is a declared dependency
        return {}
    out = {}
    try:
        with transaction.atomic():  # a savepoint: a failed lookup must not abort the alert transaction
            for i in range(0, len(ids), CHUNK):
                for row in sensing.datastreams_info(ids[i:i + CHUNK]):
                    out[row["id"]] = row
    except Exception:
        log.exception("looking up datastreams %s in sensing failed", ids[:10])
    return out


def _commit(transitions: list[Transition], dirty: dict) -> None:
    """Save the states that need it and apply the transitions, in one transaction; none at all when there is
    nothing to write (most batches: SQLite's one writer is then left to ingest)."""
    dirty = {k: st for k, st in dirty.items() if st.needs_saving()}
    if not dirty and not transitions:
        return
    try:
        with process.write_transaction():
            _save_states(dirty)
            if transitions:
                _apply(transitions)
            events.mark_handled()  # this batch's states and alerts and its outbox mark commit together
    except Exception:
        # The cache may now be ahead of the database: forget it, the next batch reloads.
        _forget()
        raise


def _save_states(dirty: dict) -> None:
    """One ``INSERT ... ON CONFLICT DO UPDATE`` for the states to save (executemany on SQLite, one statement over
    a JSON document per 10,000 rows on PostgreSQL). ``dirty``: states that need saving."""
    if not dirty:
        return
    table = RuleState._meta.db_table
    conflict = ("ON CONFLICT (rule_id, datastream_id) DO UPDATE SET thing_id = excluded.thing_id, "
                "level = excluded.level, state = excluded.state, updated_at = excluded.updated_at")
    dumps = orjson.dumps
    if connection.vendor == "postgresql":
        # One statement per chunk over one JSON document (executemany costs a round trip per row, and
        # client-side quoting of arrays is slower than of one string).
        sql = (f"INSERT INTO {table} (rule_id, datastream_id, thing_id, level, state, updated_at) "
               "SELECT r, d, t, l, s, %s FROM jsonb_to_recordset(%s::jsonb) "
               f"AS u(r bigint, d bigint, t bigint, l smallint, s jsonb) {conflict}")
        items = list(dirty.items())
        now = timezone.now()
        with connection.cursor() as cur:
            for i in range(0, len(items), 10000):
                doc = dumps([{"r": k[0], "d": k[1], "t": st.thing_id, "l": st.level, "s": st.dump()}
                             for k, st in items[i:i + 10000]]).decode()
                cur.execute(sql, [now, doc])
    else:
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        sql = (f"INSERT INTO {table} (rule_id, datastream_id, thing_id, level, state, updated_at) "
               f"VALUES (%s, %s, %s, %s, %s, %s) {conflict}")
        rows = [(k[0], k[1], st.thing_id, st.level, dumps(st.dump()).decode(), now) for k, st in dirty.items()]
        with connection.cursor() as cur:
            for i in range(0, len(rows), 5000):
                cur.executemany(sql, rows[i:i + 5000])
    for st in dirty.values():
        st.mark_saved()


def _apply(transitions: list[Transition]) -> None:
    pairs = {(tr.rule.id, tr.thing_id) for tr in transitions}
    rule_ids = sorted({p[0] for p in pairs})
    thing_ids = sorted({p[1] for p in pairs})
    open_alerts = {}
    for i in range(0, len(thing_ids), CHUNK):
        for a in Alert.objects.filter(rule_id__in=rule_ids, thing_id__in=thing_ids[i:i + CHUNK],
                                      state__in=Alert.OPEN_STATES):
            open_alerts[(a.rule_id, a.thing_id)] = a
    infos = _thing_facts([tr for tr in transitions if tr.after > 0 and (tr.rule.id, tr.thing_id) not in open_alerts])
    created, changed, history = [], {}, []  # history: (alert, AlertEvent, state, level)
    for tr in transitions:
        key = (tr.rule.id, tr.thing_id)
        at = datetime.fromtimestamp(tr.time, UTC)
        alert = open_alerts.get(key)
        if tr.after > 0:
            if alert is None:
                info = infos.get(tr.datastream_id) or {}
                org = info.get("organisation_id") or tr.rule.organisation_id
                name = f"{tr.rule.name} · {info['thing_name']}" if info.get("thing_name") else tr.rule.name
                alert = Alert(rule_id=tr.rule.id, source="rule", title=name[:200], property=tr.rule.property,
                              thing_id=tr.thing_id, datastream_id=tr.datastream_id, town=tr.town or "",
                              grid=tr.grid or "", organisation_id=org,
                              level=tr.after, value=tr.value, raised_at=at, updated_at=at, public=tr.rule.public,
                              detail={"kind": tr.rule.kind.code})
                open_alerts[key] = alert
                created.append(alert)
                ev = AlertEvent(at=at, kind=AlertEvent.Kind.RAISED, to_state=alert.state, to_level=tr.after,
                                value=tr.value)
            elif alert.level != tr.after:
                ev = AlertEvent(at=at, kind=AlertEvent.Kind.LEVEL, from_state=alert.state, to_state=alert.state,
                                from_level=alert.level, to_level=tr.after, value=tr.value)
                alert.level, alert.value = tr.after, tr.value
                if alert.pk:
                    changed[alert.pk] = alert
            else:
                continue
        else:
            others = [ds for ds in _by_thing.get(key, ()) if ds != tr.datastream_id
                      and _states.get((tr.rule.id, ds)) is not None and _states[(tr.rule.id, ds)].level > 0]
            if alert is None or others:
                continue
            ev = AlertEvent(at=at, kind=AlertEvent.Kind.RESOLVED, from_state=alert.state,
                            to_state=Alert.State.RESOLVED, from_level=alert.level, to_level=alert.level,
                            value=tr.value, note="condition cleared")
            alert.state, alert.resolved_at, alert.value = Alert.State.RESOLVED, at, tr.value
            del open_alerts[key]
            if alert.pk:
                changed[alert.pk] = alert
        history.append((alert, ev, alert.state, alert.level))
    if created:
        Alert.objects.bulk_create(created, batch_size=CHUNK)
    if changed:
        now = timezone.now()
        for a in changed.values():
            a.updated_at = now
        # One executemany (Django's bulk_update builds a CASE per column: slower to compile than to run).
        ops = connection.ops
        at = ops.adapt_datetimefield_value
        sql = (f"UPDATE {Alert._meta.db_table} SET level = %s, value = %s, state = %s, resolved_at = %s, "
               "updated_at = %s WHERE id = %s")
        stamp = at(now)
        with connection.cursor() as cur:
            cur.executemany(sql, [(int(a.level), a.value, str(a.state), at(a.resolved_at) if a.resolved_at else None, stamp,
                                   a.pk) for a in changed.values()])
    rows = []
    for alert, ev, _state_at, _level_at in history:
        ev.alert_id = alert.id
        rows.append(ev)
    AlertEvent.objects.bulk_create(rows, batch_size=CHUNK)
    from smartcounty.foundation.alerts.services import EVENT_NAMES

    for alert, ev, state_at, level_at in history:
        events.publish(EVENT_NAMES[ev.kind], fact(alert, ev)._replace(state=state_at, level=level_at))
