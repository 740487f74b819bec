"""Incidents: opened by hand, from an alert or from a case; their level, links, notes and timeline; tasks to
teams (cases of the ``emergency.task`` workflow); the command view; closing with a review."""

import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartcounty.domains.emergency import catalogue
from smartcounty.domains.emergency.models import (
    Incident,
    IncidentLink,
    Resource,
    Task,
    TimelineEntry,
    Warning,
)
from smartcounty.domains.emergency.services import geo
from smartcounty.domains.emergency.services import scope as scopes
from smartcounty.foundation.accounts import services as accounts
from smartcounty.foundation.alerts import services as alerts
from smartcounty.foundation.cases import services as cases
from smartcounty.foundation.places import services as places
from smartcounty.foundation.sensing import services as sensing
from smartcounty.kernel import audit, events
from smartcounty.kernel.geo import check_lonlat
from smartcounty.kernel.problems import ApiError
from smartcounty.kernel.rows import Rows

LEVEL_NAMES = {n: name for n, (name, _cap) in catalogue.LEVELS.items()}
STATE_NAMES = {"open": "处置中", "closed": "已关闭"}
TASK_STATE_NAMES = {s.key: str(s.title) for s in catalogue.TASK_TYPE.states}
SOURCE_NAMES = {"manual": "人工登记", "alert": "告警", "case": "案件"}
MAX_RADIUS_M = 50_000
NEAR_SENSORS_M = 2_000
MAX_LINKS = 50


def _check_level(level) -> int:
    if isinstance(level, bool) or level not in catalogue.LEVELS:
        raise ApiError(422, "invalid", _("the level is 1 (一般) to 4 (特别重大)"), field="level")
    return level


def _timeline(incident, kind: str, text: str, *, actor=None, at=None) -> None:
    TimelineEntry.objects.create(incident=incident, at=at or timezone.now(), kind=kind, text=text[:500],
                                 actor_id=getattr(actor, "pk", None))


def _fact(i: Incident, **extra) -> dict:
    return {"id": i.id, "number": i.number, "level": i.level, "state": i.state, "kind": i.kind,
            "lon": i.lon, "lat": i.lat, "town_code": i.town_code, **extra}


def _locked(incident_id: int) -> Incident:
    i = Incident.objects.select_for_update().filter(pk=incident_id).first()
    if i is None:
        raise ApiError(404, "not-found")
    return i


def _open(i: Incident) -> Incident:
    if i.state != Incident.State.OPEN:
        raise ApiError(409, "conflict", _("the incident is closed"))
    return i


def open_incident(*, title: str, kind: str, level: int, lon: float, lat: float, radius_m: int = 500,
                  address: str = "", description: str = "", town_code: str = "", source: str = "manual",
                  actor=None, alert_id: int | None = None, case_id: int | None = None, now=None) -> int:
    if kind not in catalogue.KINDS:
        raise ApiError(422, "invalid", _("unknown kind of incident"), field="kind")
    _check_level(level)
    try:
        lon, lat = check_lonlat(lon, lat)
    except ValueError:
        raise ApiError(422, "invalid", _("a longitude and latitude on Earth are needed"), field="lon") from None
    if not 0 <= radius_m <= MAX_RADIUS_M:
        raise ApiError(422, "invalid", _("the affected radius is 0 to %(n)s m") % {"n": MAX_RADIUS_M},
                       field="radius_m")
    if not title.strip():
        raise ApiError(422, "invalid", _("a title is needed"), field="title")
    now = now or timezone.now()
    if not town_code:
        loc = places.locate(lon, lat)
        town_code = (loc.town_code or "") if loc else ""
    with transaction.atomic():
        i = Incident.objects.create(number=f"tmp-{uuid.uuid4().hex[:16]}", title=title[:200], kind=kind, level=level,
                                    lon=lon, lat=lat, town_code=town_code, address=address[:200],
                                    radius_m=radius_m, source=source, description=description[:5000],
                                    opened_at=now, opened_by_id=getattr(actor, "pk", None))
        i.number = f"TF{timezone.localtime(now):%Y%m%d}{i.id:04d}"
        i.save(update_fields=["number"])
        _timeline(i, "opened", _("Incident opened (%(src)s): %(t)s, level %(l)s")
                  % {"src": SOURCE_NAMES[source], "t": i.title, "l": LEVEL_NAMES[level]}, actor=actor, at=now)
        if alert_id:
            IncidentLink.objects.create(incident=i, kind="alert", ref_id=alert_id)
        if case_id:
            IncidentLink.objects.create(incident=i, kind="case", ref_id=case_id)
        audit.record("emergency.incident.open", actor=actor, obj=i,
                     detail={"number": i.number, "level": level, "source": source})
        events.publish("emergency.incident_opened", _fact(i))
    return i.id


