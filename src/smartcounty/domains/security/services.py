"""Security services: the one scoping rule (the security office, 县委网信办), critical systems and their
assessments, the certificate inventory and its checks, security events, the block list, warnings and KPIs.

Other modules may call ``office_id``, ``cii_on_time`` and ``certificates_valid`` (plain data)."""

import ipaddress
import logging
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from smartcounty.domains.security import blocklist, certs, cii, scenarios
from smartcounty.domains.security.models import Block, CriticalSystem, Event, Site
from smartcounty.domains.security.schemas import BlockOut, EventOut, Reader, SiteOut, SystemOut
from smartcounty.foundation.accounts import services as accounts
from smartcounty.foundation.alerts import services as alerts
from smartcounty.kernel import audit, authz, outbound
from smartcounty.kernel.problems import ApiError
from smartcounty.kernel.rows import Rows

log = logging.getLogger("smartcounty.security")
OFFICE_CODE = "cyberspace"  # 县委网信办: leads action 30 (基础安全防护)
SOURCE = "security"


def office_id() -> int | None:
    """The security office's organisation (县委网信办), whose staff hold the security permissions."""
    org = accounts.organisation(OFFICE_CODE)
    return org.id if org else None


def reader(user) -> Reader:
    """The module's one scoping rule: security data are the office's (and the platform administrator's)."""
    office = office_id()
    scope = office if office is not None else -1
    return Reader(getattr(user, "pk", None), authz.user_has_perm(user, "security.view", scope),
                  authz.user_has_perm(user, "security.manage", scope))


def today() -> date:
    return timezone.localdate()


def _need(reader_: Reader, manage: bool = False) -> None:
    if not (reader_.manages if manage else reader_.views):
        raise ApiError(403, "forbidden")


def _owner_names(ids) -> dict:
    wanted = {i for i in ids if i}
    return {o.id: o.name for o in accounts.organisations(active_only=False) if o.id in wanted} if wanted else {}


# ----- critical information infrastructure -----

def _system_out(s: CriticalSystem, names: dict, on: date) -> SystemOut:
    return SystemOut(id=s.id, code=s.code, name=s.name, owner_organisation_id=s.owner_organisation_id,
                     owner=names.get(s.owner_organisation_id, ""), level=s.level, critical=s.critical,
                     assessed_on=s.assessed_on, next_due=s.next_due, state=cii.state(s.next_due, on),
                     description=s.description)


def _systems_batch(rows: list) -> list:
    names, on = _owner_names(r.owner_organisation_id for r in rows), today()
    return [_system_out(r, names, on) for r in rows]


def systems(reader_: Reader, *, level: int | None = None, state: str | None = None) -> Rows:
    _need(reader_)
    qs = CriticalSystem.objects.all()
    if level:
        qs = qs.filter(level=level)
    on = today()
    if state == "overdue":
        qs = qs.filter(next_due__lt=on)
    elif state == "due_soon":
        qs = qs.filter(next_due__gte=on, next_due__lte=on + timedelta(days=cii.DUE_SOON_DAYS))
    elif state == "none":
        qs = qs.filter(next_due__isnull=True)
    return Rows(qs.order_by("next_due", "code"), None, batch=_systems_batch)


def system(reader_: Reader, system_id: int) -> SystemOut | None:
    _need(reader_)
    s = CriticalSystem.objects.filter(pk=system_id).first()
    return _systems_batch([s])[0] if s else None


def _check_owner(pk: int) -> None:
    if accounts.organisation_by_id(pk) is None:
        raise ApiError(422, "invalid", "没有这个单位", field="owner_organisation_id")


def save_system(reader_: Reader, data, *, actor, system_id: int | None = None) -> SystemOut:
    _need(reader_, manage=True)
    _check_owner(data.owner_organisation_id)
    if data.assessed_on and data.assessed_on > today():
        raise ApiError(422, "invalid", "测评日期不能晚于今天", field="assessed_on")
    fields = data.model_dump()
    fields["next_due"] = cii.next_due(data.level, data.assessed_on, registered_on=today())
    with transaction.atomic():
        if system_id is None:
            if CriticalSystem.objects.filter(code=data.code).exists():
                raise ApiError(409, "conflict", "编号已被使用", field="code")
            s = CriticalSystem.objects.create(**fields)
        else:
            s = CriticalSystem.objects.select_for_update().filter(pk=system_id).first()
            if s is None:
                raise ApiError(404, "not-found")
            for k, v in fields.items():
                setattr(s, k, v)
            try:
                s.save()
            except IntegrityError:
                raise ApiError(409, "conflict", "编号已被使用", field="code") from None
        audit.record("security.system_saved", actor=actor, obj=s,
                     detail={"code": s.code, "level": s.level, "assessed_on": str(s.assessed_on or "")})
    return system(reader_, s.pk)


