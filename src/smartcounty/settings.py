"""Django settings for smartcounty.

Everything a county sets is an environment variable with a safe default for one machine:
SQLite in ./var/, Chinese UI, Asia/Shanghai. ``DATABASE_URL`` switches to PostgreSQL.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE

from smartcounty.kernel.tiles import tile_layers as _tile_layers
from smartcounty.kernel.tiles import tile_origins as _tile_origins
from smartcounty.modules import module_middleware, module_packages

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("SMARTCOUNTY_DATA_DIR", Path.cwd() / "var")).resolve()

def _flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in ("1", "true", "yes", "on")

DEBUG = _flag("SMARTCOUNTY_DEBUG", False)
SECRET_KEY = os.environ.get("SMARTCOUNTY_SECRET_KEY", "")
if not SECRET_KEY:
    # A stable per-installation key kept beside the data; never a constant in code.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    _key_file = DATA_DIR / "secret_key"
    if not _key_file.exists():
        import secrets

        _key_file.write_text(secrets.token_urlsafe(50))
        _key_file.chmod(0o600)
    SECRET_KEY = _key_file.read_text().strip()

ALLOWED_HOSTS = [h for h in os.environ.get("SMARTCOUNTY_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("SMARTCOUNTY_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "csp",
    "smartcounty.kernel",
    *module_packages(),
    "oauth2_provider",  # the OpenID Connect provider of accounts (accounts/oidc, docs/oidc.md)
]

MIDDLEWARE = [
    "smartcounty.kernel.telemetry.RequestIdMiddleware",
    "smartcounty.kernel.middleware.ForwardedProtoMiddleware",
    *module_middleware(),  # e.g. the security module's access log, detectors and block list
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "smartcounty.kernel.middleware.RequestContextMiddleware",
    "smartcounty.kernel.ratelimit.RateLimitMiddleware",
]

ROOT_URLCONF = "smartcounty.urls"
WSGI_APPLICATION = "smartcounty.wsgi.application"
ASGI_APPLICATION = "smartcounty.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "smartcounty.kernel.context.navigation",
                "smartcounty.kernel.context.map_config",
            ],
        },
    },
]

_default_sqlite = f"sqlite:///{DATA_DIR / 'smartcounty.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_sqlite), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # Connections are kept (as on PostgreSQL): a new SQLite connection runs the pragmas below and registers
    # Django's SQL functions, which cost each event subscriber's thread ~0.5 ms per ingest batch when closed
    # after every batch. Between requests a kept connection holds no transaction, so nothing is locked.
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN,
        # so two writers queue instead of failing half-way (the audit chain relies on it).
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}

# PostgreSQL: a connection pool per process (psycopg_pool, Django's "pool" option) instead of one kept connection
# per thread: the web server's threads and the event subscribers borrow a connection for a request or a batch and
# give it back, so a process holds as many as are in use (at most SMARTCOUNTY_DB_POOL_MAX; idle ones close after a
# minute), not one per thread that ever served. 0 turns the pool off (the test suite does; its servers keep it).
SMARTCOUNTY_DB_POOL_MAX = int(os.environ.get("SMARTCOUNTY_DB_POOL_MAX", "20"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and SMARTCOUNTY_DB_POOL_MAX > 0:
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # required with a pool: "closing" gives the connection back
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1, "max_size": SMARTCOUNTY_DB_POOL_MAX, "max_idle": 60, "timeout": 30}

# The cache (rate-limit counters, cockpit panels): in-process by default; Redis when SMARTCOUNTY_CACHE_URL is set
# (redis://127.0.0.1:6379/0), shared by every server and worker process.
_cache_url = os.environ.get("SMARTCOUNTY_CACHE_URL", "")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}
          if _cache_url else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "smartcounty"}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "smartcounty.foundation.accounts.oidc.hashers.ClientSecretHasher",  # OIDC client secrets only (see there)
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# OpenID Connect provider (accounts/oidc on django-oauth-toolkit; docs/oidc.md, docs/settings.md). The issuer is
# the site's own address unless SMARTCOUNTY_OIDC_ISSUER names it (behind a proxy); plain-http redirect URIs are
# accepted only while the site itself is not served over TLS (SMARTCOUNTY_HTTPS).
OAUTH2_PROVIDER_APPLICATION_MODEL = "accounts.OidcClient"
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "CLIENT_SECRET_HASHER": "sc_client_secret",
    "OIDC_ISS_ENDPOINT": os.environ.get("SMARTCOUNTY_OIDC_ISSUER", "").rstrip("/"),
    "OAUTH2_VALIDATOR_CLASS": "smartcounty.foundation.accounts.oidc.validator.Validator",
    "SCOPES_BACKEND_CLASS": "smartcounty.foundation.accounts.oidc.scopes.ClientScopes",
    "APPLICATION_ADMIN_CLASS": "smartcounty.foundation.accounts.oidc.admin.ClientAdmin",
    "ACCESS_TOKEN_EXPIRE_SECONDS": int(os.environ.get("SMARTCOUNTY_OIDC_ACCESS_TOKEN_SECONDS", 3600)),
    "ID_TOKEN_EXPIRE_SECONDS": int(os.environ.get("SMARTCOUNTY_OIDC_ACCESS_TOKEN_SECONDS", 3600)),
    "REFRESH_TOKEN_EXPIRE_SECONDS": int(os.environ.get("SMARTCOUNTY_OIDC_REFRESH_TOKEN_SECONDS", 30 * 86400)),
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "PKCE_REQUIRED": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"] if _flag("SMARTCOUNTY_HTTPS", False) else ["https", "http"],
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OAUTH2_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OAUTH2_GRANT_TYPES_SUPPORTED": ["authorization_code", "client_credentials", "refresh_token"],
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "DEFAULT_SCOPES": ["openid"],
    **{f"COMPLIANT_BCP_RFC9700_{gate}": True for gate in (
        "IMPLICIT_GRANT", "PASSWORD_GRANT", "PKCE_METHOD", "ACCESS_TOKEN_TRANSPORT", "AUTHZ_RESPONSE_ISS",
        "TOKEN_STORAGE", "REFRESH_TOKEN", "REDIRECT_URI_MATCHING", "PKCE_REQUIRED")},
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# Each module keeps its translations in its own locale/ folder (Django finds app locales).
LOCALE_PATHS = []
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Served straight from the package (no collectstatic step on one machine); collectstatic fills STATIC_ROOT.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Bodies: 2 MB for JSON/forms unless an endpoint says otherwise (uploads use files).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("SMARTCOUNTY_MAX_BODY", 2 * 1024 * 1024))
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE

# Dataset files (catalog uploads through the API and the page, and URL pulls); see catalog/services/limits.py.
SMARTCOUNTY_UPLOAD_MAX_BYTES = int(os.environ.get("SMARTCOUNTY_UPLOAD_MAX_BYTES", 20 * 1024 * 1024))
SMARTCOUNTY_UPLOAD_MAX_INFLATED_BYTES = int(os.environ.get("SMARTCOUNTY_UPLOAD_MAX_INFLATED_BYTES", 200 * 1024 * 1024))
SMARTCOUNTY_UPLOAD_MAX_RATIO = int(os.environ.get("SMARTCOUNTY_UPLOAD_MAX_RATIO", 100))
SMARTCOUNTY_UPLOAD_MAX_ROWS = int(os.environ.get("SMARTCOUNTY_UPLOAD_MAX_ROWS", 500_000))
SMARTCOUNTY_UPLOAD_MAX_COLUMNS = int(os.environ.get("SMARTCOUNTY_UPLOAD_MAX_COLUMNS", 500))
SMARTCOUNTY_UPLOAD_MAX_CELL_CHARS = int(os.environ.get("SMARTCOUNTY_UPLOAD_MAX_CELL_CHARS", 32_767))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Served over TLS (directly or behind a reverse proxy that terminates it): redirect http to https, send HSTS, and
# mark the session and CSRF cookies Secure. Behind a proxy (SMARTCOUNTY_TRUSTED_PROXIES), its X-Forwarded-Proto
# says whether the client's connection was https; the header is dropped from any other peer (kernel.middleware).
SMARTCOUNTY_HTTPS = _flag("SMARTCOUNTY_HTTPS", False)
if SMARTCOUNTY_HTTPS:
    SECURE_SSL_REDIRECT = _flag("SMARTCOUNTY_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SMARTCOUNTY_HSTS_SECONDS", 365 * 86400))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("SMARTCOUNTY_HSTS_SUBDOMAINS", False)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # /healthz answers on plain http too (a load balancer's probe, the serve command's readiness check).
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# Content-Security-Policy (django-csp): scripts only from this site or inline with the request's nonce
# (``<script nonce="{{ request.csp_nonce }}">``), no inline event handlers, nothing from other sites except a
# configured tile server's images. Styles allow inline ``style`` attributes: ECharts' tooltips and Leaflet's
# markers write them into the HTML they build.
# Map tiles (kernel/tiles.py, docs/settings.md): none by default, the maps draw their own background.
SMARTCOUNTY_TILE_LAYERS = _tile_layers(os.environ)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *_tile_origins(SMARTCOUNTY_TILE_LAYERS)],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

EMAIL_BACKEND = os.environ.get("SMARTCOUNTY_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("SMARTCOUNTY_FROM_EMAIL", "smartcounty@localhost")

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

# The county this installation serves.
SMARTCOUNTY_COUNTY_CODE = os.environ.get("SMARTCOUNTY_COUNTY_CODE", "371525")
# What Open311 publishes of residents' reports: "redacted" (every report; phone and ID numbers and e-mails in
# texts masked, coordinates rounded to 3 decimals, the address cut to its administrative part) or "moderated"
# (a report's text and place only once the command centre has registered it; before, neither).
SMARTCOUNTY_OPEN311_PUBLISH = os.environ.get("SMARTCOUNTY_OPEN311_PUBLISH", "redacted")
if SMARTCOUNTY_OPEN311_PUBLISH not in ("redacted", "moderated"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SMARTCOUNTY_OPEN311_PUBLISH must be redacted or moderated")

# Logs on standard error, each line with the id of the request being served; SMARTCOUNTY_LOG_FORMAT=json writes one
# JSON object per line (time, level, logger, process, request_id, message) for a log collector.
SMARTCOUNTY_LOG_FORMAT = os.environ.get("SMARTCOUNTY_LOG_FORMAT", "text")
if SMARTCOUNTY_LOG_FORMAT not in ("text", "json"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SMARTCOUNTY_LOG_FORMAT must be text or json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "smartcounty.kernel.logs.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "pythonjsonlogger.json.JsonFormatter",
                 "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(request_id)s %(message)s",
                 "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"}, "json_ensure_ascii": False},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"],
                             "formatter": SMARTCOUNTY_LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("SMARTCOUNTY_LOG_LEVEL", "WARNING")},
}

# Sign-in delays (accounts.lockout; never a hard lock): once the failures per account / client / untrusted proxy
# within the window reach their threshold, each next attempt waits base * 2**(failures - threshold) seconds, at most
# max_delay_seconds. A known device (signed cookie, SMARTCOUNTY_KNOWN_DEVICE_DAYS) skips the account's delay.
SMARTCOUNTY_LOCKOUT = {"username_failures": 5, "ip_failures": 20, "peer_failures": 200, "window_minutes": 60,
                       "base_delay_seconds": 2, "max_delay_seconds": 900}
SMARTCOUNTY_KNOWN_DEVICE_DAYS = int(os.environ.get("SMARTCOUNTY_KNOWN_DEVICE_DAYS", "180"))
# Roles that must sign in with a second factor (TOTP; accounts.totp), comma-separated, e.g.
# "platform_admin,org_admin,staff"; default none (anyone may turn it on in My account).
SMARTCOUNTY_TOTP_REQUIRED_ROLES = [r.strip() for r in os.environ.get("SMARTCOUNTY_TOTP_REQUIRED_ROLES", "").split(",")
                                   if r.strip()]
# Text messages (sign-up codes; accounts.sms): console (default, the server's stderr), file (SMARTCOUNTY_SMS_FILE,
# default <data dir>/sms-outbox.jsonl), locmem (tests) or the dotted path of a send(phone, text) callable.
SMARTCOUNTY_SMS_BACKEND = os.environ.get("SMARTCOUNTY_SMS_BACKEND", "console")
SMARTCOUNTY_SMS_FILE = os.environ.get("SMARTCOUNTY_SMS_FILE", "")
SMARTCOUNTY_TOTP_ISSUER = os.environ.get("SMARTCOUNTY_TOTP_ISSUER", "smartcounty")
# Reverse proxies (IPs or CIDRs, comma-separated in the environment) whose X-Forwarded-For names the client
# for the lock-out and every audit entry (kernel.net); empty: the peer address (REMOTE_ADDR) is the client, the
# header is ignored.
SMARTCOUNTY_TRUSTED_PROXIES = [p.strip() for p in os.environ.get("SMARTCOUNTY_TRUSTED_PROXIES", "").split(",")
                               if p.strip()]

# Security (domains/security, docs/security.md): the access log (one JSON record a line; empty: off), the
# scenarios' leaky buckets ("capacity/leak", e.g. SMARTCOUNTY_SECURITY_SQLI=10/1s), how long an overflow blocks
# the client (seconds; 0: events and alerts only), the networks never blocked, the block list's re-read period.
SMARTCOUNTY_SECURITY_ACCESS_LOG = os.environ.get("SMARTCOUNTY_SECURITY_ACCESS_LOG", str(DATA_DIR / "access.log"))
SMARTCOUNTY_SECURITY_DETECT = _flag("SMARTCOUNTY_SECURITY_DETECT", True)
SMARTCOUNTY_SECURITY_BUCKETS = {name: os.environ[f"SMARTCOUNTY_SECURITY_{name.upper()}"] for name in (
    "sqli", "xss", "traversal", "probe", "scanner", "not_found", "signin_ip", "signin_user", "flood")
    if os.environ.get(f"SMARTCOUNTY_SECURITY_{name.upper()}")}
SMARTCOUNTY_SECURITY_BLOCK_S = int(os.environ.get("SMARTCOUNTY_SECURITY_BLOCK_S", "3600"))
SMARTCOUNTY_SECURITY_NEVER_BLOCK = [n.strip() for n in os.environ.get("SMARTCOUNTY_SECURITY_NEVER_BLOCK", "").split(",")
                                    if n.strip()]
SMARTCOUNTY_SECURITY_BLOCK_REFRESH_S = float(os.environ.get("SMARTCOUNTY_SECURITY_BLOCK_REFRESH_S", "30"))
# TLS certificates of the county's sites (security.certs): how often they are read, and a CA bundle of the
# county's own certificate authority to trust beside the system's (empty: the system's only).
SMARTCOUNTY_SECURITY_CERT_EVERY_S = float(os.environ.get("SMARTCOUNTY_SECURITY_CERT_EVERY_S", str(6 * 3600)))
SMARTCOUNTY_SECURITY_CA_FILE = os.environ.get("SMARTCOUNTY_SECURITY_CA_FILE", "")

# API rate limits (kernel.ratelimit; django-ratelimit's "count/period"): anonymous per client address, per token or
# signed-in user, device ingest per token (per request, not per observation), failed authentications per client.
SMARTCOUNTY_RATE_ANON = os.environ.get("SMARTCOUNTY_RATE_ANON", "600/m")
SMARTCOUNTY_RATE_TOKEN = os.environ.get("SMARTCOUNTY_RATE_TOKEN", "6000/m")
SMARTCOUNTY_RATE_INGEST = os.environ.get("SMARTCOUNTY_RATE_INGEST", "60000/m")
SMARTCOUNTY_RATE_AUTH_FAILURES = os.environ.get("SMARTCOUNTY_RATE_AUTH_FAILURES", "20/5m")
SMARTCOUNTY_RATE_SIGNUP = os.environ.get("SMARTCOUNTY_RATE_SIGNUP", "10/h")  # sign-up codes texted per client
SMARTCOUNTY_RATE_LIMIT_PATHS = [r"^/api/", r"^/[\w-]+/open311/", r"^/catalog/d/[\w-]+/download\."]
SMARTCOUNTY_RATE_INGEST_PATHS = [r"^/api/v1/sensing/(observations|CreateObservations)$"]

# Outbound fetches (catalog source URLs, alert webhooks) go through kernel.outbound: public addresses only,
# except these hosts, ".suffixes" or IPs/CIDRs of the county's own internal sources (comma-separated).
SMARTCOUNTY_OUTBOUND_ALLOW = [h.strip() for h in os.environ.get("SMARTCOUNTY_OUTBOUND_ALLOW", "").split(",")
                              if h.strip()]
SMARTCOUNTY_OUTBOUND_TIMEOUT = float(os.environ.get("SMARTCOUNTY_OUTBOUND_TIMEOUT", "30"))
SMARTCOUNTY_OUTBOUND_MAX_BYTES = int(os.environ.get("SMARTCOUNTY_OUTBOUND_MAX_BYTES", str(50 * 1024 * 1024)))

# Run every event handler in the publishing thread (the test configuration sets it; see kernel.events).
SMARTCOUNTY_EVENTS_INLINE = _flag("SMARTCOUNTY_EVENTS_INLINE", False)
# The web server (`smartcounty serve`, gunicorn's threaded workers): processes, threads in each (a live feed
# holds one while it is open), seconds a silent worker may take before it is replaced, seconds a stopping worker
# gets to finish its requests, and requests after which a worker is replaced (0: never).
SMARTCOUNTY_WEB_WORKERS = int(os.environ.get("SMARTCOUNTY_WEB_WORKERS", "1"))
SMARTCOUNTY_WEB_THREADS = int(os.environ.get("SMARTCOUNTY_WEB_THREADS", "64"))
SMARTCOUNTY_WEB_TIMEOUT = float(os.environ.get("SMARTCOUNTY_WEB_TIMEOUT", "60"))
SMARTCOUNTY_WEB_GRACEFUL_TIMEOUT = float(os.environ.get("SMARTCOUNTY_WEB_GRACEFUL_TIMEOUT", "30"))
SMARTCOUNTY_WEB_MAX_REQUESTS = int(os.environ.get("SMARTCOUNTY_WEB_MAX_REQUESTS", "0"))
# Diagnostics: a directory where each web worker writes a tracemalloc snapshot on SIGUSR2 (bench/soak.py
# --tracemalloc); unset in normal running (tracing slows every allocation).
SMARTCOUNTY_TRACEMALLOC_DIR = os.environ.get("SMARTCOUNTY_TRACEMALLOC_DIR", "")
# The outbox lane of `smartcounty worker` (kernel.outbox; each web worker has `<lane>:web<slot>`): one per
# server sharing a database.
SMARTCOUNTY_EVENTS_LANE = os.environ.get("SMARTCOUNTY_EVENTS_LANE", "serve")
# The audit chain's HMAC key (else a 0600 file made on first use) and its checkpoint file: both kept
# outside the database, so whoever can write the database can neither re-hash nor truncate the chain unseen.
SMARTCOUNTY_AUDIT_KEY = os.environ.get("SMARTCOUNTY_AUDIT_KEY", "")
SMARTCOUNTY_AUDIT_KEY_FILE = os.environ.get("SMARTCOUNTY_AUDIT_KEY_FILE", str(DATA_DIR / "audit.key"))
SMARTCOUNTY_AUDIT_CHECKPOINTS = os.environ.get("SMARTCOUNTY_AUDIT_CHECKPOINTS", str(DATA_DIR / "audit-checkpoints.log"))
SMARTCOUNTY_AUDIT_CHECKPOINT_ROWS = int(os.environ.get("SMARTCOUNTY_AUDIT_CHECKPOINT_ROWS", "1000"))
SMARTCOUNTY_AUDIT_CHECKPOINT_SECONDS = float(os.environ.get("SMARTCOUNTY_AUDIT_CHECKPOINT_SECONDS", "60"))
# Tests only: background subscribers wait this many seconds before each durable event (crash tests).
SMARTCOUNTY_EVENTS_DELAY_S = float(os.environ.get("SMARTCOUNTY_EVENTS_DELAY_S", "0") or 0)

# Maps: no external tiles unless a tile URL or the 天地图 preset is configured; pages work offline.
# The tile layers themselves: SMARTCOUNTY_TILE_LAYERS above (from these and SMARTCOUNTY_TILE_PRESET,
# SMARTCOUNTY_TIANDITU_KEY, SMARTCOUNTY_TILE_CRS, SMARTCOUNTY_TILE_SUBDOMAINS).
SMARTCOUNTY_TILE_URL = os.environ.get("SMARTCOUNTY_TILE_URL", "")
SMARTCOUNTY_TILE_ATTRIBUTION = os.environ.get("SMARTCOUNTY_TILE_ATTRIBUTION", "")
SMARTCOUNTY_TILE_SUBDOMAINS = os.environ.get("SMARTCOUNTY_TILE_SUBDOMAINS", "abc")
SMARTCOUNTY_TILE_CRS = os.environ.get("SMARTCOUNTY_TILE_CRS", "wgs84")
SMARTCOUNTY_TILE_PRESET = os.environ.get("SMARTCOUNTY_TILE_PRESET", "")
SMARTCOUNTY_TIANDITU_KEY = os.environ.get("SMARTCOUNTY_TIANDITU_KEY", "")
# Show the cockpit's public panels to anonymous visitors (e.g. a lobby screen).
SMARTCOUNTY_COCKPIT_PUBLIC = _flag("SMARTCOUNTY_COCKPIT_PUBLIC", False)
