from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from smartcounty.domains.security import blocklist, watch
from smartcounty.foundation.accounts import services as accounts

DATA = Path(__file__).parent / "data"
#: Documentation addresses (RFC 5737): the tests' attackers, never the suite's own 127.0.0.1.
ATTACKER, OTHER = "203.0.113.9", "198.51.100.4"
SMALL = {"sqli": "10/1s", "xss": "5/1s", "traversal": "5/1s", "probe": "5/10s", "scanner": "1/60s",
         "not_found": "5/10s", "signin_ip": "10/60s", "signin_user": "10/60s", "flood": "600/50ms"}


def attacks():
    for line in (DATA / "attacks.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            yield tuple(line.split("\t"))


def chinese():
    return [line for line in (DATA / "chinese.txt").read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def make_user(username, role, org=None):
    return get_user_model().objects.create_user(username=username, password="Guanxian-2026!", role=role,
                                                organisation_id=org, kind="resident" if role == "resident" else "staff")


@pytest.fixture(autouse=True)
def fresh_watch():
    """Every test starts with empty buckets and an empty in-memory block list, and leaves them so."""
    watch.watcher.clear()
    blocklist.forget()
    yield
    watch.watcher.clear()
    blocklist.forget()


@pytest.fixture
def small_buckets(settings):
    settings.SMARTCOUNTY_SECURITY_BUCKETS = dict(SMALL)
    settings.SMARTCOUNTY_SECURITY_BLOCK_S = 3600
    return settings


@pytest.fixture
def people(db):
    accounts.ensure_plan_organisations()
    ids = accounts.organisation_ids_by_code()
    return SimpleNamespace(
        ids=ids,
        officer=make_user("sec-officer", "staff", ids["cyberspace"]),
        office_admin=make_user("sec-admin", "org_admin", ids["cyberspace"]),
        other=make_user("housing-x", "staff", ids["housing"]),
        worker=make_user("worker-x", "grid_worker", ids["politics-law"]),
        resident=make_user("resident-x", "resident"),
        admin=make_user("root-x", "platform_admin"),
    )


def client(user=None, ip=ATTACKER, **extra):
    c = Client(REMOTE_ADDR=ip, **extra)
    if user is not None:
        c.force_login(user)
    return c
