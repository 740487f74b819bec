"""Reading a site's TLS certificate through the outbound guard (``kernel.outbound.connect``): the same name and
address checks as every fetch, so a registered site cannot make the platform reach its own loopback, the
metadata service or the internal network unless ``SMARTCOUNTY_OUTBOUND_ALLOW`` names it.

The certificate is read over a handshake that accepts any certificate (an expired or self-signed one must still
be reported), then checked over a second handshake with verification (system trust store, plus
``SMARTCOUNTY_SECURITY_CA_FILE`` when set) and the host name. Parsing is the ``cryptography`` package's.
"""

import hashlib
import ssl
from dataclasses import dataclass, field
from datetime import datetime

from cryptography import x509
from cryptography.x509.oid import ExtensionOID
from django.conf import settings

from smartcounty.kernel import outbound

#: Days before expiry from which a certificate is warned about (yellow), and urgently (orange).
WARN_DAYS, URGENT_DAYS = 30, 7


@dataclass
class CertInfo:
    subject: str
    issuer: str
    san: list = field(default_factory=list)
    serial: str = ""
    fingerprint: str = ""
    not_before: datetime | None = None
    not_after: datetime | None = None
    verified: bool = False
    verify_error: str = ""
    tls_version: str = ""


def _handshake(host: str, port: int, timeout: float, context: ssl.SSLContext):
    sock = outbound.connect(host, port, timeout=timeout)
    try:
        with context.wrap_socket(sock, server_hostname=host) as tls:
            return tls.getpeercert(binary_form=True), tls.version()
    finally:
        sock.close()


def _lenient() -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def _strict() -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    cafile = getattr(settings, "SMARTCOUNTY_SECURITY_CA_FILE", "")
    if cafile:
        ctx.load_verify_locations(cafile=cafile)
    return ctx


def parse(der: bytes) -> CertInfo:
    cert = x509.load_der_x509_certificate(der)
    try:
        ext = cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value
        san = [f"DNS:{n}" for n in ext.get_values_for_type(x509.DNSName)] + \
              [f"IP:{a}" for a in ext.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        san = []
    return CertInfo(subject=cert.subject.rfc4514_string()[:500], issuer=cert.issuer.rfc4514_string()[:500],
                    san=san[:100], serial=format(cert.serial_number, "x")[:80],
                    fingerprint=hashlib.sha256(der).hexdigest(), not_before=cert.not_valid_before_utc,
                    not_after=cert.not_valid_after_utc)


def read(host: str, port: int = 443, *, timeout: float = 10.0) -> CertInfo:
    """The certificate ``host``:``port`` presents, and whether it is trusted for that name. Raises
    ``outbound.OutboundError`` when the address is refused or nothing TLS answers."""
    try:
        der, version = _handshake(host, port, timeout, _lenient())
    except outbound.OutboundError:
        raise
    except (OSError, ssl.SSLError) as exc:
        raise outbound.OutboundError(str(exc) or exc.__class__.__name__) from None
    if not der:
        raise outbound.OutboundError("no certificate")
    info = parse(der)
    info.tls_version = version or ""
    try:
        _handshake(host, port, timeout, _strict())
        info.verified = True
    except ssl.SSLCertVerificationError as exc:
        info.verify_error = (exc.verify_message or str(exc))[:300]
    except (OSError, ssl.SSLError, outbound.OutboundError) as exc:
        info.verify_error = (str(exc) or exc.__class__.__name__)[:300]
    return info


def level(not_after: datetime | None, now: datetime) -> int:
    """Alert level of a certificate: 0 fine, 2 within 30 days, 3 within 7 days, 4 expired."""
    if not_after is None:
        return 0
    days = (not_after - now).total_seconds() / 86400
    if days < 0:
        return 4
    if days <= URGENT_DAYS:
        return 3
    if days <= WARN_DAYS:
        return 2
    return 0
