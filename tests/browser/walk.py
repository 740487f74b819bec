"""The page walk: every page the URL conf and the menu registry offer, visited as one role at one size.

Pages are found, never listed: the URL conf's routes without parameters are the seeds, and each route
with parameters (a case, a dataset, an alert...) is visited through the first link to it that the role's
own pages show. A new module's pages are walked as soon as it is installed.

What a page must do (``PAGE_CHECKS`` in the browser, ``_status_problem`` here) is described in
``test_walk.py``. The walk uses Playwright's async API in a thread of its own, so several pages load at
once (most of a page's time is spent waiting for the network to settle, not on the processor).
"""

import asyncio
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

#: Not pages: machine interfaces, the admin (Django's own), event streams, language switching, the OpenID
#: Connect endpoints (its consent and sign-out pages need a client's request: tests/browser/test_oidc.py).
NOT_PAGES = re.compile(r"^/(api/|admin/|static/|i18n/|o/|\.well-known/)|^/(healthz|readyz|metrics)$|open311|/feed$|/accounts/logout/"
                       r"|/download\.\w+$")

#: Latin words a Chinese page may show: units, pollutant and index names, formats and standards.
LATIN_OK = {
    "AQI", "IAQI", "PM2.5", "PM10", "PM₂.₅", "PM₁₀", "O3", "O₃", "NO2", "NO₂", "SO2", "SO₂", "CO", "API", "APIs",
    "GB", "GB/T", "HJ", "LB/T", "3A", "4A", "5A", "DB37", "DB37/T", "km", "km²", "m", "m²", "m³", "mm", "cm", "kg", "t", "h", "min", "s", "ms",
    "kW", "kWh", "MW", "mg", "μg", "µg", "μg/m³", "µg/m³", "mg/m³", "m/s", "km/h", "mm/h", "hPa", "dB", "lx", "pH", "NTU",
    "mS/cm", "mg/L", "L", "COD", "BOD", "NH3-N", "NH₃-N", "TP", "TN", "DO", "CSV", "JSON", "GeoJSON", "XLSX", "PDF",
    "URL", "HTTP", "HTTPS", "MQTT", "OpenAPI", "CKAN", "ID", "WGS84", "WGS-84", "CGCS2000", "GCJ-02", "OGC",
    "SensorThings", "Open311", "OIDC", "OpenID", "smartcounty", "Leaflet", "ECharts", "APP", "App", "Wi-Fi", "WiFi",
    "KB", "MB", "5G", "4G", "IoT", "GIS", "GPS", "BDS", "AI", "IP", "SMS", "Email", "CPU", "TOTP", "MAE", "SO", "NO",
    "SQL", "XSS", "TLS", "CAP", "Shapefile", "KML", "KMZ", "UTF-8", "Albers", "m³/h",
}
#: A number with a unit written against it (3.5km, 24h).
_NUMBER_UNIT = re.compile(r"^[\d.,:+\-]+(.*)$")

ROLES_UNDER_TEST = {
    # role label -> demo username (None: not signed in)
    "anonymous": None,
    "resident": "resident",
    "staff": "gov-staff",
    "org-admin": "zfj-admin",
    "grid-worker": "grid-worker",
    "platform-admin": "admin",
}
SIZES = {"wall": (1920, 1080), "phone": (390, 844)}


def routes() -> tuple[list[str], set[str]]:
    """(paths of the URL conf's routes without parameters, names of the routes with parameters)."""
    plain, with_params = [], set()

    def walk(patterns, prefix, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), f"{namespace}{p.name or p.lookup_str}"

    for route, name in walk(get_resolver().url_patterns, "", ""):
        path = "/" + route
        if re.search(r"[<^(\\$?]", route):
            with_params.add(name)
        elif not NOT_PAGES.search(path):
            plain.append(path)
    return sorted(set(plain)), with_params


def menu_paths() -> dict[str, bool]:
    """Path of every menu entry -> whether anonymous visitors may open it (``public``)."""
    from django.urls import NoReverseMatch, reverse

    from smartcounty.kernel import registry

    out = {}
    for entry in registry.menu.values():
        try:
            out[reverse(entry.url_name)] = bool(entry.public)
        except NoReverseMatch:
            continue
    return out


