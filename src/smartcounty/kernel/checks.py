"""``smartcounty check --deploy``: what must be true before a county serves residents (errors, so the command
fails), beside Django's own deployment warnings."""

import os
import stat
from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, register

#: What the settings fall back to without SMARTCOUNTY_ALLOWED_HOSTS: fine on a laptop, not for a county.
DEFAULT_HOSTS = {"127.0.0.1", "localhost", "testserver", "[::1]"}
WEAK_KEYS = {"", "secret", "changeme", "change-me", "smartcounty", "django-insecure"}


@register(Tags.security, deploy=True)
def deploy_settings(app_configs=None, **kwargs):
    errors = []
    key = settings.SECRET_KEY
    if key.lower() in WEAK_KEYS or key.startswith("django-insecure") or len(key) < 40 or len(set(key)) < 10:
        errors.append(Error("the secret key is a placeholder or too weak",
                            hint="unset SMARTCOUNTY_SECRET_KEY (a random key is kept in the data directory) "
                                 "or set it to 50 random characters", id="smartcounty.E001"))
    key_file = Path(settings.DATA_DIR) / "secret_key"
    if not os.environ.get("SMARTCOUNTY_SECRET_KEY") and key_file.exists() and \
            key_file.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        errors.append(Error(f"{key_file} can be read by other users", hint=f"chmod 600 {key_file}",
                            id="smartcounty.E002"))
    if settings.DEBUG:
        errors.append(Error("DEBUG is on: error pages would show settings and code to anyone",
                            hint="unset SMARTCOUNTY_DEBUG", id="smartcounty.E003"))
    hosts = set(settings.ALLOWED_HOSTS)
    if not hosts or "*" in hosts or hosts <= DEFAULT_HOSTS:
        errors.append(Error("no public host name is allowed (only the local defaults, none, or '*')",
                            hint="set SMARTCOUNTY_ALLOWED_HOSTS to the names residents use, e.g. "
                                 "smart.guanxian.gov.cn", id="smartcounty.E004"))
    if not (settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE):
        errors.append(Error("session and CSRF cookies would be sent over plain http",
                            hint="serve over TLS (directly or behind a proxy) and set SMARTCOUNTY_HTTPS=1",
                            id="smartcounty.E005"))
    return errors
