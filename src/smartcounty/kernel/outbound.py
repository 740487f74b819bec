"""Outbound HTTP: the one guarded client for every request the platform makes to a URL a user gave.

A catalog resource's ``source_url`` and an alert webhook are set by staff; without a guard they
reach the server's own loopback services, the cloud metadata endpoint or the county's internal
network and hand the reply back (SSRF). ``request()`` therefore:

- speaks ``http`` and ``https`` only (no ``file:``, ``ftp:``, no user:password in the URL);
- resolves the host itself and checks every address against loopback, private, link-local,
  shared, multicast and reserved ranges (IPv4-mapped, 6to4, NAT64 and Teredo IPv6 forms are
  unwrapped) at connect time, then checks the address the socket actually connected to;
  DNS that changes between save time and fetch time gains nothing;
- follows a bounded number of redirects, each hop checked the same way; headers named
  ``sensitive`` (signatures, credentials) are never sent to another origin;
- bounds the whole exchange by one deadline and the body by a byte limit;
- never goes through an environment proxy.

``SMARTCOUNTY_OUTBOUND_ALLOW`` lists the county's own internal sources that may be reached all the
same: host names (``data.gov.internal``; ``.gov.internal`` for every name below it), addresses or
networks (``10.20.0.0/16``). ``validate()`` is the save-time check (a clear error before anything
is stored); the connect-time check is the real guard.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

SCHEMES = {"http": 80, "https": 443}
REDIRECTS = {301, 302, 303, 307, 308}
#: Names refused whatever they resolve to (unless allow-listed): local names and cloud metadata services.
BLOCKED_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", "metadata",
                 "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_CREDENTIAL_HEADERS = ("authorization", "cookie", "proxy-authorization")


class OutboundError(Exception):
    """A refused or failed outbound request. ``code``: refused, too-large, timeout, http, network."""

    def __init__(self, message: str, code: str = "network", status: int | None = None):
        super().__init__(message)
        self.code = code
        self.status = status


@dataclass
class Response:
    url: str
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def content_type(self) -> str:
        return self.headers.get_content_type()


# ---- policy ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Allow:
    names: frozenset
    suffixes: tuple
    networks: tuple


_allow_cache: tuple[tuple, _Allow] | None = None


def _allow() -> _Allow:
    global _allow_cache
    raw = getattr(settings, "SMARTCOUNTY_OUTBOUND_ALLOW", ()) or ()
    raw = tuple(raw.split(",") if isinstance(raw, str) else raw)
    cached = _allow_cache
    if cached is not None and cached[0] == raw:
        return cached[1]
    names, suffixes, networks = set(), [], []
    for item in (r.strip().lower() for r in raw):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item.strip("[]"), strict=False))
        except ValueError:
            if item.startswith("."):
                suffixes.append(item)
            elif item.startswith("*."):
                suffixes.append(item[1:])
            else:
                names.add(item.rstrip("."))
    policy = _Allow(frozenset(names), tuple(suffixes), tuple(networks))
    _allow_cache = (raw, policy)
    return policy


def _host_allowed(host: str) -> bool:
    policy = _allow()
    host = host.lower().rstrip(".")
    return host in policy.names or any(host.endswith(s) for s in policy.suffixes)


def _unwrap(ip):
    if ip.version == 6:
        if ip.ipv4_mapped:
            return ip.ipv4_mapped
        if ip.sixtofour:
            return ip.sixtofour
        if ip.teredo:
            return ip.teredo[1]
        if ip in _NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def address_permitted(address: str) -> bool:
    """Whether an outbound connection may go to ``address``: a public unicast address, or one
    inside a network of ``SMARTCOUNTY_OUTBOUND_ALLOW``."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    inner = _unwrap(ip)
    if any(ip in net or inner in net for net in _allow().networks):
        return True
    return all(a.is_global and not a.is_multicast for a in (ip, inner))


