"""The guarded outbound client against listeners these tests start on 127.0.0.1 and ::1 (free ports)."""

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from smartcounty.kernel import outbound


class _V6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


class Listener:
    """An HTTP server on a loopback address; ``route`` maps a path to (status, headers, body)."""

    def __init__(self, host="127.0.0.1"):
        self.requests = []
        self.routes = {}
        self.stop = threading.Event()
        listener = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                listener.requests.append((self.command, self.path, dict(self.headers), body))
                route = listener.routes.get(self.path, (200, {}, b"ok"))
                if callable(route):
                    route(self)
                    return
                status, headers, content = route
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = _serve  # noqa: N815

            def log_message(self, *args):
                pass

        server_class = _V6Server if ":" in host else ThreadingHTTPServer
        self.server = server_class((host, 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base = f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.fixture
def listen():
    made = []

    def make(host="127.0.0.1"):
        if ":" in host and not _ipv6_loopback():
            pytest.skip("this machine has no IPv6 loopback")
        made.append(Listener(host))
        return made[-1]

    yield make
    for lst in made:
        lst.close()


@pytest.fixture
def allow(settings):
    def set_(*items):
        settings.SMARTCOUNTY_OUTBOUND_ALLOW = list(items)

    set_()
    return set_


def refused(url, **kw):
    with pytest.raises(outbound.OutboundError) as info:
        outbound.get(url, **kw)
    assert info.value.code == "refused", info.value
    with pytest.raises(outbound.OutboundError):
        outbound.validate(url)
    return info.value


def test_loopback_v4_v6_and_localhost_are_refused_and_never_reached(listen, allow):
    v4 = listen()
    refused(f"{v4.base}/data.csv")
    refused(f"http://localhost:{v4.port}/data.csv")  # a name that resolves to loopback
    refused(f"http://[::ffff:127.0.0.1]:{v4.port}/")  # IPv4-mapped loopback
    refused(f"http://0.0.0.0:{v4.port}/")
    assert v4.requests == []
    v6 = listen("::1")
    refused(f"{v6.base}/data.csv")
    assert v6.requests == []


@pytest.mark.parametrize("url", [
    "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/", "http://10.0.0.8/", "http://172.16.3.4/",
    "http://192.168.1.1/", "http://100.64.0.1/", "http://[fc00::1]/", "http://224.0.0.1/", "http://240.0.0.1/",
    "http://[2002:7f00:1::]/", "http://[64:ff9b::a9fe:a9fe]/", "http://metadata.google.internal/",
    "http://x.localhost/", "file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1/", "http://user:pw@8.8.8.8/",
    "http:///nohost",
])
def test_internal_addresses_and_other_schemes_are_refused(url, allow):
    err = refused(url)
    assert str(err)


def test_a_host_name_resolving_to_an_internal_address_is_refused_at_connect_time(allow):
    name = socket.gethostname()
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(name, 80, type=socket.SOCK_STREAM)}
    except OSError:
        pytest.skip("this machine's own name does not resolve")
    if all(outbound.address_permitted(a) for a in addresses):
        pytest.skip("this machine's own name resolves to a public address")
    with pytest.raises(outbound.OutboundError, match="SMARTCOUNTY_OUTBOUND_ALLOW") as info:
        outbound.get(f"http://{name}:9/")
    assert info.value.code == "refused"


def test_the_allow_list_lets_the_countys_own_source_through(listen, allow):
    src = listen()
    src.routes["/aqi.csv"] = (200, {"Content-Type": "text/csv"}, "站,值\n冠县,56\n".encode())
    allow("127.0.0.1")
    resp = outbound.get(f"{src.base}/aqi.csv")
    assert (resp.status, resp.content_type(), resp.body.decode()) == (200, "text/csv", "站,值\n冠县,56\n")
    outbound.validate(f"{src.base}/aqi.csv")
    allow("127.0.0.0/8")
    assert outbound.get(f"{src.base}/aqi.csv").status == 200
    allow("localhost")
    assert outbound.get(f"http://localhost:{src.port}/aqi.csv").body.startswith("站".encode())
    assert len(src.requests) == 3


def test_a_redirect_from_an_allowed_host_to_loopback_is_refused(listen, allow):
    src, inner = listen(), listen()
    allow("localhost")  # the county's source, by name; loopback addresses themselves stay refused
    base = f"http://localhost:{src.port}"
    src.routes["/to-v4"] = (302, {"Location": f"http://127.0.0.1:{inner.port}/secret"}, b"")
    src.routes["/to-mapped"] = (302, {"Location": f"http://[::ffff:7f00:1]:{inner.port}/secret"}, b"")
    src.routes["/to-file"] = (302, {"Location": "file:///etc/passwd"}, b"")
    src.routes["/to-metadata"] = (307, {"Location": "http://169.254.169.254/latest/meta-data/"}, b"")
    assert outbound.get(f"{base}/fine").body == b"ok"
    for path in ("/to-v4", "/to-mapped", "/to-file", "/to-metadata"):
        with pytest.raises(outbound.OutboundError) as info:
            outbound.get(f"{base}{path}")
        assert info.value.code == "refused"
    assert inner.requests == []
    if _ipv6_loopback():
        v6 = listen("::1")
        src.routes["/to-v6"] = (301, {"Location": f"{v6.base}/secret"}, b"")
        with pytest.raises(outbound.OutboundError, match="SMARTCOUNTY_OUTBOUND_ALLOW"):
            outbound.get(f"{base}/to-v6")
        assert v6.requests == []


def test_redirects_are_followed_within_bounds_and_signatures_stay_with_their_origin(listen, allow):
    src, other = listen(), listen()
    allow("127.0.0.1")
    src.routes["/hop"] = (302, {"Location": "/final"}, b"")
    src.routes["/final"] = (200, {}, b"final")
    assert outbound.get(f"{src.base}/hop").body == b"final"
    src.routes["/away"] = (307, {"Location": f"{other.base}/in"}, b"")
    resp = outbound.request("POST", f"{src.base}/away", body=b"{}", sensitive=("X-Signature",),
                            headers={"X-Signature": "sha256=abc", "Authorization": "Bearer t", "X-Other": "1"})
    assert resp.status == 200
    method, path, headers, body = other.requests[0]
    assert (method, path, body) == ("POST", "/in", b"{}")
    assert "X-Signature" not in headers and "Authorization" not in headers and headers["X-Other"] == "1"
    assert src.requests[-1][2]["X-Signature"] == "sha256=abc"
    src.routes["/loop"] = (302, {"Location": "/loop"}, b"")
    with pytest.raises(outbound.OutboundError) as info:
        outbound.get(f"{src.base}/loop")
    assert (info.value.code, info.value.status) == ("http", 302)


def test_size_limit_with_and_without_content_length(listen, allow):
    src = listen()
    allow("127.0.0.1")
    src.routes["/big"] = (200, {}, b"x" * 5000)

    def chunked(handler):
        handler.send_response(200)
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        for _ in range(10):
            handler.wfile.write(b"3e8\r\n" + b"y" * 1000 + b"\r\n")
        handler.wfile.write(b"0\r\n\r\n")

    src.routes["/chunked"] = chunked
    for path in ("/big", "/chunked"):
        with pytest.raises(outbound.OutboundError) as info:
            outbound.get(f"{src.base}{path}", max_bytes=4096)
        assert info.value.code == "too-large"
    assert len(outbound.get(f"{src.base}/chunked", max_bytes=10_000).body) == 10_000


def test_time_limit_covers_a_silent_and_a_trickling_server(listen, allow):
    src = listen()
    allow("127.0.0.1")

    def silent(handler):
        src.stop.wait(10)

    def trickle(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", "100")
        handler.end_headers()
        for _ in range(100):
            if src.stop.wait(0.05):
                return
            handler.wfile.write(b"z")
            handler.wfile.flush()

    src.routes["/silent"] = silent
    src.routes["/trickle"] = trickle
    for path in ("/silent", "/trickle"):
        with pytest.raises(outbound.OutboundError) as info:
            outbound.get(f"{src.base}{path}", timeout=0.5)
        assert info.value.code == "timeout"


def test_http_errors_carry_their_status(listen, allow):
    src = listen()
    allow("127.0.0.1")
    src.routes["/gone"] = (404, {}, b"no")
    with pytest.raises(outbound.OutboundError) as info:
        outbound.get(f"{src.base}/gone")
    assert (info.value.code, info.value.status) == ("http", 404)
