"""Detectors for one request's values: SQL injection and XSS (libinjection), path traversal, scanner user
agents and probes of files no county site serves. Pure functions, no database, no Django.

The scoring follows the anomaly-scoring idea of the OWASP Core Rule Set: each rule that matches adds its
severity (critical 5, error 4, warning 3, notice 2) to the request's score for its category, and a category
whose score reaches ``THRESHOLD`` (5, CRS's default inbound threshold) counts the request as an attempt of that
kind. The rules are our own, written after the ideas of these CRS rule families (none of their text is used):

- 942100 SQL injection through libinjection's tokenizer and fingerprints (``is_sqli``), here the
  ``libinjection-python`` binding of the same C library;
- 941100 XSS through libinjection (``is_xss``); 941110/941120/941170-like rules for a script element, an
  event-handler attribute and a ``javascript:`` URI, which libinjection does not see in every context;
- 930100/930110/930120 path traversal: ``../`` (also encoded twice or with overlong forms), and names of OS
  files (``/etc/passwd``, ``win.ini``);
- 913100 scanner user agents (sqlmap, nikto, nuclei, ...), and CrowdSec's ``http-sensitive-files`` idea:
  requests for ``.env``, ``.git/``, ``wp-login.php`` and the like.

Chinese text never matters to these rules: libinjection tokenizes bytes outside ASCII as plain words, and
every own rule needs ASCII markup or SQL/HTML syntax around it (see tests/test_detect.py's corpus).
"""

import re
from dataclasses import dataclass
from urllib.parse import unquote, unquote_plus

import libinjection

THRESHOLD = 5
CRITICAL, ERROR, WARNING, NOTICE = 5, 4, 3, 2

#: The categories a request can count as (each feeds the scenario of the same name).
SQLI, XSS, TRAVERSAL, SCANNER, PROBE = "sqli", "xss", "traversal", "scanner", "probe"

#: Values longer than this are cut before inspection (an attack needs no more; a long text costs time).
MAX_VALUE = 4096

_XSS_RULES = (
    (re.compile(r"<\s*script\b|<\s*/\s*script\s*>", re.I), CRITICAL, "script element"),
    (re.compile(r"<[a-z][^>]*?[\s/\"']on[a-z]{3,20}\s*=", re.I), CRITICAL, "event handler attribute"),
    (re.compile(r"(?:^|[\s\"'=(<])(?:java|vb)script\s*:", re.I), CRITICAL, "script URI"),
    (re.compile(r"<\s*(?:iframe|object|embed|svg|math|base|meta)\b", re.I), WARNING, "active element"),
    (re.compile(r"\bsrcdoc\s*=|\bformaction\s*=|expression\s*\(", re.I), WARNING, "script-bearing attribute"),
)
_TRAVERSAL_RULES = (
    (re.compile(r"(?:^|[/\\])\.\.[/\\]"), CRITICAL, "parent directory"),
    (re.compile(r"%(?:25)?2e(?:%(?:25)?2e|\.)|\.%(?:25)?2e|%c0%ae|%e0%80%ae|%u002e|\.\.%(?:25)?(?:c0%af|c1%9c|5c|2f)",
                re.I), CRITICAL, "encoded parent directory"),
    (re.compile(r"(?:^|[/\\])etc[/\\](?:passwd|shadow|hosts|issue)\b|/proc/self/|\bwin\.ini\b|\bboot\.ini\b|"
                r"\\windows\\system32|^file:/", re.I), CRITICAL, "operating-system file"),
    (re.compile(r"%00|\x00"), ERROR, "null byte"),
)
_PROBE_PATH = re.compile(
    r"(?:^|/)(?:\.env(?:\.\w+)?|\.git/|\.svn/|\.hg/|\.ds_store|\.htpasswd|\.htaccess|wp-login\.php|"
    r"wp-admin/|xmlrpc\.php|phpmyadmin/?|pma/|adminer\.php|phpinfo\.php|server-status|actuator/|"
    r"cgi-bin/|\.aws/credentials|id_rsa|web\.config|backup\.(?:zip|tar\.gz|sql)|dump\.sql|"
    r"vendor/phpunit|solr/admin|manager/html|jmx-console|console/login)", re.I)