def _thing_place(thing_id: int | None) -> tuple[float, float] | None:
    if not thing_id:
        return None
    rows = list(sensing.thing_rows(ids=[thing_id], with_streams=False))
    if rows and rows[0].lon is not None:
        return rows[0].lon, rows[0].lat
    return None


def _town_place(town_code: str) -> tuple[float, float] | None:
    for t in places.town_points():
        if t.code == town_code and t.lon is not None:
            return t.lon, t.lat
    return None


def incident_of(kind: str, ref_id: int) -> int | None:
    """The open incident an alert or a case belongs to, if any."""
    link = IncidentLink.objects.filter(kind=kind, ref_id=ref_id, incident__state="open").values("incident_id").first()
    return link["incident_id"] if link else None


def open_from_alert(alert_id: int, *, actor=None, level: int | None = None, title: str = "",
                    radius_m: int = 500) -> int:
    """An incident from an alert (a fire alarm, a flood level, heavy pollution): its place is the alert's
    sensor (or its town); its level the alert's unless given. An alert opens one incident at most."""
    existing = incident_of("alert", alert_id)
    if existing:
        return existing
    a = alerts.alert_detail(alerts.EVERYONE, alert_id)
    where = _thing_place(a.thing_id) or _town_place(a.town)
    if where is None:
        raise ApiError(422, "invalid", _("the alert has no place; open the incident by hand"), field="alert_id")
    return open_incident(title=title or a.title, kind=catalogue.KIND_BY_PROPERTY.get(a.property, "other"),
                         level=level or min(a.level, 4), lon=where[0], lat=where[1], radius_m=radius_m,
                         town_code=a.town, source="alert", actor=actor, alert_id=alert_id,
                         description=_("Opened from alert %(id)s: %(t)s") % {"id": alert_id, "t": a.title})


def open_from_case(case_id: int, *, actor, level: int = 1, kind: str = "other", radius_m: int = 500) -> int:
    existing = incident_of("case", case_id)
    if existing:
        return existing
    c = cases.get_case(case_id)
    if c is None:
        raise ApiError(404, "not-found", field="case_id")
    if c.lon is None:
        where = _town_place(c.town_code)
        if where is None:
            raise ApiError(422, "invalid", _("the case has no place; open the incident by hand"), field="case_id")
    else:
        where = (c.lon, c.lat)
    return open_incident(title=c.title, kind=kind, level=level, lon=where[0], lat=where[1], radius_m=radius_m,
                         town_code=c.town_code, address=c.address, source="case", actor=actor, case_id=case_id,
                         description=_("Opened from case %(n)s") % {"n": c.number})


def link(incident_id: int, kind: str, ref_id: int, *, actor) -> dict:
    if kind not in IncidentLink.Kind.values:
        raise ApiError(422, "invalid", _("link an alert or a case"), field="kind")
    if kind == "alert":
        alerts.alert_detail(alerts.EVERYONE, ref_id)  # 404 when there is none
    elif cases.get_case(ref_id) is None:
        raise ApiError(404, "not-found", field="ref_id")
    with transaction.atomic():
        i = _open(_locked(incident_id))
        if i.links.count() >= MAX_LINKS:
            raise ApiError(409, "conflict", _("an incident links at most %(n)s alerts and cases") % {"n": MAX_LINKS})
        _l, made = IncidentLink.objects.get_or_create(incident=i, kind=kind, ref_id=ref_id)
        if made:
            _timeline(i, "linked", _("%(k)s %(id)s linked") % {"k": IncidentLink.Kind(kind).label, "id": ref_id},
                      actor=actor)
            audit.record("emergency.incident.link", actor=actor, obj=i, detail={"kind": kind, "ref_id": ref_id})
    return {"incident_id": incident_id, "kind": kind, "ref_id": ref_id, "linked": made}


