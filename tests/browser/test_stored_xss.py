"""Stored XSS: script payloads in every name and text field of the demo data never run on any page.

The demo's names and texts (divisions, grids, organisations, things, datastreams, alert rules and alerts,
cases and their history, datasets, live items) are given payloads; then every page (the URL conf's pages
and the detail pages they link to) is rendered as anonymous, as staff and as a platform administrator,
with the maps' tooltips and popups opened. No payload may run (``window.__xss`` stays undefined, no
dialog, no element made from a payload, no ``javascript:`` link) and the names are shown as text.

The data are restored afterwards, so the other browser tests see the demo as it was. The pages are the
same on every database: this file runs on SQLite only (the PostgreSQL run skips it).
"""

import json
import os
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from .conftest import DISPATCHER, STAFF, run_shell

pytestmark = pytest.mark.browser

IMG = "<img src=x onerror=window.__xss=1>"
SCRIPT = '"><script>window.__xss=2</script>'
SVG = "'><svg onload=window.__xss=3>"
PAYLOAD = IMG + SCRIPT + SVG
LINK = "javascript:window.__xss=4"

#: model label -> text fields given the payload (every row), and fields given the javascript: link.
FIELDS = {
    "places.Division": ["name", "name_en"],
    "places.Grid": ["name"],
    "accounts.Organisation": ["name", "name_en"],
    "sensing.Thing": ["name", "description"],
    "sensing.Sensor": ["name", "description"],
    "sensing.Location": ["name"],
    "sensing.Datastream": ["name", "unit_symbol"],
    "sensing.ObservedProperty": ["name_zh", "name_en"],
    "alerts.Rule": ["name", "description"],
    "alerts.Alert": ["title"],
    "cases.Case": ["title", "description", "address", "reporter_name"],
    "catalog.Resource": ["name", "summary", "provider_org_name"],
    "catalog.InfoItem": ["title"],
    "catalog.App": ["name"],
    "citymgmt.Component": ["name"],
    "environment.ForecastRun": ["station_name"],
    "cockpit.LiveItem": ["title"],
}
LINKS = {"cockpit.LiveItem": ["url"]}

INJECT = """
import json
from django.apps import apps
from django.db import transaction
fields, links, payload, link, path = json.loads({args!r})
saved = {{}}
with transaction.atomic():
    for label, names in fields.items():
        model = apps.get_model(label)
        todo = names + links.get(label, [])
        rows = list(model.objects.values("pk", *todo))
        saved[label] = rows
        for row in rows:
            new = {{f: (str(row[f] or "")[:6] + payload + " " + str(row["pk"])) for f in names}}
            new.update({{f: link for f in links.get(label, [])}})
            model.objects.filter(pk=row["pk"]).update(**new)
open(path, "w").write(json.dumps(saved, ensure_ascii=False, default=str))
print(sum(len(v) for v in saved.values()))
"""

RESTORE = """
import json
from django.apps import apps
from django.db import transaction
saved = json.load(open({path!r}))
with transaction.atomic():
    for label, rows in saved.items():
        model = apps.get_model(label)
        for row in rows:
            pk = row.pop("pk")
            model.objects.filter(pk=pk).update(**row)
"""

ROUTES = """
from django.urls import get_resolver, URLResolver
def walk(ps, prefix=""):
    for p in ps:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern)
print("ROUTES " + " ".join(walk(get_resolver().url_patterns)))
"""

#: Not pages: machine interfaces, streams, downloads, actions.
SKIP = re.compile(r"^/(api/|admin/|static/|healthz|i18n/|o/|\.well-known/|v1\.1/|accounts/(login|logout)/)|/feed$|open311|download|"
                  r"/(acknowledge|resolve|steps|comments|attachments|upload)(/|$)|\.(csv|json|xml|xlsx|geojson)$")
#: Detail pages: at most this many of each kind (the first path segments and the depth).
PER_KIND = 3


@pytest.fixture(scope="module")
def payloads(server_env, server):
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        pytest.skip("the pages are the same on every database: the SQLite run covers this file")
    path = str(Path(server_env["SMARTCOUNTY_DATA_DIR"]) / "xss-originals.json")
    args = json.dumps([FIELDS, LINKS, PAYLOAD, LINK, path])
    count = int(run_shell(server_env, INJECT.format(args=args)).split()[-1])
    assert count > 100, "the demo data should have names to poison"
    yield server
    run_shell(server_env, RESTORE.format(path=path))


def _seeds(server_env) -> list[str]:
    out = run_shell(server_env, ROUTES)
    routes = out[out.index("ROUTES ") + 7:].split()
    pages = ["/" + r for r in routes if not re.search(r"[<^(\\]", r)]
    return sorted({p for p in pages if not SKIP.search(p)}) + ["/"]