def record_assessment(reader_: Reader, system_id: int, assessed_on: date, *, actor) -> SystemOut:
    _need(reader_, manage=True)
    if assessed_on > today():
        raise ApiError(422, "invalid", "测评日期不能晚于今天", field="assessed_on")
    with transaction.atomic():
        s = CriticalSystem.objects.select_for_update().filter(pk=system_id).first()
        if s is None:
            raise ApiError(404, "not-found")
        s.assessed_on = assessed_on
        s.next_due = cii.next_due(s.level, assessed_on)
        s.save(update_fields=["assessed_on", "next_due", "updated_at"])
        audit.record("security.assessment", actor=actor, obj=s, detail={"assessed_on": str(assessed_on)})
    return system(reader_, system_id)


def cii_on_time() -> dict:
    """KPI: systems that need assessments (level 2 and above) whose assessment is not overdue."""
    on = today()
    qs = CriticalSystem.objects.filter(next_due__isnull=False)
    whole = qs.count()
    part = qs.filter(next_due__gte=on).count()
    overdue = list(qs.filter(next_due__lt=on).order_by("next_due").values_list("code", flat=True)[:20])
    return {"value": round(100.0 * part / whole, 2) if whole else None, "numerator": part, "denominator": whole,
            "detail": {"overdue": overdue}}


# ----- certificate inventory -----

def _site_state(s: Site, now: datetime) -> str:
    if s.checked_at is None:
        return "unchecked"
    if s.error and s.not_after is None:
        return "unreachable"
    lvl = certs.level(s.not_after, now)
    if lvl == 4:
        return "expired"
    if not s.verified:
        return "untrusted"
    return {3: "urgent", 2: "expiring"}.get(lvl, "valid")


