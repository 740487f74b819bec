"""The access log holds no secrets and no personal data in clear, and reads back what it wrote."""

import json

import pytest

from smartcounty.domains.security import accesslog

from .conftest import ATTACKER, client


def test_sensitive_query_values_are_redacted():
    pairs = accesslog.query_pairs("password=hunter2-secret&access_token=abc.def&code=oauth-code&page=2"
                                  "&api_key=k1&csrfmiddlewaretoken=x&sessionid=s&q=%E5%86%A0%E5%8E%BF")
    out = dict(map(tuple, accesslog.redact_pairs(pairs)))
    assert out == {"password": "[redacted]", "access_token": "[redacted]", "code": "[redacted]", "page": "2",
                   "api_key": "[redacted]", "csrfmiddlewaretoken": "[redacted]", "sessionid": "[redacted]", "q": "冠县"}


def test_phone_and_id_numbers_are_masked_everywhere():
    assert accesslog.mask_text("/residents/13900001234/") == "/residents/139****1234/"
    assert accesslog.mask_text("身份证371525199001011234，电话13900001234") == "身份证371***********1234，电话139****1234"
    assert accesslog.mask_text("order 201391234567890 and 2026-12-04") == "order 201391234567890 and 2026-12-04"
    rec = accesslog.record(t=1.0, rid="r", ip="203.0.113.9", method="GET", path="/p/13900001234",
                           pairs=[("phone", "13900001234"), ("id", "371525199001011234")], status=200, ms=1.0,
                           agent="UA", ref="https://x.example/a/13900001234?token=t", user_id=7)
    text = accesslog.dumps(rec)
    assert "13900001234" not in text and "371525199001011234" not in text and "token=t" not in text
    assert accesslog.parse_line(text) == rec
    assert accesslog.parse_line("not json") is None and accesslog.parse_line('{"x": 1}') is None


@pytest.mark.django_db
def test_the_middleware_writes_one_line_per_request_without_secrets(people, tmp_path, settings):
    from smartcounty.domains.security import middleware

    path = tmp_path / "access.log"
    log = accesslog.log
    handler = __import__("logging").FileHandler(path, encoding="utf-8")
    log.addHandler(handler)
    old_level, old_propagate = log.level, log.propagate
    log.setLevel("INFO")
    try:
        c = client(people.officer, HTTP_AUTHORIZATION="Bearer sc_abc_secret", HTTP_USER_AGENT="测试浏览器")
        c.get("/portal/", {"q": "冠县", "token": "tok-123", "phone": "13900001234"})
        c.post("/healthz", {"password": "pw-secret-1", "title": "t"})
    finally:
        log.removeHandler(handler)
        handler.close()
        log.setLevel(old_level)
        log.propagate = old_propagate
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    text = "\n".join(lines)
    for secret in ("sc_abc_secret", "tok-123", "pw-secret-1", "13900001234", "sessionid", "Bearer"):
        assert secret not in text, secret
    first = json.loads(lines[0])
    assert first["ip"] == ATTACKER and first["m"] == "GET" and first["p"] == "/portal/" and first["s"] == 200
    assert ["token", "[redacted]"] in first["q"] and ["phone", "139****1234"] in first["q"]
    assert first["u"] == people.officer.pk and first["ua"] == "测试浏览器" and middleware.MAX_BODY
