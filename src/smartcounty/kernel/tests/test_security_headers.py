"""Content-Security-Policy on every page, HTTPS settings (``check --deploy``), X-Forwarded-Proto from proxies only."""

import os
import re
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings

PAGES = ["/", "/places/", "/cockpit/", "/alerts/", "/sensing/", "/environment/", "/citymgmt/performance/",
         "/catalog/", "/accounts/login/"]
SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)
HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def _nonce(policy: str) -> str | None:
    found = re.search(r"script-src [^;]*'nonce-([^']+)'", policy)
    return found.group(1) if found else None


@pytest.fixture
def platform(db):
    return get_user_model().objects.create_user("root-csp", password=None, role="platform_admin", kind="staff",
                                                is_staff=True)


@pytest.mark.parametrize("signed_in", [False, True])
def test_every_page_sends_a_csp_its_inline_scripts_satisfy(signed_in, platform):
    client = Client()
    if signed_in:
        client.force_login(platform)
    seen = 0
    for url in PAGES:
        response = client.get(url, follow=True)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        seen += 1
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
        assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
        html = response.content.decode()
        assert not HANDLER.search(html), f"{url}: an inline event handler"
        nonce = _nonce(policy)
        for attrs in SCRIPT.findall(html):
            if "src=" in attrs or 'type="application/json"' in attrs:
                continue
            assert nonce and f'nonce="{nonce}"' in attrs, f"{url}: an inline script without the request's nonce"
    assert seen >= 5


DEPLOY_WARNINGS = ("security.W004", "security.W008", "security.W012", "security.W016")


def _check_deploy(tmp_path, **env) -> str:
    environ = {**os.environ, "SMARTCOUNTY_DATA_DIR": str(tmp_path), "SMARTCOUNTY_SECRET_KEY": "k" * 60, **env}
    environ.pop("DJANGO_SETTINGS_MODULE", None)
    out = subprocess.run([sys.executable, "-m", "smartcounty.cli", "check", "--deploy"], env=environ,
                         capture_output=True, text=True, timeout=120)
    return out.stdout + out.stderr


def test_https_setting_clears_the_deploy_warnings(tmp_path):
    plain = _check_deploy(tmp_path)
    assert all(w in plain for w in DEPLOY_WARNINGS), plain
    https = _check_deploy(tmp_path, SMARTCOUNTY_HTTPS="1")
    assert not [w for w in DEPLOY_WARNINGS if w in https], https


@override_settings(SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
                   SMARTCOUNTY_TRUSTED_PROXIES=["10.0.0.7"])
def test_forwarded_proto_counts_from_a_trusted_proxy_only(db):
    client = Client()
    direct = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="192.0.2.9")
    assert direct.status_code == 301 and direct["Location"].startswith("https://")
    proxied = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="10.0.0.7")
    assert proxied.status_code == 200