def set_level(incident_id: int, level: int, *, actor, note: str = "") -> dict:
    _check_level(level)
    with transaction.atomic():
        i = _open(_locked(incident_id))
        before, i.level = i.level, level
        i.save(update_fields=["level"])
        _timeline(i, "level", _("Level %(a)s → %(b)s. %(n)s") % {"a": LEVEL_NAMES[before], "b": LEVEL_NAMES[level],
                                                                  "n": note[:300]}, actor=actor)
        audit.record("emergency.incident.level", actor=actor, obj=i, detail={"from": before, "to": level})
    return {"id": i.id, "level": level}


def timeline_note(incident_id: int, text: str) -> None:
    """A line the platform writes (a notice sent, a sweep's finding)."""
    _timeline(Incident.objects.get(pk=incident_id), "notice", text)


def add_note(incident_id: int, text: str, *, actor) -> dict:
    if not text.strip():
        raise ApiError(422, "invalid", _("a note needs text"), field="text")
    with transaction.atomic():
        i = _open(_locked(incident_id))
        _timeline(i, "note", text.strip(), actor=actor)
    return {"id": i.id}


# ---- tasks ---------------------------------------------------------------------------------------

def give_task(incident_id: int, team_id: int, *, title: str, deadline_minutes: int = 60, actor) -> dict:
    """Give a team a task: a case of ``emergency.task`` in the team organisation's queue, with a deadline; the
    team is marked deployed."""
    if not 5 <= deadline_minutes <= 7 * 24 * 60:
        raise ApiError(422, "invalid", _("the deadline is 5 minutes to 7 days away"), field="deadline_minutes")
    if not title.strip():
        raise ApiError(422, "invalid", _("say what the task is"), field="title")
    team = Resource.objects.filter(pk=team_id, kind=Resource.Kind.TEAM).first()
    if team is None:
        raise ApiError(404, "not-found", _("no such rescue team"), field="team_id")
    if team.status == Resource.Status.OUT:
        raise ApiError(409, "conflict", _("%(t)s is out of service") % {"t": team.name}, field="team_id")
    org = team.organisation_id or scopes.org_id(scopes.BUREAU_CODE)
    now = timezone.now()
    with transaction.atomic():
        i = _open(_locked(incident_id))
        case = cases.create_case(catalogue.TASK_TYPE.key, title=f"{i.number} {title.strip()}"[:200],
                                 description=_("%(team)s: %(task)s (incident %(n)s, %(t)s)")
                                 % {"team": team.name, "task": title.strip(), "n": i.number, "t": i.title},
                                 lon=i.lon, lat=i.lat, town_code=i.town_code, address=i.address,
                                 data={"incident_id": i.id, "team_id": team.id}, source="emergency",
                                 organisation_id=org, external_ref=f"emergency:{i.id}:{team.id}:{now.timestamp()}",
                                 actor=actor, now=now)
        t = Task.objects.create(incident=i, team=team, case_id=case.pk, title=title.strip()[:200],
                                deadline=now + timedelta(minutes=deadline_minutes), created_at=now,
                                distance_m=round(geo.distance_m(i.lon, i.lat, team.lon, team.lat)))
        Resource.objects.filter(pk=team.id).update(status=Resource.Status.DEPLOYED)
        _timeline(i, "task", _("Task for %(team)s (%(d)s m away): %(task)s, by %(at)s")
                  % {"team": team.name, "d": t.distance_m, "task": t.title,
                     "at": timezone.localtime(t.deadline).strftime("%H:%M")}, actor=actor, at=now)
        audit.record("emergency.task", actor=actor, obj=t, detail={"incident": i.number, "team": team.code,
                                                                   "case": case.number})
    return {"id": t.id, "case_id": case.pk, "case_number": case.number, "team_id": team.id,
            "deadline": t.deadline.isoformat(), "distance_m": t.distance_m}


