"""Guan County demo: the plan's organisations, one user for each role, and a staff member in every other
organisation, so that whatever the demo routes to a department (a street light to 县住房和城乡建设局, a
smoke alarm to 县消防救援大队...) that department's own demo account can take it further.

The password is ``SMARTCOUNTY_DEMO_PASSWORD`` or, when that is not set, the documented demo
password below. Running it again creates nothing and never resets a changed password.
"""

import os
import sys
import unicodedata

from django.contrib.auth.hashers import make_password
from django.db import transaction

from smartcounty.foundation.accounts.models import Organisation, User
from smartcounty.foundation.accounts.roles import Role
from smartcounty.foundation.accounts.schemas import DemoUser
from smartcounty.foundation.accounts.services import ensure_plan_organisations
from smartcounty.kernel import audit

DEFAULT_DEMO_PASSWORD = "Guanxian-2026!"

#: username, role, organisation code (None: not bound), display name, mobile phone.
DEMO_USERS = (
    ("admin", Role.PLATFORM_ADMIN, None, "平台管理员", ""),
    ("gov-admin", Role.ORG_ADMIN, "gov-office", "县政府办公室管理员", ""),
    ("gov-staff", Role.STAFF, "gov-office", "县政府办公室工作人员", ""),
    ("zfj-admin", Role.ORG_ADMIN, "law-enforcement", "县综合行政执法局管理员", ""),
    ("zfj-staff", Role.STAFF, "law-enforcement", "县综合行政执法局工作人员", ""),
    ("zfw-admin", Role.ORG_ADMIN, "politics-law", "县委政法委管理员", ""),
    ("grid-worker", Role.GRID_WORKER, "politics-law", "网格员", ""),
    ("resident", Role.RESIDENT, None, "冠县居民", "13900001234"),
)


def demo_password() -> str:
    return os.environ.get("SMARTCOUNTY_DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD


def demo_users() -> list[tuple]:
    """``DEMO_USERS`` and ``<code>-staff`` for every organisation none of them belongs to."""
    covered = {u[2] for u in DEMO_USERS if u[2]}
    extra = [(f"{o.code}-staff", Role.STAFF, o.code, f"{o.name}工作人员", "")
             for o in Organisation.objects.filter(is_active=True).exclude(code__in=covered).order_by("id")]
    return list(DEMO_USERS) + extra


def ensure_demo_users() -> list[DemoUser]:
    password = demo_password()
    # one argon2 hash for every new demo account (they share the documented demo password anyway): hashing it
    # once per account made loading the demo (and every test that loads it) take seconds
    hashed = make_password(password)
    users = demo_users()
    orgs = {o.code: o for o in Organisation.objects.filter(code__in={u[2] for u in users if u[2]})}
    out = []
    with transaction.atomic():
        existing = {u.username: u for u in User.objects.filter(username__in=[u[0] for u in users])}
        for username, role, org_code, display_name, phone in users:
            org = orgs.get(org_code) if org_code else None
            created = username not in existing
            if created:
                platform = role == Role.PLATFORM_ADMIN
                user = User(username=username, role=role, organisation=org, display_name=display_name, phone=phone,
                            kind=User.Kind.RESIDENT if role == Role.RESIDENT else User.Kind.STAFF,
                            is_staff=platform, is_superuser=platform)
                user.password = hashed
                user.save()
                audit.record("accounts.demo_user", obj=user, organisation_id=user.organisation_id,
                             detail={"user": username, "role": role})
            else:
                user = existing[username]
            shown = password if created or user.check_password(password) else "(changed by its owner)"
            out.append(DemoUser(username=username, role=str(role), password=shown,
                                organisation=org.name if org else "-", created=created))
    return out


def _pad(text: str, width: int) -> str:
    """Left-justify in a terminal: a Chinese character takes two columns."""
    cols = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(1, width - cols)


def load(stdout=None):
    stdout = stdout or sys.stdout
    created = ensure_plan_organisations()
    stdout.write(f"  organisations: {Organisation.objects.count()} ({created} new)\n")
    users = ensure_demo_users()
    widths = (max(13, max(len(u.username) for u in users) + 2), 16, 34)
    stdout.write("  " + "".join(_pad(h, w) for h, w in zip(("username", "role", "organisation"), widths, strict=True))
                 + "password\n")
    for u in users:
        stdout.write("  " + "".join(_pad(v, w) for v, w in zip((u.username, u.role, u.organisation), widths, strict=True))
                     + u.password + "\n")
    return users
