"""The security middleware (placed by the settings right after the kernel's first two, before static files
and sessions): refuses a blocked client at once, and after every answer writes the access-log record and
feeds the watcher; an overflow becomes a security event, an alert and (unless turned off) a block.

It never breaks a request: anything that fails in it is logged (at most once a minute) and the request goes on
as if the middleware were not there. Request bodies are inspected only when the view already read them (a form
or a JSON body up to ``MAX_BODY`` bytes); they are never logged.
"""

import logging
import time

import orjson
from django.conf import settings
from django.http import HttpResponse
from django.utils.functional import empty
from django.utils.html import escape
from django.utils.translation import gettext as _

from smartcounty.domains.security import accesslog, blocklist, watch
from smartcounty.kernel import net
from smartcounty.kernel.logs import request_id
from smartcounty.kernel.problems import problem

log = logging.getLogger("smartcounty.security")
MAX_BODY = 64 * 1024
MAX_BODY_VALUES = 200
SIGNIN_VIEWS = ("accounts:login", "accounts:verify")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_last_error = [0.0]


def _complain(what: str) -> None:
    now = time.monotonic()
    if now - _last_error[0] > 60:
        _last_error[0] = now
        log.exception("security middleware: %s failed (the request went on)", what)


def _walk(value, out: list, prefix: str = "") -> None:
    if len(out) >= MAX_BODY_VALUES:
        return
    if isinstance(value, str):
        out.append((prefix or "body", value))
    elif isinstance(value, dict):
        for k, v in value.items():
            _walk(v, out, str(k))
    elif isinstance(value, list):
        for v in value:
            _walk(v, out, prefix)


def body_values(request) -> list:
    """(name, value) pairs of a body the view already read: form fields, or the strings of a JSON body."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return []
    kind = request.META.get("CONTENT_TYPE", "")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY:  # an upload: its form values are not worth parsing it a second time
        return []
    if kind.startswith(_FORM_TYPES):
        try:
            return [(k, v) for k, v in list(request.POST.items())[:MAX_BODY_VALUES]]
        except Exception:  # the view read the stream itself, or the body is malformed: nothing to inspect
            return []
    if "json" in kind:
        try:
            raw = request.body
        except Exception:  # the view read the stream itself: nothing kept to inspect
            return []
        if not raw:
            return []
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return []
        out: list = []
        _walk(data, out)
        return out
    return []


def failed_signin(request, response) -> str | None:
    """The user name of a failed sign-in ('' for a refused API credential), else None."""
    if getattr(request, "_smartcounty_auth_failed", False):  # kernel.ratelimit.auth_failed marks it
        return ""
    if request.method != "POST" or response.status_code not in (200, 401, 429):
        return None
    match = getattr(request, "resolver_match", None)
    if match is None or match.view_name not in SIGNIN_VIEWS:
        return None
    return request.POST.get("username", "") or ""


def refusal(request, until: float):
    seconds = max(1, int(until - time.time() + 0.999))
    detail = _("This address is blocked for a while after attacks were detected from it; try again in %(minutes)s "
               "minutes.") % {"minutes": max(1, (seconds + 59) // 60)}
    if request.path.startswith("/api/"):
        return problem(request, 403, "forbidden", detail, headers={"Retry-After": str(seconds)})
    title = escape(_("Access temporarily refused"))
    body = (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" '
            f'content="width=device-width"><title>{title}</title></head><body><h1>{title}</h1>'
            f"<p>{escape(detail)}</p></body></html>")
    response = HttpResponse(body, status=403, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(seconds)
    return response


def _user_id(request):
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:  # a lazy user nobody looked at: not read here
        return None
    return user.pk if getattr(user, "is_authenticated", False) else None


class Middleware:
    def __init__(self, get_response):
        self.get_response = get_response
        accesslog.configure()

    def __call__(self, request):
        started = time.perf_counter()
        ip = until = None
        try:
            ip = net.request_address(request) or ""
            until = blocklist.blocked_until(ip) if ip else None
        except Exception:
            _complain("the block-list check")
        if until:
            response = refusal(request, until)
            self._after(request, response, started, ip, blocked=True)
            return response
        response = self.get_response(request)
        self._after(request, response, started, ip)
        return response

    def _after(self, request, response, started, ip, blocked=False):
        try:
            pairs = accesslog.query_pairs(request.META.get("QUERY_STRING", ""))
            rec = accesslog.record(
                t=time.time(), rid=request_id.get(), ip=ip or "", method=request.method or "",
                path=request.path, pairs=pairs, status=response.status_code,
                ms=(time.perf_counter() - started) * 1000.0, agent=request.META.get("HTTP_USER_AGENT", ""),
                ref=request.META.get("HTTP_REFERER", ""), user_id=_user_id(request), blocked=blocked)
            accesslog.write(rec)
            if blocked or not ip or not getattr(settings, "SMARTCOUNTY_SECURITY_DETECT", True):
                return
            overflows = watch.watcher.observe(
                ip=ip, method=rec["m"], path=request.path, pairs=pairs + body_values(request),
                agent=rec["ua"], status=response.status_code, failed_signin=failed_signin(request, response),
                t=rec["t"])
        except Exception:
            _complain("inspecting the request")
            return
        for overflow in overflows:
            try:
                from smartcounty.domains.security import services

                services.record_overflow(overflow)
            except Exception:
                _complain("recording a security event")