def check_url(url: str):
    """Parse ``url`` and refuse what the client never fetches; returns the split URL."""
    try:
        parts = urlsplit(url or "")
        port = parts.port
    except ValueError:
        raise OutboundError(_("%(url)s is not a valid URL") % {"url": url}, "refused") from None
    if parts.scheme.lower() not in SCHEMES:
        raise OutboundError(_("only http and https URLs can be fetched, not %(scheme)s")
                            % {"scheme": parts.scheme or "?"}, "refused")
    if not parts.hostname:
        raise OutboundError(_("the URL has no host"), "refused")
    if parts.username is not None or parts.password is not None:
        raise OutboundError(_("a URL with a user name or password is not fetched"), "refused")
    if port == 0:
        raise OutboundError(_("%(url)s is not a valid URL") % {"url": url}, "refused")
    return parts


def _refused(host: str) -> OutboundError:
    return OutboundError(_("%(host)s is an internal address; list it in SMARTCOUNTY_OUTBOUND_ALLOW if it is "
                           "one of the county's own sources") % {"host": host}, "refused")


def _check_name(host: str) -> bool:
    """True when ``host`` is allow-listed; raises when it is a name that is never fetched."""
    if _host_allowed(host):
        return True
    name = host.lower().rstrip(".")
    if name in BLOCKED_NAMES or name.endswith(".localhost"):
        raise _refused(host)
    return False


def validate(url: str) -> None:
    """Save-time check of a URL to be fetched later: scheme, host name, and (when it resolves now)
    its addresses. A name that does not resolve yet is accepted; every fetch checks again."""
    parts = check_url(url)
    host = parts.hostname
    if _check_name(host):
        return
    try:
        literal = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        literal = None
    if literal is not None:
        if not address_permitted(str(literal)):
            raise _refused(host)
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or SCHEMES[parts.scheme.lower()], type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return
    if any(not address_permitted(info[4][0]) for info in infos):
        raise _refused(host)


# ---- connections ----------------------------------------------------------------------------------


def _guarded_socket(host: str, port: int, timeout: float) -> socket.socket:
    """Resolve ``host``, refuse it when any address is internal (unless allowed), connect, and check the
    peer address of the connected socket."""
    allowed = _check_name(host)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise OutboundError(_("%(host)s cannot be resolved: %(error)s") % {"host": host, "error": exc}) from None
    if not allowed and any(not address_permitted(info[4][0]) for info in infos):
        raise _refused(host)
    error: OSError | None = None
    for family, kind, proto, _name, sockaddr in infos:
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(timeout)
            sock.connect(sockaddr)
            peer = sock.getpeername()[0]
            if not allowed and not address_permitted(peer):
                raise _refused(host)
            return sock
        except OutboundError:
            sock.close()
            raise
        except OSError as exc:
            sock.close()
            error = exc
    raise error or OSError(f"no address for {host}")


def connect(host: str, port: int, *, timeout: float | None = None) -> socket.socket:
    """A TCP connection to ``host``:``port`` through the same guard as ``request`` (names never fetched,
    internal addresses unless allow-listed, the connected peer checked again), for protocols other than
    HTTP spoken over it (e.g. reading a site's TLS certificate). The caller closes it."""
    if not host or not isinstance(port, int) or not 0 < port < 65536:
        raise OutboundError(_("%(url)s is not a valid URL") % {"url": f"{host}:{port}"}, "refused")
    timeout = timeout if timeout is not None else _setting("SMARTCOUNTY_OUTBOUND_TIMEOUT", 30.0)
    try:
        return _guarded_socket(host.strip("[]"), port, timeout)
    except OutboundError:
        raise
    except TimeoutError:
        raise OutboundError(_("the request took longer than its time limit"), "timeout") from None
    except OSError as exc:
        raise OutboundError(str(exc) or exc.__class__.__name__) from None


class _Guarded:
    def _connect_guarded(self, address, timeout=None, source_address=None):
        return _guarded_socket(address[0], address[1], timeout)