def on_case_transitioned(event: str, payload) -> None:
    """A task's case moved: keep the task's state, write the timeline, free the team when its last task ends."""
    if payload.get("case_type") != catalogue.TASK_TYPE.key:
        return
    with transaction.atomic():
        t = Task.objects.select_for_update().filter(case_id=payload["id"]).select_related("team", "incident").first()
        if t is None or t.state == payload["state"]:
            return
        t.state = payload["state"]
        t.save(update_fields=["state"])
        _timeline(t.incident, "task_step", _("%(team)s: %(state)s") % {
            "team": t.team.name, "state": TASK_STATE_NAMES.get(t.state, t.state)})
        if t.state not in catalogue.TASK_OPEN_STATES and not Task.objects.filter(
                team=t.team, state__in=catalogue.TASK_OPEN_STATES).exists():
            Resource.objects.filter(pk=t.team_id, status=Resource.Status.DEPLOYED).update(
                status=Resource.Status.READY)


def tasks_of(incident_id: int) -> list[dict]:
    return [{"id": t["id"], "title": t["title"], "team_id": t["team_id"], "team": t["team__name"],
             "case_id": t["case_id"], "state": t["state"], "state_name": TASK_STATE_NAMES.get(t["state"], ""),
             "deadline": t["deadline"], "distance_m": t["distance_m"],
             "overdue": t["state"] in catalogue.TASK_OPEN_STATES and t["deadline"] < timezone.now()}
            for t in Task.objects.filter(incident_id=incident_id).order_by("created_at", "id").values(
                "id", "title", "team_id", "team__name", "case_id", "state", "deadline", "distance_m")]


# ---- reads ---------------------------------------------------------------------------------------

FIELDS = ("id", "number", "title", "kind", "level", "state", "lon", "lat", "town_code", "address", "radius_m",
          "source", "opened_at", "closed_at")


def _row(r: dict) -> dict:
    return {**r, "level_name": LEVEL_NAMES[r["level"]], "kind_name": catalogue.KINDS.get(r["kind"], r["kind"]),
            "state_name": STATE_NAMES.get(r["state"], r["state"]), "source_name": SOURCE_NAMES.get(r["source"], "")}


def incident_list(*, state: str = "", level: int | None = None) -> Rows:
    qs = Incident.objects.all()
    if state:
        qs = qs.filter(state=state)
    if level:
        qs = qs.filter(level=level)
    return Rows(qs.order_by("-opened_at", "-id"), _row, fields=FIELDS)


def incident_detail(incident_id: int) -> dict | None:
    r = Incident.objects.filter(pk=incident_id).values(*FIELDS, "description", "review").first()
    return _row(r) if r else None


def open_counts() -> dict:
    from django.db.models import Count

    by = dict(Incident.objects.filter(state="open").values("level").annotate(n=Count("id")).values_list("level", "n"))
    return {"open": sum(by.values()), "by_level": {LEVEL_NAMES[lv]: by.get(lv, 0) for lv in catalogue.LEVELS}}


def timeline(incident_id: int) -> list[dict]:
    rows = list(TimelineEntry.objects.filter(incident_id=incident_id).order_by("at", "id").values(
        "at", "kind", "text", "actor_id"))
    names = accounts.users_brief({r["actor_id"] for r in rows if r["actor_id"]})
    for r in rows:
        u = names.get(r["actor_id"])
        r["actor"] = (getattr(u, "display_name", "") or getattr(u, "username", "")) if u else ""
    return rows


def _links(incident_id: int) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {"alert": [], "case": []}
    for kind, ref in IncidentLink.objects.filter(incident_id=incident_id).values_list("kind", "ref_id")[:MAX_LINKS]:
        out[kind].append(ref)
    return out