def _site_out(s: Site, names: dict, now: datetime) -> SiteOut:
    days = None if s.not_after is None else int((s.not_after - now).total_seconds() // 86400)
    return SiteOut(id=s.id, name=s.name, host=s.host, port=s.port, owner_organisation_id=s.owner_organisation_id,
                   owner=names.get(s.owner_organisation_id, ""), system_id=s.system_id, checked_at=s.checked_at,
                   error=s.error, subject=s.subject, issuer=s.issuer, san=s.san, not_before=s.not_before,
                   not_after=s.not_after, days_left=days, verified=s.verified, verify_error=s.verify_error,
                   tls_version=s.tls_version, state=_site_state(s, now))


def _sites_batch(rows: list) -> list:
    names, now = _owner_names(r.owner_organisation_id for r in rows), timezone.now()
    return [_site_out(r, names, now) for r in rows]


def sites(reader_: Reader, *, expiring_days: int | None = None) -> Rows:
    _need(reader_)
    qs = Site.objects.all()
    if expiring_days is not None:
        qs = qs.filter(not_after__lte=timezone.now() + timedelta(days=expiring_days))
    return Rows(qs.order_by("not_after", "host", "port"), None, batch=_sites_batch)


def site(reader_: Reader, site_id: int) -> SiteOut | None:
    _need(reader_)
    s = Site.objects.filter(pk=site_id).first()
    return _sites_batch([s])[0] if s else None


def add_site(reader_: Reader, data, *, actor) -> SiteOut:
    _need(reader_, manage=True)
    host = data.host.strip("[]").lower()
    try:
        outbound.validate(f"https://{host if ':' not in host else f'[{host}]'}:{data.port}/")
    except outbound.OutboundError as exc:
        raise ApiError(422, "invalid", str(exc), field="host") from None
    if data.owner_organisation_id:
        _check_owner(data.owner_organisation_id)
    if data.system_id and not CriticalSystem.objects.filter(pk=data.system_id).exists():
        raise ApiError(422, "invalid", "没有这个系统", field="system_id")
    try:
        with transaction.atomic():
            s = Site.objects.create(name=data.name, host=host, port=data.port,
                                    owner_organisation_id=data.owner_organisation_id, system_id=data.system_id)
            audit.record("security.site_added", actor=actor, obj=s, detail={"host": host, "port": data.port})
    except IntegrityError:
        raise ApiError(409, "conflict", "这个站点已登记", field="host") from None
    return site(reader_, s.pk)


def check_site(site_id: int, *, timeout: float = 10.0) -> SiteOut | None:
    """Read one site's certificate now and store what it says (or why it could not be read)."""
    s = Site.objects.filter(pk=site_id).first()
    if s is None:
        return None
    now = timezone.now()
    try:
        info = certs.read(s.host, s.port, timeout=timeout)
    except outbound.OutboundError as exc:
        s.checked_at, s.error = now, str(exc)[:300]
        s.save(update_fields=["checked_at", "error"])
    else:
        s.checked_at, s.error = now, ""
        for name in ("subject", "issuer", "san", "serial", "fingerprint", "not_before", "not_after", "verified",
                     "verify_error", "tls_version"):
            setattr(s, name, getattr(info, name))
        s.save()
    _warn_site(s, now)
    return _sites_batch([s])[0]


def check_all_sites(*, timeout: float = 10.0) -> int:
    done = 0
    for pk in Site.objects.order_by("checked_at", "pk").values_list("pk", flat=True)[:5000]:
        try:
            check_site(pk, timeout=timeout)
            done += 1
        except Exception:  # one site's fault never stops the round
            log.exception("certificate check of site %s failed", pk)
    return done


def _warn_site(s: Site, now: datetime) -> None:
    key = f"certificate:{s.pk}"
    lvl = certs.level(s.not_after, now)
    if lvl:
        days = int((s.not_after - now).total_seconds() // 86400)
        title = f"网站证书已过期：{s.name}" if lvl == 4 else f"网站证书将在{max(days, 0)}天后到期：{s.name}"
        alerts.raise_alert(source=SOURCE, key=key, title=title, level=lvl, organisation_id=office_id(),
                           detail={"host": s.host, "port": s.port, "not_after": s.not_after.isoformat(),
                                   "issuer": s.issuer, "subject": s.subject})
        return
    current = alerts.find_open_alert(SOURCE, key)
    if current is not None:  # renewed: the warning is over
        alerts.resolve_alert(current.id, note="证书已更新")


def warn_certificates() -> int:
    """Raise (or resolve) the expiry warning of every site from what its last check stored."""
    now, n = timezone.now(), 0
    for s in Site.objects.filter(checked_at__isnull=False).order_by("pk")[:5000]:
        _warn_site(s, now)
        n += 1
    return n


def certificates_valid() -> dict:
    """KPI: checked sites whose certificate is trusted and not expired, out of the checked sites."""
    now = timezone.now()
    qs = Site.objects.filter(checked_at__isnull=False)
    whole = qs.count()
    part = qs.filter(verified=True, not_after__gt=now).count()
    soon = qs.filter(not_after__gt=now, not_after__lte=now + timedelta(days=certs.WARN_DAYS)).count()
    return {"value": round(100.0 * part / whole, 2) if whole else None, "numerator": part, "denominator": whole,
            "detail": {"expiring_30_days": soon}}


def warn_systems() -> int:
    """An alert per system whose assessment is overdue; resolved once it is recorded."""
    on, made = today(), 0
    for s in CriticalSystem.objects.filter(next_due__isnull=False).order_by("pk")[:5000]:
        key = f"assessment:{s.code}"
        if s.next_due < on:
            alerts.raise_alert(source=SOURCE, key=key, title=f"等级测评逾期：{s.name}（第{s.level}级）", level=3,
                               organisation_id=office_id(),
                               detail={"code": s.code, "level": s.level, "next_due": s.next_due.isoformat()})
            made += 1
        else:
            current = alerts.find_open_alert(SOURCE, key)
            if current is not None:
                alerts.resolve_alert(current.id, note="已完成等级测评")
    return made


# ----- security events and the block list -----

def _event_out(e: Event) -> EventOut:
    return EventOut(id=e.id, at=e.at, scenario=e.scenario, scenario_name=scenarios.title(e.scenario), ip=e.ip,
                    count=e.count, evidence=e.evidence, alert_id=e.alert_id, blocked=e.blocked)


def events(reader_: Reader, *, scenario: str | None = None, ip: str | None = None) -> Rows:
    _need(reader_)
    qs = Event.objects.all()
    if scenario:
        qs = qs.filter(scenario=scenario)
    if ip:
        try:
            ip = str(ipaddress.ip_address(ip.strip()))
        except ValueError:
            raise ApiError(422, "invalid", "不是有效的IP地址", field="ip") from None
        qs = qs.filter(ip=ip)
    return Rows(qs.order_by("-at", "-id"), _event_out)


def event(reader_: Reader, event_id: int) -> EventOut | None:
    _need(reader_)
    e = Event.objects.filter(pk=event_id).first()
    return _event_out(e) if e else None


def _block_out(b: Block, now: datetime | None = None) -> BlockOut:
    now = now or timezone.now()
    return BlockOut(id=b.id, ip=b.ip, reason=b.reason, reason_name=scenarios.title(b.reason), event_id=b.event_id,
                    created_at=b.created_at, until=b.until, lifted_at=b.lifted_at,
                    active=b.lifted_at is None and b.until > now)


def _active_q(now: datetime) -> Q:
    return Q(lifted_at__isnull=True, until__gt=now)


def blocks(reader_: Reader, *, active: bool | None = True) -> Rows:
    _need(reader_)
    now = timezone.now()
    qs = Block.objects.all()
    if active is True:
        qs = qs.filter(_active_q(now))
    elif active is False:
        qs = qs.exclude(_active_q(now))
    return Rows(qs.order_by("-created_at", "-id"), lambda b: _block_out(b, now))


def active_blocks() -> dict:
    """Every active block: address → Unix time it ends."""
    return blocklist.read_active()


def never_blocked(ip: str) -> bool:
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return True
    from smartcounty.kernel import net

    if net.is_trusted_proxy(ip):
        return True
    for entry in getattr(settings, "SMARTCOUNTY_SECURITY_NEVER_BLOCK", ()) or ():
        try:
            if addr in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def _make_block(ip: str, reason: str, minutes: float, *, event_obj=None, actor=None) -> Block:
    now = timezone.now()
    b = Block.objects.create(ip=ip, reason=reason, event=event_obj, created_at=now,
                             until=now + timedelta(minutes=minutes))
    audit.record("security.block", actor=actor, obj=b, organisation_id=office_id(),
                 detail={"ip": ip, "reason": reason, "until": b.until.isoformat()})
    blocklist.add_local(ip, b.until.timestamp())  # this process refuses at once; the others after the commit
    transaction.on_commit(blocklist.changed)
    return b


def record_overflow(overflow) -> EventOut:
    """A scenario's bucket overflowed for a client: the security event with its evidence, an alert for the
    office, and a block for ``SMARTCOUNTY_SECURITY_BLOCK_S`` seconds (unless 0 or the address is never blocked)."""
    spec = scenarios.SCENARIOS[overflow.scenario]
    seconds = int(getattr(settings, "SMARTCOUNTY_SECURITY_BLOCK_S", 3600) or 0)
    block = seconds > 0 and not never_blocked(overflow.ip)
    evidence = {"bucket": overflow.bucket, "samples": overflow.samples[:5]}
    now = timezone.now()
    with transaction.atomic():
        e = Event.objects.create(at=now, scenario=overflow.scenario, ip=overflow.ip, count=overflow.count,
                                 evidence=evidence, blocked=block)
        out = alerts.raise_alert(source=SOURCE, key=f"{overflow.scenario}:{overflow.ip}",
                                 title=f"{scenarios.title(overflow.scenario)}：{overflow.ip}", level=spec.level,
                                 organisation_id=office_id(), at=now,
                                 detail={"event_id": e.id, "scenario": overflow.scenario, "ip": overflow.ip,
                                         "count": overflow.count, **evidence})
        e.alert_id = out.id
        e.save(update_fields=["alert_id"])
        if block:
            _make_block(overflow.ip, overflow.scenario, seconds / 60, event_obj=e)
    return _event_out(e)


def block(reader_: Reader, ip: str, minutes: int, *, actor) -> BlockOut:
    """A security officer blocks an address by hand."""
    _need(reader_, manage=True)
    try:
        ip = str(ipaddress.ip_address(ip.strip()))
    except ValueError:
        raise ApiError(422, "invalid", "不是有效的IP地址", field="ip") from None
    if never_blocked(ip):
        raise ApiError(422, "invalid", "这个地址在不封禁名单中（可信代理或 SMARTCOUNTY_SECURITY_NEVER_BLOCK）",
                       field="ip")
    with transaction.atomic():
        b = _make_block(ip, scenarios.MANUAL, minutes, actor=actor)
    return _block_out(b)


def unblock(reader_: Reader, block_id: int, *, actor) -> BlockOut:
    _need(reader_, manage=True)
    with transaction.atomic():
        b = Block.objects.select_for_update().filter(pk=block_id).first()
        if b is None:
            raise ApiError(404, "not-found")
        if b.lifted_at is None:
            b.lifted_at, b.lifted_by_id = timezone.now(), actor.pk
            b.save(update_fields=["lifted_at", "lifted_by_id"])
            audit.record("security.unblock", actor=actor, obj=b, detail={"ip": b.ip, "reason": b.reason})
            blocklist.drop_local(b.ip)
            transaction.on_commit(blocklist.changed)
    return _block_out(b)


def prune(*, days: int = 180) -> int:
    """Remove events and ended blocks older than ``days`` (the alerts and the audit log keep their record)."""
    cutoff = timezone.now() - timedelta(days=days)
    n = Block.objects.filter(until__lt=cutoff).delete()[0]
    return n + Event.objects.filter(at__lt=cutoff).delete()[0]


def utc(value: datetime) -> datetime:
    return value.astimezone(UTC)