def _open_map_layers(page):
    """Hover and click what the maps draw, so that tooltips and popups are filled (Leaflet fills a string
    tooltip into innerHTML only when it opens)."""
    for _ in range(2):
        page.evaluate("""() => {
          const fire = (el, type) => el.dispatchEvent(new MouseEvent(type, {bubbles: true, cancelable: true,
              view: window, clientX: 5, clientY: 5}));
          document.querySelectorAll('[data-town]').forEach((b, i) => { if (i < 3) b.click(); });
          Array.from(document.querySelectorAll('.leaflet-interactive')).slice(0, 300).forEach(el => {
            fire(el, 'mouseover'); fire(el, 'mousemove');
            if (el.tagName !== 'path') { fire(el, 'click'); }
          });
        }""")
        page.wait_for_timeout(600)


def _visit(page, url) -> list[str]:
    """Problems found on one page."""
    try:
        page.goto(url, wait_until="load")
    except Exception as exc:  # a POST action's empty 405: nothing rendered, nothing that could run
        if "ERR_HTTP_RESPONSE_CODE_FAILURE" in str(exc):
            return []
        raise
    try:
        page.wait_for_load_state("networkidle", timeout=4000)
    except Exception:  # a live feed keeps a connection open: the page has loaded all the same
        pass
    if page.locator(".leaflet-container").count():
        _open_map_layers(page)
    page.wait_for_timeout(200)
    found = page.evaluate("""() => ({
      ran: window.__xss === undefined ? null : String(window.__xss),
      links: Array.from(document.querySelectorAll('a[href]')).filter(a => /^\\s*javascript:/i.test(a.getAttribute('href'))).length,
    })""")
    problems = []
    if found["ran"] is not None:
        problems.append(f"payload ran (window.__xss={found['ran']})")
    if found["links"]:
        problems.append(f"{found['links']} javascript: link(s)")
    if page.locator('img[src="x"], svg[onload]').count():
        problems.append("an element made from a payload")
    return problems


def _crawl(page, base, seeds) -> tuple[dict[str, list[str]], set[str]]:
    problems, seen, kinds, queue = {}, set(), {}, list(seeds)
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        found = _visit(page, base + path)
        if found:
            problems[path] = found
        if urlsplit(page.url).path.startswith("/accounts/login"):
            continue
        try:
            hrefs = page.eval_on_selector_all("a[href]", "as => as.map(a => a.getAttribute('href'))")
        except Exception as exc:  # the page went on to another (a redirect after load): read that one's links
            if "context was destroyed" not in str(exc):
                raise
            page.wait_for_load_state("load")
            hrefs = page.eval_on_selector_all("a[href]", "as => as.map(a => a.getAttribute('href'))")
        for href in hrefs:
            parts = urlsplit(urljoin(base + path, href))
            if f"{parts.scheme}://{parts.netloc}" != base or parts.query or SKIP.search(parts.path):
                continue
            segments = [s for s in parts.path.split("/") if s]
            kind = (tuple(segments[:2]), len(segments))
            if parts.path in seen or parts.path in queue or (parts.path not in seeds and kinds.get(kind, 0) >= PER_KIND):
                continue
            kinds[kind] = kinds.get(kind, 0) + 1
            queue.append(parts.path)
    return problems, seen


@pytest.mark.parametrize("user", [None, STAFF, DISPATCHER], ids=["anonymous", "staff", "admin"])
def test_no_stored_payload_runs_on_any_page(new_page, server_env, payloads, user):
    page, _watch = new_page(1920, 1080, user=user)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    problems, seen = _crawl(page, payloads, _seeds(server_env))
    assert len(seen) >= 15, sorted(seen)
    assert dialogs == []
    assert problems == {}


def test_places_map_shows_grid_names_as_text(new_page, payloads):
    """The finding: grid names went into the public map's tooltip as HTML. They are text now."""
    page, _watch = new_page(1280, 900)
    page.goto(payloads + "/places/")
    page.wait_for_load_state("networkidle")
    page.locator("[data-town]").first.click()
    page.wait_for_selector("#places-map path.leaflet-interactive >> nth=1", state="attached")
    page.wait_for_timeout(500)
    _open_map_layers(page)
    tips = page.locator(".leaflet-tooltip")
    assert tips.count() >= 1
    assert any(PAYLOAD in t for t in tips.all_inner_texts()), tips.all_inner_texts()
    assert page.evaluate("window.__xss") is None
    assert PAYLOAD in page.locator("body").inner_text()
