"""Guan County's security picture in the demo: the critical systems under 等级保护 (one overdue, one due within
the month), the county's sites with their certificates as last read (one expiring within a week, one within the
month, one self-signed), and the events of a morning's attacks replayed through the real watcher (SQL injection
and XSS probing, a scanner, path scanning and credential stuffing from documentation addresses 203.0.113.0/24 and
198.51.100.0/24), which leave alerts for the office and blocks on the list."""

import hashlib
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from smartcounty.domains.security import cii, scenarios, services
from smartcounty.domains.security.models import CriticalSystem, Event, Site
from smartcounty.domains.security.watch import Watcher
from smartcounty.foundation.accounts import services as accounts

#: code, name, owner, level, months since the last assessment (None: never), description
SYSTEMS = (
    ("GX-CII-001", "冠县政务云平台", "gov-office", 3, 5, "承载全县政务信息系统的云平台（示例）"),
    ("GX-CII-002", "冠县电子政务外网", "gov-office", 3, 13, "连接县乡村三级和县直部门的政务外网（示例）"),
    ("GX-CII-003", "冠县智慧城市运行平台", "gov-office", 3, 11, "城市运行驾驶舱、物联感知和事件处置（示例）"),
    ("GX-CII-004", "冠县公共数据开放平台", "gov-office", 2, 8, "面向社会开放的公共数据门户（示例）"),
    ("GX-CII-005", "冠县政务服务一网通办系统", "approval", 3, 2, "一窗受理和网上办事（示例）"),
    ("GX-CII-006", "冠县社会综合治理平台", "politics-law", 2, 20, "网格化社会治理（示例）"),
    ("GX-CII-007", "冠县视频会议系统", "gov-office", 1, None, "县乡视频会议（示例，自主保护）"),
    ("GX-CII-008", "冠县应急指挥调度系统", "emergency", 3, 6, "应急值守和指挥调度（示例）"),
)
#: name, host, owner, system, days until the certificate ends, issuer, trusted
SITES = (
    ("冠县人民政府门户网站", "www.guanxian.gov.cn", "gov-office", None, 213,
     "CN=GeoTrust CN RSA CA G1,O=DigiCert Inc,C=US", True),
    ("冠县政务服务网", "zwfw.guanxian.gov.cn", "approval", "GX-CII-005", 5,
     "CN=TrustAsia RSA DV TLS CA G2,O=TrustAsia Technologies\\, Inc.,C=CN", True),
    ("冠县公共数据开放网", "data.guanxian.gov.cn", "gov-office", "GX-CII-004", 24, "CN=R11,O=Let's Encrypt,C=US", True),
    ("冠县智慧城市平台", "city.guanxian.gov.cn", "gov-office", "GX-CII-003", 75, "CN=R10,O=Let's Encrypt,C=US", True),
    ("冠县政务外网管理平台", "wan.guanxian.gov.cn", "gov-office", "GX-CII-002", 300,
     "CN=wan.guanxian.gov.cn,O=冠县政务外网", False),
)
FAKE_SANS = {"www.guanxian.gov.cn": ["DNS:www.guanxian.gov.cn", "DNS:guanxian.gov.cn"]}


def _systems(ids, today) -> int:
    made = 0
    for code, name, owner, level, months, text in SYSTEMS:
        if CriticalSystem.objects.filter(code=code).exists():
            continue
        assessed = None if months is None else cii.add_months(today, -months)
        if code == "GX-CII-003":  # due within the month
            assessed = cii.add_months(today, -12) + timedelta(days=12)
        CriticalSystem.objects.create(code=code, name=name, owner_organisation_id=ids[owner],
                                      level=level, assessed_on=assessed,
                                      next_due=cii.next_due(level, assessed, registered_on=today), description=text)
        made += 1
    return made


def _sites(ids, now) -> int:
    made = 0
    systems = dict(CriticalSystem.objects.values_list("code", "pk"))
    for name, host, owner, system, days, issuer, trusted in SITES:
        if Site.objects.filter(host=host, port=443).exists():
            continue
        ends = (now + timedelta(days=days)).replace(microsecond=0)
        Site.objects.create(
            name=name, host=host, port=443, owner_organisation_id=ids[owner],
            system_id=systems.get(system), checked_at=now - timedelta(hours=2),
            subject=f"CN={host}", issuer=issuer, san=FAKE_SANS.get(host, [f"DNS:{host}"]),
            serial=hashlib.sha256(host.encode()).hexdigest()[:32], fingerprint=hashlib.sha256(f"{host}{ends}".encode()).hexdigest(), not_before=ends - timedelta(days=365),
            not_after=ends, verified=trusted, verify_error="" if trusted else "self-signed certificate",
            tls_version="TLSv1.3")
        made += 1
    return made


def _attacks() -> list:
    """A morning's attacks, as requests: (ip, method, path, query pairs, user agent, status, failed sign-in)."""
    reqs = []
    for i in range(12):
        reqs.append(("203.0.113.7", "GET", "/catalog/", [("q", f"1' UNION SELECT username,password FROM users--{i}")],
                     "Mozilla/5.0", 200, None))
    for i in range(7):
        reqs.append(("198.51.100.23", "GET", "/portal/search/", [("q", f"<script>alert({i})</script>")],
                     "Mozilla/5.0", 200, None))
    for path in ("/.env", "/.git/config", "/wp-login.php", "/phpmyadmin/", "/backup.zip", "/server-status"):
        reqs.append(("203.0.113.45", "GET", path, [], "sqlmap/1.7.2#stable (https://sqlmap.org)", 404, None))
    for i in range(12):
        reqs.append(("198.51.100.88", "POST", "/accounts/login/", [], "python-requests/2.31", 200, f"user{i:02d}"))
    return reqs


def _events() -> int:
    if Event.objects.exists():
        return 0
    watcher = Watcher(specs=scenarios.defaults())
    made = 0
    start = 1_000.0
    for n, (ip, method, path, pairs, agent, status, failed) in enumerate(_attacks()):
        for overflow in watcher.observe(ip=ip, method=method, path=path, pairs=pairs, agent=agent, status=status,
                                        failed_signin=failed, now=start + n * 0.05):
            services.record_overflow(overflow)
            made += 1
    return made


def load(**_kwargs) -> dict:
    ids = accounts.organisation_ids_by_code()
    now, today = timezone.now(), timezone.localdate()
    with transaction.atomic():
        systems = _systems(ids, today)
        sites = _sites(ids, now)
    events = _events()
    services.warn_certificates()
    services.warn_systems()
    return {"systems": systems, "sites": sites, "events": events}