def _case_rows(ids: list[int]) -> list[dict]:
    out = []
    for cid in ids:
        c = cases.get_case(cid)
        if c is not None:
            out.append({"id": c.pk, "number": c.number, "title": c.title, "state": c.state,
                        "is_closed": c.is_closed})
    return out


def command_view(incident_id: int, *, k: int = 5) -> dict | None:
    """Everything the command view shows: the incident, its alerts and cases, live sensors within 2 km (or the
    affected radius), the nearest ready resources of each kind with counts, covering shelters with free places,
    the tasks, the warnings and the timeline."""
    inc = incident_detail(incident_id)
    if inc is None:
        return None
    links = _links(incident_id)
    alert_rows = [a.dict() for a in alerts.alert_list(alerts.EVERYONE, ids=links["alert"])[:MAX_LINKS]]
    near = max(NEAR_SENSORS_M, inc["radius_m"])
    sensors = []
    for ds in sensing.latest_values(bbox=geo.box(inc["lon"], inc["lat"], near), located=True)[:200]:
        d = geo.distance_m(inc["lon"], inc["lat"], ds.lon, ds.lat)
        if d <= near:
            sensors.append({"id": ds.id, "thing": ds.thing_name, "property": ds.property_code,
                            "value": ds.last_value, "unit": ds.unit_symbol, "time": ds.last_time,
                            "online": ds.online, "distance_m": round(d), "lon": ds.lon, "lat": ds.lat})
    sensors.sort(key=lambda s: s["distance_m"])
    within = max(5_000, inc["radius_m"])
    from smartcounty.domains.emergency.services.resources import KIND_NAMES

    nearest = geo.nearest(inc["lon"], inc["lat"], k=k, within_m=within, ready_only=False)
    return {
        "incident": inc, "alerts": alert_rows, "cases": _case_rows(links["case"]), "sensors": sensors[:50],
        "resources": [{"kind": kd, "name": KIND_NAMES[kd], "within": v["within"], "within_m": within,
                       "nearest": v["nearest"]} for kd, v in nearest.items()],
        "shelters": [{**s, "class_name": catalogue.SHELTER_CLASSES[s["shelter_class"]][0]}
                     for s in geo.covering_shelters(inc["lon"], inc["lat"], radius_m=inc["radius_m"])[:20]],
        "tasks": tasks_of(incident_id), "warnings": warnings_of(incident_id), "timeline": timeline(incident_id),
    }


def warnings_of(incident_id: int) -> list[dict]:
    return list(Warning.objects.filter(incident_id=incident_id).order_by("-sent_at").values(
        "id", "identifier", "headline", "instruction", "area_desc", "level", "sent_at", "cancelled_at", "alert_id"))


def close_incident(incident_id: int, review: str, *, actor) -> dict:
    """Close with a review (what happened, what worked, what to improve). Open tasks must be finished or withdrawn
    first; warnings still in force are withdrawn."""
    if len(review.strip()) < 10:
        raise ApiError(422, "invalid", _("the review needs at least 10 characters"), field="review")
    from smartcounty.domains.emergency.services import warnings as warns

    with transaction.atomic():
        i = _open(_locked(incident_id))
        if Task.objects.filter(incident=i, state__in=catalogue.TASK_OPEN_STATES).exists():
            raise ApiError(409, "conflict", _("tasks are still open: finish or withdraw them first"))
        for w in Warning.objects.filter(incident=i, cancelled_at__isnull=True).values_list("id", flat=True):
            warns.withdraw(w, actor=actor)
        now = timezone.now()
        i.state, i.closed_at, i.review = Incident.State.CLOSED, now, review.strip()[:5000]
        i.save(update_fields=["state", "closed_at", "review"])
        _timeline(i, "closed", _("Incident closed with a review"), actor=actor, at=now)
        audit.record("emergency.incident.close", actor=actor, obj=i, detail={"number": i.number})
        events.publish("emergency.incident_closed", _fact(i))
    return {"id": i.id, "state": i.state, "closed_at": now.isoformat()}
