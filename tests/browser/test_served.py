"""Every page's server side on PostgreSQL, as every demo role: the page walk without the browser.

The browser walk (``test_walk.py``) runs once, in the SQLite half of CI; what it checks in the page (scripts,
wording, layout) does not depend on the database, but the queries behind a page do (a ``MAX`` over a boolean
works on SQLite and fails on PostgreSQL). So on PostgreSQL the same pages are found the same way (the URL
conf's routes without parameters, then the first link to each route with parameters that a role's pages
show) and fetched in-process with the demo loaded; a page fails on a server error, or on a missing page
that a page links to. Not a browser test: it runs in the PostgreSQL half.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from .walk import NOT_PAGES, ROLES_UNDER_TEST, route_of, routes

HREF = re.compile(r'href="([^"#]+)"')


def crawl(client: Client) -> dict[str, list[str]]:
    seeds, param_routes = routes()
    queue, seen, kinds, problems = list(seeds), set(), set(), {}
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        r = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-CN")
        if r.status_code >= 500:
            problems.setdefault(path, []).append(f"HTTP {r.status_code}")
        elif r.status_code == 404:
            problems.setdefault(path, []).append("HTTP 404 for a page the site offers")
        if r.status_code != 200 or r.streaming or "text/html" not in r.get("Content-Type", ""):
            continue
        for href in HREF.findall(r.content.decode("utf-8", "replace")):
            parts = urlsplit(href.replace("&amp;", "&"))
            if parts.netloc or not parts.path.startswith("/") or NOT_PAGES.search(parts.path):
                continue
            name = route_of(parts.path)
            if name in param_routes and name not in kinds and parts.path not in seen:
                kinds.add(name)
                queue.append(parts.path)
    return problems


@pytest.mark.django_db(transaction=True)
def test_every_page_is_served_on_postgresql(postgres_db, django_user_model):
    with transaction.atomic():  # one commit, not one per row (the demo's own hooks run at its end)
        call_command("demo", verbosity=0)
    failures = {}
    for role, username in ROLES_UNDER_TEST.items():
        client = Client(raise_request_exception=False)
        if username:
            client.force_login(django_user_model.objects.get(username=username))
        found = crawl(client)
        failures.update({f"{role} {path}": p for path, p in found.items()})
    report = "\n".join(f"{k}: {' | '.join(v)}" for k, v in sorted(failures.items()))
    assert not failures, f"{len(failures)} page(s) fail on PostgreSQL:\n{report}"
