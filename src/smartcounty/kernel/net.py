"""The client's network address, behind a reverse proxy or not (audit log, sign-in lock-out).

The address is the peer's (REMOTE_ADDR). Behind a reverse proxy every peer is the proxy, so list
it in ``SMARTCOUNTY_TRUSTED_PROXIES`` (IP addresses or networks): only when the peer is one of
those is ``X-Forwarded-For`` read, from the right, skipping trusted proxies; the first other entry
is the client (entries further left were written by the client and may be forged). From any other
peer the header is ignored, so it cannot be used to forge an audited address or dodge a lock-out.
A setting that is not an address or network raises ``ImproperlyConfigured``.
"""

import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _ip(text: str):
    """An address from REMOTE_ADDR or one X-Forwarded-For entry; None when it is not one.
    An IPv4-mapped IPv6 address is taken as its IPv4 address."""
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6] or [v6]:port
        text = text[1:text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":")[0]
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    return getattr(ip, "ipv4_mapped", None) or ip


def trusted_proxies() -> list:
    """``SMARTCOUNTY_TRUSTED_PROXIES`` as networks (a single address is a /32 or /128)."""
    networks = []
    for entry in getattr(settings, "SMARTCOUNTY_TRUSTED_PROXIES", ()) or ():
        try:
            networks.append(ipaddress.ip_network(str(entry).strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(f"SMARTCOUNTY_TRUSTED_PROXIES: {entry!r} is not an IP address or network") from None
    return networks


def is_trusted_proxy(remote_addr: str | None) -> bool:
    """Whether the peer ``remote_addr`` is one of ``SMARTCOUNTY_TRUSTED_PROXIES``."""
    peer = _ip(remote_addr or "")
    return peer is not None and any(peer.version == net.version and peer in net for net in trusted_proxies())


def client_address(remote_addr: str | None, forwarded_for: str | None = None) -> str | None:
    """The client's address: ``remote_addr``, unless it is a trusted proxy; then the right-most
    ``forwarded_for`` entry that is not a trusted proxy (an unreadable entry stops the walk at the
    proxy that passed it on; a chain of trusted proxies only gives its left-most one)."""
    peer = _ip(remote_addr or "")
    if peer is None:
        return remote_addr or None
    proxies = trusted_proxies()

    def trusted(ip) -> bool:
        return any(ip.version == net.version and ip in net for net in proxies)

    if not (forwarded_for and trusted(peer)):
        return remote_addr  # the peer is the client
    client = peer
    for entry in reversed(forwarded_for.split(",")):
        ip = _ip(entry)
        if ip is None:
            break
        client = ip
        if not trusted(ip):
            break
    return str(client)


def request_address(request) -> str | None:
    """``client_address`` of a Django request (None without one)."""
    if request is None:
        return None
    return client_address(request.META.get("REMOTE_ADDR"), request.META.get("HTTP_X_FORWARDED_FOR"))


def untrusted_forwarded_for(request) -> str | None:
    """The address that ``X-Forwarded-For`` names (its right-most entry) when the peer is NOT a trusted
    proxy, else None. It may be forged, so it is never the client's identity (audit, ``request_address``);
    the sign-in delays use it only to narrow a per-peer count, so that many people behind one proxy that
    nobody configured are not all slowed down by one of them (the peer keeps a looser count of its own)."""
    if request is None:
        return None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR") or ""
    peer = request.META.get("REMOTE_ADDR")
    if not forwarded or request_address(request) != peer:
        return None
    ip = _ip(forwarded.split(",")[-1])
    return str(ip) if ip is not None else None


def safe_link(url) -> str:
    """``url`` if a page may put it in an ``href``: a same-site path (``/…``, not ``//host``) or an
    absolute http(s) URL; otherwise ''. Links that come from data (panels, feeds, imported records)
    pass through this, so a stored ``javascript:`` or ``data:`` link is never rendered clickable."""
    text = str(url or "").strip()
    if not text or any(ord(c) < 0x20 for c in text):
        return ""
    if text.startswith("/"):
        return text if not text.startswith(("//", "/\\")) else ""
    scheme, sep, rest = text.partition(":")
    if sep and scheme.lower() in ("http", "https") and rest.startswith("//") and len(rest) > 2:
        return text
    return ""