#: Substrings of the user agents of scanners and attack tools (lower case).
SCANNER_AGENTS = (
    "sqlmap", "nikto", "nmap", "masscan", "zgrab", "nuclei", "dirbuster", "gobuster", "feroxbuster", "ffuf",
    "wfuzz", "wpscan", "acunetix", "netsparker", "appscan", "nessus", "openvas", "w3af", "havij", "whatweb",
    "arachni", "skipfish", "jaeles", "xray", "goby", "burpcollaborator", "commix", "zmeu", "morfeus",
    "webinspect", "paros", "hydra", "dirsearch", "httpx - open-source", "censysinspect", "fuzz faster u fool",
)


@dataclass
class Finding:
    category: str
    score: int
    rules: list
    #: The value (or the header/path) that matched, as given; the caller redacts before storing.
    where: str
    sample: str


def _decoded(value: str) -> str:
    """The value as the application sees it: URL-decoded (plus as space) up to twice."""
    once = unquote_plus(value) if "%" in value or "+" in value else value
    return unquote(once) if "%" in once else once


def sqli(value: str) -> bool:
    return bool(libinjection.is_sql_injection(value)["is_sqli"])


def xss_rules(value: str) -> tuple[int, list]:
    score, names = 0, []
    if libinjection.is_xss(value)["is_xss"]:
        score, names = CRITICAL, ["libinjection"]
    for pattern, severity, name in _XSS_RULES:
        if pattern.search(value):
            score += severity
            names.append(name)
    return score, names


def traversal_rules(value: str) -> tuple[int, list]:
    score, names = 0, []
    for pattern, severity, name in _TRAVERSAL_RULES:
        if pattern.search(value):
            score += severity
            names.append(name)
    return score, names


def _ascii_markup(value: str) -> tuple[bool, bool, bool]:
    """Cheap pre-checks: could the value hold SQL, markup or a path at all?"""
    sql = any(c in value for c in "'\"`;=()#-*/") or " " in value
    html = "<" in value or ":" in value or "=" in value or "(" in value
    path = "." in value or "/" in value or "\\" in value or "\x00" in value
    return sql, html, path


def inspect_value(value: str, where: str) -> list[Finding]:
    """Findings for one user-supplied value (a query or form value, a path segment)."""
    if not value:
        return []
    raw = value[:MAX_VALUE]
    value = _decoded(raw)
    if value.isalnum():  # a plain word or number (any script): nothing to inspect
        return []
    out = []
    sql, html, path = _ascii_markup(value)
    if sql and sqli(value):
        out.append(Finding(SQLI, CRITICAL, ["libinjection"], where, value))
    if html:
        score, rules = xss_rules(value)
        if score >= THRESHOLD:
            out.append(Finding(XSS, score, rules, where, value))
    if path or "%" in raw:
        score, rules = traversal_rules(value)
        if score < THRESHOLD and raw != value:  # overlong and double encodings are seen before decoding
            score, rules = traversal_rules(raw)
        if score >= THRESHOLD:
            out.append(Finding(TRAVERSAL, score, rules, where, value))
    return out


def inspect_path(path: str) -> list[Finding]:
    """Findings for the request path: traversal, and probes for files no county site serves."""
    out = []
    raw = path[:MAX_VALUE]
    score, rules = traversal_rules(raw)
    decoded = _decoded(raw)
    if decoded != raw:
        more, more_rules = traversal_rules(decoded)
        score, rules = max(score, more), rules or more_rules
    if score >= THRESHOLD:
        out.append(Finding(TRAVERSAL, score, rules, "path", raw))
    if _PROBE_PATH.search(decoded):
        out.append(Finding(PROBE, CRITICAL, ["sensitive file"], "path", raw))
    return out


_AGENTS = re.compile("|".join(re.escape(a) for a in SCANNER_AGENTS), re.I)


def inspect_agent(agent: str) -> list[Finding]:
    match = _AGENTS.search(agent) if agent else None
    if match is None:
        return []
    return [Finding(SCANNER, CRITICAL, [match.group(0).lower()], "user-agent", agent[:300])]


def inspect(path: str, values, agent: str = "") -> list[Finding]:
    """Every finding of one request: its path, its values (``(name, value)`` pairs) and its user agent."""
    out = inspect_path(path) + inspect_agent(agent)
    for name, value in values:
        if isinstance(value, str):
            out.extend(inspect_value(value, name))
    return out