def route_of(path: str) -> str | None:
    """The URL name (with namespace) a same-site path resolves to, or None."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


#: Run in the page after it has loaded: what a person would see wrong. Returns a list of problems.
PAGE_CHECKS = r"""
([width, latinOk]) => {
  const problems = [];
  const ok = new Set(latinOk);
  const visible = el => el && el.checkVisibility && el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true});
  const isLayout = !!document.querySelector('header.topbar');
  // Horizontal overflow (the phone): the page may not scroll sideways, the navigation may not be cut off.
  if (document.documentElement.scrollWidth > width + 1) {
    const wide = Array.from(document.querySelectorAll('body *')).filter(el => visible(el)
      && el.getBoundingClientRect().right > width + 1 && !el.closest('.leaflet-container'))
      .slice(0, 3).map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : ''));
    problems.push(`horizontal overflow: ${document.documentElement.scrollWidth}px wide on a ${width}px screen (${wide.join(', ')})`);
  }
  document.querySelectorAll('.mainnav a').forEach(a => {
    const r = a.getBoundingClientRect();
    if (visible(a) && r.right > width + 1) problems.push(`navigation cut off: "${a.textContent.trim()}"`);
  });
  // Maps: something drawn (shapes, markers or tiles), and a size.
  document.querySelectorAll('.leaflet-container').forEach(m => {
    const drawn = m.querySelectorAll('.leaflet-overlay-pane path, .leaflet-overlay-pane canvas, .leaflet-marker-icon, .leaflet-tile-loaded').length;
    const r = m.getBoundingClientRect();
    if (!drawn) problems.push(`empty map #${m.id || '?'}`);
    if (r.width < 50 || r.height < 50) problems.push(`map #${m.id || '?'} has no size (${r.width}x${r.height})`);
  });
  document.querySelectorAll('[id].map, [data-map]').forEach(m => {
    if (!m.classList.contains('leaflet-container')) problems.push(`map #${m.id} was never drawn`);
  });
  // Charts: an ECharts instance with no data in any series is an empty chart.
  if (window.echarts) document.querySelectorAll('[_echarts_instance_]').forEach(el => {
    const chart = window.echarts.getInstanceByDom(el);
    if (!chart) return;
    const series = (chart.getOption() || {}).series || [];
    const points = series.reduce((n, s) => n + ((s.data && s.data.length) || (s.links && s.links.length) || 0), 0);
    if (!points && visible(el)) problems.push(`empty chart #${el.id || '?'}`);
  });
  // Form fields: a Chinese label (label element, aria-label, aria-labelledby or title).
  const han = /[\u3400-\u9fff]/;
  document.querySelectorAll('input, select, textarea').forEach(f => {
    if (['hidden', 'submit', 'button', 'reset', 'image'].includes(f.type) || !visible(f)) return;
    let name = Array.from(f.labels || []).map(l => l.textContent).join(' ') + ' ' + (f.getAttribute('aria-label') || '')
      + ' ' + (f.getAttribute('title') || '');
    (f.getAttribute('aria-labelledby') || '').split(/\s+/).forEach(id => { const e = id && document.getElementById(id); if (e) name += ' ' + e.textContent; });
    if (!han.test(name)) problems.push(`form field without a Chinese label: ${f.tagName.toLowerCase()}[name=${f.name || '?'}] "${name.trim().slice(0, 40)}"`);
  });
  // Visible Latin words outside the allow-list (text marked translate="no", code and the map's own
  // attribution are data or names, not wording). Charts draw on a canvas: their axis labels, series and
  // legend names are read from the chart's options.
  const words = new Map();
  const latin = text => {
    for (let w of String(text).match(/[A-Za-z0-9_.\-\/²³₂₃₅₀₁μµ]*[A-Za-z][A-Za-z0-9_.\-\/²³₂₃₅₀₁μµ]*/g) || []) {
      w = w.replace(/^[.\-\/]+|[.\-\/:]+$/g, '');
      const unit = w.match(/^[\d.,:+\-]+(.+)$/);
      // A single letter (a grade, a unit), an e-mail address, a national or provincial road (G309, S254)
      if (!w || ok.has(w) || (unit && ok.has(unit[1])) || /^[A-Za-z]$/.test(w) || /^[\w.+-]+@[\w.-]+$/.test(w)
          || /^[GS]\d{1,4}$/.test(w) || /^(?=.*\d)[0-9A-Z]{8,}$/.test(w)) continue;  // ... or an identifier
      // (a case number, a unified social credit code, a traceability code: 8+ capitals and digits)
      words.set(w, (words.get(w) || 0) + 1);
    }
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const skip = 'script, style, noscript, template, code, pre, kbd, samp, [translate="no"], .leaflet-control-attribution';
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest(skip) || !/[A-Za-z]/.test(n.nodeValue) || !visible(el)) continue;
    latin(n.nodeValue);
  }
  if (window.echarts) document.querySelectorAll('[_echarts_instance_]').forEach(el => {
    const chart = window.echarts.getInstanceByDom(el);
    const o = chart && chart.getOption();
    if (!o) return;
    [].concat(o.xAxis || [], o.yAxis || []).forEach(a => (a.type === 'category' ? a.data || [] : [a.name || ''])
      .forEach(v => latin(v && v.value !== undefined ? v.value : v)));
    (o.series || []).forEach(sr => { latin(sr.name || ''); (sr.data || []).forEach(d => d && d.name && latin(d.name)); });
  });
  if (words.size) problems.push('Latin words on the page: ' + Array.from(words.keys()).slice(0, 15).join(', '));
  return {problems, isLayout, links: Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href')),
          nav: Array.from(document.querySelectorAll('.mainnav a')).map(a => a.getAttribute('href'))};
}
"""


@dataclass
class Visit:
    path: str
    status: int | None
    final_path: str
    problems: list[str] = field(default_factory=list)


@dataclass
class RoleWalk:
    role: str
    size: str
    visits: list[Visit] = field(default_factory=list)
    nav: list[str] = field(default_factory=list)

    def problems(self) -> dict[str, list[str]]:
        return {v.path: v.problems for v in self.visits if v.problems}


def _slug(path: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-") or "home"


class Walker:
    """Walks every page for several (role, size) pairs at once, in one browser."""

    def __init__(self, base: str, chromium: str, args: list[str], password: str, screenshots: Path,
                 *, concurrency: int = 4):
        self.base, self.chromium, self.args, self.password = base, chromium, args, password
        self.screenshots, self.concurrency = screenshots, concurrency
        self.seeds, self.param_routes = routes()
        self.menu = menu_paths()
        self.login_path = "/accounts/login/"

    def run(self, pairs) -> dict[tuple[str, str], RoleWalk]:
        return asyncio.run(self._run(pairs))

    async def _run(self, pairs):
        from playwright.async_api import async_playwright

        self.screenshots.mkdir(parents=True, exist_ok=True)
        self.slots = asyncio.Semaphore(self.concurrency)
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=self.chromium, headless=True, args=self.args)
            try:
                done = await asyncio.gather(*(self._walk(browser, role, size) for role, size in pairs))
            finally:
                await browser.close()
        return {(w.role, w.size): w for w in done}

    async def _walk(self, browser, role, size) -> RoleWalk:
        width, height = SIZES[size]
        ctx = await browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                        timezone_id="Asia/Shanghai", extra_http_headers={"Accept-Language": "zh-CN"})
        result = RoleWalk(role, size)
        try:
            user = ROLES_UNDER_TEST[role]
            if user:
                page = await ctx.new_page()
                await page.goto(self.base + self.login_path)
                await page.fill("input[name=username]", user)
                await page.fill("input[name=password]", self.password)
                await page.locator("form:has(input[name=password]) [type=submit]").first.click()
                await page.wait_for_load_state("load")
                if urlsplit(page.url).path.startswith(self.login_path):
                    result.visits.append(Visit(self.login_path, None, self.login_path, [f"sign-in as {user} failed"]))
                    return result
                await page.close()
            queue, seen, kinds = list(self.seeds), set(), set()
            while queue:
                batch, queue = queue, []
                visits = await asyncio.gather(*(self._visit(ctx, role, size, path) for path in batch if path not in seen))
                seen.update(batch)
                for visit, links, nav in visits:
                    result.visits.append(visit)
                    if nav and visit.path == "/":
                        result.nav = nav
                    for href in links:
                        parts = urlsplit(urljoin(self.base + visit.path, href))
                        if f"{parts.scheme}://{parts.netloc}" != self.base or NOT_PAGES.search(parts.path):
                            continue
                        name = route_of(parts.path)
                        if name in self.param_routes and name not in kinds and parts.path not in seen:
                            kinds.add(name)
                            queue.append(parts.path)
            self._judge_statuses(result)
        finally:
            await ctx.close()
        return result

    async def _visit(self, ctx, role, size, path):
        async with self.slots:
            page = await ctx.new_page()
            errors: list[str] = []
            base = self.base
            page.on("console", lambda m: m.type == "error" and errors.append(f"console: {m.text}"))
            page.on("pageerror", lambda e: errors.append(f"script error: {e}"))
            page.on("request", lambda r: not r.url.startswith((base, "data:", "blob:", "about:"))
                    and errors.append(f"external request: {r.url}"))

            def failed(r):
                failure = r.failure or ""
                if "ERR_ABORTED" in failure and r.resource_type in ("fetch", "xhr", "eventsource", "media"):
                    return
                errors.append(f"request failed: {r.url} {failure}")

            page.on("requestfailed", failed)
            page.on("response", lambda r: r.status >= 400 and r.request.resource_type != "document"
                    and errors.append(f"HTTP {r.status}: {r.url}"))
            try:
                response = await page.goto(base + path, wait_until="load", timeout=30000)
            except Exception as exc:  # noqa: BLE001 - a page that does not load is a finding, not a crash
                await page.close()
                if "ERR_HTTP_RESPONSE_CODE_FAILURE" in str(exc):  # an empty error answer (405 of a POST action)
                    answer = await ctx.request.get(base + path, max_redirects=0)
                    return Visit(path, answer.status, path), [], []
                return Visit(path, None, path, [f"did not load: {exc}"[:300]]), [], []
            try:
                await page.wait_for_load_state("networkidle", timeout=3000)
            except Exception:  # noqa: BLE001 - a live feed keeps a connection open; the page has loaded
                pass
            status = response.status if response else None
            final = urlsplit(page.url).path
            ctype = (response.headers.get("content-type", "") if response else "")
            visit = Visit(path, status, final)
            links, nav = [], []
            if "text/html" in ctype:
                # A console line for the page's own 403/404 document is the status, judged below.
                errors[:] = [e for e in errors if not (e.startswith("console: Failed to load resource")
                                                       and status and status >= 400)]
                found = await page.evaluate(PAGE_CHECKS, [SIZES[size][0], sorted(LATIN_OK)])
                if found["isLayout"]:
                    visit.problems += found["problems"]
                    await page.screenshot(path=str(self.screenshots / f"{role}-{size}-{_slug(path)}.png"))
                elif status in (403, 404) or (status and status >= 500):
                    visit.problems.append(f"HTTP {status} page outside the site layout")
                # else: a fragment (HTMX) or a bare document: its status is what counts
                links, nav = found["links"], found["nav"]
            visit.problems += errors
            await page.close()
            return visit, links, nav

    def _judge_statuses(self, walk: RoleWalk) -> None:
        signed_in = walk.role != "anonymous"
        nav = {urlsplit(h).path for h in walk.nav}
        for v in walk.visits:
            problem = _status_problem(v, signed_in, self.menu, nav, self.login_path)
            if problem:
                v.problems.insert(0, problem)


def _status_problem(v: Visit, signed_in: bool, menu: dict[str, bool], nav: set[str], login: str) -> str | None:
    """The HTTP outcome a role should get: never a server error or a missing page; anonymous visitors
    open the public menu pages (or are asked to sign in there) and are sent to sign in for the others; a signed-in user opens every page
    his own menu shows and is refused (403) the menu pages it does not show."""
    if v.status is None:
        return None
    to_login = v.final_path.startswith(login) and not v.path.startswith(login)
    if v.status >= 500:
        return f"HTTP {v.status}"
    if v.status == 404:
        return "HTTP 404 for a page the site offers"
    if v.status == 405:
        return None  # an action (POST only), not a page
    if v.path not in menu:
        # 400: an address that needs its parameters (an HTMX fragment called bare).
        return None if v.status < 400 or v.status in (400, 401, 403) else f"HTTP {v.status}"
    if not signed_in:
        if menu[v.path]:  # a public page opens, or asks the visitor to sign in first (reporting a problem)
            return None if v.status == 200 else f"public page: HTTP {v.status} -> {v.final_path}"
        return None if to_login or v.status == 403 else f"staff page open to anonymous visitors (HTTP {v.status})"
    if v.path in nav:
        return None if v.status == 200 and not to_login else f"in this role's menu but HTTP {v.status} -> {v.final_path}"
    return None if v.status == 403 or to_login else (
        f"not in this role's menu yet HTTP {v.status} (the menu and the page disagree on who may see it)")
