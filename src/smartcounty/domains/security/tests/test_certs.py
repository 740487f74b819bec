"""The certificate reader against TLS servers these tests start on 127.0.0.1 with certificates they make:
subject, issuer, SAN and dates read; trust decided by the county CA when configured; the outbound guard refuses
loopback unless ``SMARTCOUNTY_OUTBOUND_ALLOW`` lists it (a site record must not become an SSRF); expiry warnings
at 30 and 7 days become alerts and end when the certificate is renewed."""

from datetime import UTC, datetime, timedelta

import pytest

from smartcounty.domains.security import certs, services
from smartcounty.domains.security.models import Site
from smartcounty.domains.security.schemas import SiteIn
from smartcounty.foundation.alerts import services as alerts
from smartcounty.kernel import outbound
from smartcounty.kernel.problems import ApiError

from .tlsserver import TLSServer, make_ca, make_leaf, write_pem


@pytest.fixture
def ca(tmp_path):
    key, cert = make_ca()
    ca_file, _k = write_pem(tmp_path, "ca", key, cert)
    return (key, cert), ca_file


@pytest.fixture
def serve(tmp_path):
    servers = []

    def start(key, cert, name="leaf"):
        server = TLSServer(*write_pem(tmp_path, name, key, cert))
        servers.append(server)
        return server

    yield start
    for s in servers:
        s.close()


@pytest.fixture
def loopback_allowed(settings):
    settings.SMARTCOUNTY_OUTBOUND_ALLOW = ["127.0.0.1"]
    return settings


def test_reads_a_certificate_signed_by_the_county_ca(ca, serve, loopback_allowed):
    pair, ca_file = ca
    loopback_allowed.SMARTCOUNTY_SECURITY_CA_FILE = str(ca_file)
    key, cert = make_leaf(pair, days=90, cn="www.guanxian.test", names=("www.guanxian.test", "localhost"))
    server = serve(key, cert)
    info = certs.read("127.0.0.1", server.port, timeout=5)
    assert info.subject == "CN=www.guanxian.test,O=冠县测试,C=CN" and info.issuer == "CN=Test County CA,O=冠县测试,C=CN"
    assert info.san == ["DNS:www.guanxian.test", "DNS:localhost", "IP:127.0.0.1"]
    assert info.not_after == cert.not_valid_after_utc and info.fingerprint and info.serial
    assert info.verified and info.verify_error == "" and info.tls_version.startswith("TLSv1.")


def test_a_self_signed_certificate_is_read_but_not_trusted(serve, loopback_allowed):
    key, cert = make_leaf(None, days=30)
    server = serve(key, cert)
    info = certs.read("127.0.0.1", server.port, timeout=5)
    assert info.subject == info.issuer and not info.verified and "self-signed" in info.verify_error


def test_an_expired_certificate_is_read(ca, serve, loopback_allowed):
    pair, ca_file = ca
    loopback_allowed.SMARTCOUNTY_SECURITY_CA_FILE = str(ca_file)
    key, cert = make_leaf(pair, days=0, expired=True)
    info = certs.read("127.0.0.1", serve(key, cert).port, timeout=5)
    assert info.not_after < datetime.now(UTC) and not info.verified and "expired" in info.verify_error


def test_loopback_is_refused_without_the_allow_list(serve, settings):
    settings.SMARTCOUNTY_OUTBOUND_ALLOW = []
    key, cert = make_leaf(None, days=30)
    server = serve(key, cert)
    for host in ("127.0.0.1", "localhost", "::ffff:127.0.0.1"):
        with pytest.raises(outbound.OutboundError) as info:
            certs.read(host, server.port, timeout=5)
        assert info.value.code == "refused"
    assert server.handshakes == 0


def test_nothing_listening(loopback_allowed):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(outbound.OutboundError):
        certs.read("127.0.0.1", port, timeout=2)


def test_levels():
    now = datetime(2026, 12, 4, tzinfo=UTC)
    assert certs.level(now + timedelta(days=31), now) == 0
    assert certs.level(now + timedelta(days=30), now) == 2
    assert certs.level(now + timedelta(days=7), now) == 3
    assert certs.level(now - timedelta(seconds=1), now) == 4
    assert certs.level(None, now) == 0


@pytest.mark.django_db
def test_checking_a_site_stores_it_and_warns(people, ca, serve, loopback_allowed):
    pair, ca_file = ca
    loopback_allowed.SMARTCOUNTY_SECURITY_CA_FILE = str(ca_file)
    reader = services.reader(people.officer)
    key, cert = make_leaf(pair, days=5, names=("localhost",))
    server = serve(key, cert, "soon")
    site = services.add_site(reader, SiteIn(name="测试网站", host="127.0.0.1", port=server.port,
                                            owner_organisation_id=people.ids["gov-office"]), actor=people.officer)
    out = services.check_site(site.id, timeout=5)
    assert out.state == "urgent" and out.days_left == 4 and out.verified and out.owner == "县政府办公室"
    alert = alerts.find_open_alert("security", f"certificate:{site.id}")
    assert alert is not None and alert.level == 3
    assert services.certificates_valid()["value"] == 100.0
    # renewed: a certificate for a year; the warning ends
    server.close()
    key, cert = make_leaf(pair, days=365)
    renewed = serve(key, cert, "renewed")
    Site.objects.filter(pk=site.id).update(port=renewed.port)
    out = services.check_site(site.id, timeout=5)
    assert out.state == "valid" and alerts.find_open_alert("security", f"certificate:{site.id}") is None


@pytest.mark.django_db
def test_a_site_on_an_internal_address_cannot_be_registered(people, settings):
    settings.SMARTCOUNTY_OUTBOUND_ALLOW = []
    reader = services.reader(people.officer)
    for host in ("127.0.0.1", "localhost", "169.254.169.254", "10.0.0.1", "metadata.google.internal"):
        with pytest.raises(ApiError) as info:
            services.add_site(reader, SiteIn(name="内网", host=host, port=443), actor=people.officer)
        assert info.value.status == 422 and info.value.field == "host"
    assert not Site.objects.exists()


@pytest.mark.django_db
def test_an_unreachable_site_keeps_its_last_certificate(people, loopback_allowed):
    reader = services.reader(people.officer)
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    site = services.add_site(reader, SiteIn(name="停机网站", host="127.0.0.1", port=port), actor=people.officer)
    end = datetime.now(UTC) + timedelta(days=100)
    Site.objects.filter(pk=site.id).update(not_after=end, verified=True, checked_at=datetime.now(UTC))
    out = services.check_site(site.id, timeout=2)
    assert out.error and out.not_after == end
