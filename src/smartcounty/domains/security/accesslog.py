"""The platform's access log: one structured record per request, written by the security middleware to the
logger ``smartcounty.security.access`` (one JSON object per line) and read back by ``parse_line``.

What a record never holds:

- secrets: no ``Authorization``, ``Cookie`` or ``Set-Cookie`` header, no body; query values of sensitive keys
  (passwords, tokens, codes, keys, signatures, session and CSRF values; ``SENSITIVE_KEYS``) become
  ``[redacted]``;
- personal data in clear: mobile numbers and resident ID numbers anywhere in the path, the query or the
  referrer are masked as on screen (``kernel.masking``: ``139****1234``, ``371***********0034``); the user is
  the account's id, never its name.

Fields: ``t`` (Unix time, seconds), ``rid`` (request id), ``ip``, ``m`` (method), ``p`` (path), ``q`` (query
as ``[[key, value], ...]``), ``s`` (status), ``ms`` (time to answer), ``ua`` (user agent, cut at 300), ``ref``
(referrer without its query), ``u`` (user id or null), ``b`` (blocked: refused by the block list).
"""

import logging
import logging.handlers
import os
import re
from urllib.parse import parse_qsl, urlsplit

import orjson

from smartcounty.kernel import masking

log = logging.getLogger("smartcounty.security.access")

REDACTED = "[redacted]"
SENSITIVE_KEYS = re.compile(
    r"pass(?:word|wd)?|pwd|secret|token|api[_-]?key|apikey|app[_-]?key|^key$|signature|^sig$|session|csrf|"
    r"^code$|auth|otp|sms[_-]?code|verify[_-]?code|captcha|ticket|credential|private", re.I)
_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
                        r"\d{3}[\dXx](?![0-9A-Za-z])")
_ELEVEN_DIGITS = re.compile(r"\d{11}")
MAX_QUERY_PAIRS = 50
MAX_FIELD = 1000


def sensitive(key: str) -> bool:
    return bool(SENSITIVE_KEYS.search(key or ""))


def mask_text(text: str) -> str:
    """``text`` with every mobile number and resident ID number in it masked."""
    if not text or len(text) < 11:
        return text
    if _ELEVEN_DIGITS.search(text):  # both need 11 digits in a row: one cheap look first
        text = _ID_NUMBER.sub(lambda m: masking.mask_id_number(m.group(0)), text)
        text = _PHONE.sub(lambda m: masking.mask_phone(m.group(0)), text)
    return text


def query_pairs(query_string: str) -> list[tuple[str, str]]:
    """The query's (key, value) pairs as given (decoded), at most ``MAX_QUERY_PAIRS``."""
    if not query_string:
        return []
    return parse_qsl(query_string, keep_blank_values=True, max_num_fields=None)[:MAX_QUERY_PAIRS]


def redact_pairs(pairs) -> list[list[str]]:
    return [[mask_text(k[:100]), REDACTED if sensitive(k) else mask_text(v[:MAX_FIELD])] for k, v in pairs]


def referrer(value: str) -> str:
    if not value:
        return ""
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    return mask_text(f"{parts.scheme}://{parts.netloc}{parts.path}"[:MAX_FIELD] if parts.scheme else parts.path)


def record(*, t: float, rid: str, ip: str, method: str, path: str, pairs, status: int, ms: float, agent: str,
           ref: str, user_id, blocked: bool = False) -> dict:
    return {"t": round(t, 3), "rid": rid, "ip": ip, "m": method[:10], "p": mask_text(path[:MAX_FIELD]),
            "q": redact_pairs(pairs), "s": status, "ms": round(ms, 2), "ua": (agent or "")[:300],
            "ref": referrer(ref), "u": user_id, "b": blocked}


def dumps(rec: dict) -> str:
    return orjson.dumps(rec).decode()


def parse_line(line: str | bytes) -> dict | None:
    """One access-log line back into its record (None when the line is not one)."""
    try:
        rec = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    return rec if isinstance(rec, dict) and "p" in rec and "ip" in rec else None


_configured = []


def configure() -> None:
    """Send the access log to ``SMARTCOUNTY_SECURITY_ACCESS_LOG`` (a file, one JSON record a line; reopened when
    logrotate moves it), once per process. Empty: only where the logging configuration sends it."""
    from django.conf import settings

    path = getattr(settings, "SMARTCOUNTY_SECURITY_ACCESS_LOG", "")
    if _configured or not path:
        return
    _configured.append(path)
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    except OSError:
        logging.getLogger("smartcounty.security").warning("access log %s cannot be written", path)
        return
    handler = logging.handlers.WatchedFileHandler(path, encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


def write(rec: dict) -> None:
    if log.isEnabledFor(logging.INFO):
        log.info(dumps(rec))
