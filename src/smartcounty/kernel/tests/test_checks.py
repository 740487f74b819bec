"""``smartcounty check --deploy`` fails on a weak secret key, DEBUG, no public host name or insecure cookies."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

GOOD = {"SECRET_KEY": "q3Jx9-LkP2vN8wZr5Tc7Ym4Hb6Fd1Ga0Se3Ui9Ok2Wl5Qn8Rp", "DEBUG": False,
        "ALLOWED_HOSTS": ["smart.guanxian.gov.cn"], "SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True, "SECURE_HSTS_SECONDS": 31536000}


def deploy_check(settings, tmp_path, **changes):
    settings.DATA_DIR = tmp_path  # no key file here: the key in the settings is checked
    for key, value in {**GOOD, **changes}.items():
        setattr(settings, key, value)
    try:
        call_command("check", deploy=True, tags=["security"])
    except SystemCheckError as e:
        return str(e)
    return ""


def test_good_production_settings_pass(settings, tmp_path):
    assert deploy_check(settings, tmp_path) == ""


@pytest.mark.parametrize("changes, code", [
    ({"SECRET_KEY": "django-insecure-abc"}, "smartcounty.E001"),
    ({"SECRET_KEY": "changeme"}, "smartcounty.E001"),
    ({"SECRET_KEY": "a" * 60}, "smartcounty.E001"),
    ({"DEBUG": True}, "smartcounty.E003"),
    ({"ALLOWED_HOSTS": ["127.0.0.1", "localhost", "testserver"]}, "smartcounty.E004"),
    ({"ALLOWED_HOSTS": ["*"]}, "smartcounty.E004"),
    ({"ALLOWED_HOSTS": []}, "smartcounty.E004"),
    ({"SESSION_COOKIE_SECURE": False}, "smartcounty.E005"),
    ({"CSRF_COOKIE_SECURE": False}, "smartcounty.E005"),
])
def test_each_unsafe_setting_fails_the_deploy_check(settings, tmp_path, changes, code):
    assert code in deploy_check(settings, tmp_path, **changes)


def test_a_key_file_others_can_read_fails(settings, tmp_path, monkeypatch):
    monkeypatch.delenv("SMARTCOUNTY_SECRET_KEY", raising=False)
    key = tmp_path / "secret_key"
    key.write_text(GOOD["SECRET_KEY"])
    key.chmod(0o644)
    settings.DATA_DIR = tmp_path
    for k, v in GOOD.items():
        setattr(settings, k, v)
    with pytest.raises(SystemCheckError, match="smartcounty.E002"):
        call_command("check", deploy=True, tags=["security"])
    key.chmod(0o600)
    call_command("check", deploy=True, tags=["security"])


def test_without_deploy_the_check_stays_quiet_on_a_laptop(settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    settings.SESSION_COOKIE_SECURE = False
    call_command("check")  # the development defaults are fine for `make run`