class _HTTPConnection(_Guarded, http.client.HTTPConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = self._connect_guarded


class _HTTPSConnection(_Guarded, http.client.HTTPSConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, context=ssl.create_default_context(), **kwargs)
        self._create_connection = self._connect_guarded


def _origin(parts) -> tuple:
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or SCHEMES[scheme]


def _setting(name: str, default):
    return type(default)(getattr(settings, name, default))


def request(method: str, url: str, *, body: bytes | None = None, headers: dict | None = None,
            sensitive: tuple[str, ...] = (), timeout: float | None = None, max_bytes: int | None = None,
            max_redirects: int = 5, read_body: bool = True, keep_method: bool = False) -> Response:
    """Send one request through the guard and return the final response (any status).

    ``timeout`` bounds the whole exchange, redirects included (default ``SMARTCOUNTY_OUTBOUND_TIMEOUT``);
    ``max_bytes`` the body (default ``SMARTCOUNTY_OUTBOUND_MAX_BYTES``). Headers named in ``sensitive``,
    and credentials, are dropped when a redirect leads to another origin. ``keep_method``: a redirect that
    would turn the request into a GET without its body (301/302 after POST, 303) is returned, not followed."""
    timeout = timeout if timeout is not None else _setting("SMARTCOUNTY_OUTBOUND_TIMEOUT", 30.0)
    max_bytes = max_bytes if max_bytes is not None else _setting("SMARTCOUNTY_OUTBOUND_MAX_BYTES", 50 * 1024 * 1024)
    deadline = time.monotonic() + timeout
    headers = dict(headers or {})
    drop = {h.lower() for h in sensitive} | set(_CREDENTIAL_HEADERS)
    parts = check_url(url)
    first_origin = _origin(parts)
    for hop in range(max_redirects + 1):
        response = _exchange(method, parts, body, headers, deadline, max_bytes, read_body)
        location = response.headers.get("Location")
        if response.status not in REDIRECTS or not location or max_redirects == 0:
            return response
        if hop == max_redirects:
            break
        parts = check_url(urljoin(parts.geturl(), location))
        if response.status == 303 or (response.status in (301, 302) and method.upper() == "POST"):
            if keep_method:
                return response
            method, body = "GET", None
            headers = {k: v for k, v in headers.items() if k.lower() not in ("content-type", "content-length")}
        if _origin(parts) != first_origin:
            headers = {k: v for k, v in headers.items() if k.lower() not in drop}
    raise OutboundError(_("too many redirects"), "http", response.status)


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise OutboundError(_("the request took longer than its time limit"), "timeout")
    return left


def _exchange(method, parts, body, headers, deadline, max_bytes, read_body) -> Response:
    scheme = parts.scheme.lower()
    conn_class = _HTTPSConnection if scheme == "https" else _HTTPConnection
    conn = conn_class(parts.hostname, parts.port or SCHEMES[scheme], timeout=_remaining(deadline))
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    resp = None
    try:
        conn.request(method, path, body=body, headers=headers)
        sock = conn.sock  # the response keeps reading from it after http.client lets go of it (Connection: close)
        sock.settimeout(_remaining(deadline))
        resp = conn.getresponse()
        content = b""
        if read_body and resp.status not in REDIRECTS:
            length = resp.getheader("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise _too_large(max_bytes)
            chunks, size = [], 0
            while True:
                sock.settimeout(_remaining(deadline))
                chunk = resp.read1(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise _too_large(max_bytes)
                chunks.append(chunk)
            content = b"".join(chunks)
        return Response(parts.geturl(), resp.status, resp.headers, content)
    except OutboundError:
        raise
    except TimeoutError:
        raise OutboundError(_("the request took longer than its time limit"), "timeout") from None
    except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
        raise OutboundError(str(exc) or exc.__class__.__name__) from None
    finally:
        if resp is not None:
            resp.close()
        conn.close()


def _too_large(max_bytes: int) -> OutboundError:
    return OutboundError(_("the reply is larger than %(limit)s bytes") % {"limit": max_bytes}, "too-large")


def get(url: str, *, timeout: float | None = None, max_bytes: int | None = None,
        headers: dict | None = None) -> Response:
    """GET ``url`` through the guard; a status of 400 or more is an ``OutboundError`` (code ``http``)."""
    response = request("GET", url, headers=headers, timeout=timeout, max_bytes=max_bytes)
    if response.status >= 400:
        raise OutboundError(f"HTTP {response.status}", "http", response.status)
    return response
