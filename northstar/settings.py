"""One environment-driven settings module.

Every value a deployment may change is read from the environment through the typed readers in
`northstar.env`; a bad value stops start-up with a message naming the variable.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

from northstar import env

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = env.data_dir()

try:
    DEBUG = env.env_bool("DEBUG", False)
    HTTPS = env.env_bool("NORTHSTAR_HTTPS", False)
    ALLOWED_HOSTS = env.env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
    CSRF_TRUSTED_ORIGINS = env.env_list("CSRF_TRUSTED_ORIGINS", [])
    # The feedback portal's own host name (e.g. feedback.example.com): it serves the portal at `/`.
    PORTAL_HOST = os.environ.get("NORTHSTAR_PORTAL_HOST", "").strip().lower().rstrip(".")
    if PORTAL_HOST and not re.fullmatch(
        r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+", PORTAL_HOST
    ):
        raise ImproperlyConfigured("NORTHSTAR_PORTAL_HOST: give a host name only, e.g. feedback.example.com")
    if PORTAL_HOST and PORTAL_HOST not in ALLOWED_HOSTS:
        ALLOWED_HOSTS.append(PORTAL_HOST)  # the portal's host is one of ours
    # Proxies whose X-Forwarded-For is believed, so rate limits count visitors, not the proxy.
    TRUSTED_PROXIES = env.env_list("NORTHSTAR_TRUSTED_PROXIES", [])
    PAGE_SIZE = env.env_int("NORTHSTAR_PAGE_SIZE", 50)
    # The largest file a person may upload (imports), in megabytes.
    UPLOAD_MAX_BYTES = env.env_int("NORTHSTAR_UPLOAD_MAX_MB", 25) * 1024 * 1024
    # Where people reach Northstar: links in emails, PDFs and PPTX files (no request to read it from).
    NORTHSTAR_BASE_URL = os.environ.get("NORTHSTAR_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    HSTS_SECONDS = env.env_int("NORTHSTAR_HSTS_SECONDS", 31536000)
    NORTHSTAR_JOBS = env.env_choice("NORTHSTAR_JOBS", "thread", ("thread", "redis", "immediate"))
    NORTHSTAR_JOB_THREADS = env.env_int("NORTHSTAR_JOB_THREADS", 2)
    # Seconds a worker's claim on a job lasts unless renewed; a killed worker's job is retried after it.
    NORTHSTAR_JOB_LEASE_SECONDS = env.env_int("NORTHSTAR_JOB_LEASE", 30)
    REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    CACHE_URL = os.environ.get("CACHE_URL", "")
    EMAIL_BACKEND = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "file": "django.core.mail.backends.filebased.EmailBackend",
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
    }[env.env_choice("NORTHSTAR_EMAIL", "console", ("console", "file", "smtp"))]
    LOGIN_FAILURE_LIMIT = env.env_int("NORTHSTAR_LOGIN_FAILURES", 5)
    LOGIN_LOCKOUT_MINUTES = env.env_int("NORTHSTAR_LOGIN_LOCKOUT_MINUTES", 15)
    # Who may sign in with a password: everyone (on), only admins (the break-glass path when single
    # sign-on is the way in), or no one (off).
    LOCAL_LOGIN = env.env_choice("NORTHSTAR_PASSWORD_LOGIN", "on", ("on", "admins", "off"))
    SSO_ROLE_MAP = env.env_mapping("NORTHSTAR_OIDC_ROLES", {})
    SSO_UNKNOWN_GROUPS = env.env_choice(
        "NORTHSTAR_OIDC_UNKNOWN_GROUPS", "stakeholder", ("stakeholder", "refuse")
    )
    EMAIL_PORT = env.env_int("EMAIL_PORT", 25)
    EMAIL_USE_TLS = env.env_bool("EMAIL_USE_TLS", False)
    # Finance: every amount is converted into this currency; business cases discount at this rate.
    NORTHSTAR_CURRENCY = env.env_currency("NORTHSTAR_CURRENCY", "EUR")
    NORTHSTAR_DISCOUNT_RATE = env.env_int("NORTHSTAR_DISCOUNT_RATE", 10)
except env.SettingError as exc:
    raise ImproperlyConfigured(str(exc)) from exc
_bad_roles = sorted(set(SSO_ROLE_MAP.values()) - {"admin", "leader", "pm", "stakeholder"})
if _bad_roles:
    raise ImproperlyConfigured(
        f"NORTHSTAR_OIDC_ROLES maps groups to unknown roles {', '.join(_bad_roles)}: "
        "use admin, leader, pm or stakeholder."
    )

_secret = env.secret_key()
if not _secret:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set and no key file exists at "
        f"{env.secret_key_file()}. Set SECRET_KEY, or run `northstar migrate` once to create the file."
    )
SECRET_KEY = _secret

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "northstar.core",
    "northstar.org",
    "northstar.portfolio",
    "northstar.strategy",
    "northstar.feedback",
    "northstar.planning",
    "northstar.people",
    "northstar.finance",
    "northstar.delivery",
    "northstar.analytics",
    "northstar.market",
    "northstar.reports",
    "northstar.home",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Northstar's own guards (northstar/core/middleware.py): headers on every response, no NUL
    # characters or 65-bit numbers in any input, CSRF on API writes carried by a signed-in session.
    "northstar.core.middleware.SecurityHeadersMiddleware",
    "northstar.core.middleware.RejectUnstorableInputMiddleware",
    "northstar.core.middleware.ApiSessionCsrfMiddleware",
    # The portal at `/` of its own host name, when one is set (northstar/feedback/portal_host.py).
    "northstar.feedback.portal_host.PortalHostMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the "try again later" page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "northstar.urls"
WSGI_APPLICATION = "northstar.wsgi.application"
ASGI_APPLICATION = "northstar.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "northstar.core.context_processors.navigation",
            ],
        },
    },
]

_sqlite_path = DATA_DIR / "northstar.sqlite3"
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL", default=f"sqlite:///{_sqlite_path}", conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers keep reading while a write commits; IMMEDIATE avoids "database is locked"
    # surprises when two requests start a write transaction at once.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

# Rate limits and other short-lived counters live in a cache every web process shares, so a limit
# holds across processes and restarts: the database (table created by `northstar migrate`) by default,
# Redis when CACHE_URL=redis://... is set. CACHE_URL=locmem keeps them per process (one process only).
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
elif CACHE_URL in ("", "db", "database"):
    CACHES = {"default": {"BACKEND": "northstar.core.cache.DatabaseCache", "LOCATION": "northstar_cache"}}
elif CACHE_URL == "locmem":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ImproperlyConfigured(f"CACHE_URL must be a redis:// URL, 'db' or 'locmem'; got {CACHE_URL!r}")

# Mail (changelog notices to voters): printed to the console by default, written to files under the
# data directory with NORTHSTAR_EMAIL=file, or sent through SMTP (EMAIL_HOST, EMAIL_PORT, ...).
EMAIL_FILE_PATH = DATA_DIR / "mail"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Northstar <northstar@localhost>")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

# Sign-in throttling (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for one account, or from
# one address, further tries are refused for LOGIN_LOCKOUT_MINUTES without checking the password, so
# a guessing script neither gets through nor makes the server hash passwords for it. The counts live
# in the database, so every web process sees the same ones; each repeated failure and lockout is
# logged (logger "axes", WARNING).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each counted on its own
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "northstar.core.security.login_client_address"
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token", "code"]
# Single sign-on with OpenID Connect (mozilla-django-oidc, see northstar/core/sign_on.py): on when an
# issuer and a client are configured. Endpoints are given, not discovered, so start-up never waits on
# the identity provider (`northstar sso_discover ISSUER` prints them).
SSO_ISSUER = os.environ.get("NORTHSTAR_OIDC_ISSUER", "")  # compared with `iss` exactly
SSO_NAME = os.environ.get("NORTHSTAR_OIDC_NAME", "your company account")
SSO_GROUPS_CLAIM = os.environ.get("NORTHSTAR_OIDC_GROUPS_CLAIM", "groups")
OIDC_RP_CLIENT_ID = os.environ.get("NORTHSTAR_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("NORTHSTAR_OIDC_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("NORTHSTAR_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("NORTHSTAR_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("NORTHSTAR_OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("NORTHSTAR_OIDC_JWKS_URI", "")
SSO_END_SESSION_ENDPOINT = os.environ.get("NORTHSTAR_OIDC_END_SESSION_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = os.environ.get("NORTHSTAR_OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("NORTHSTAR_OIDC_SCOPES", "openid email profile")
OIDC_USE_PKCE = True
OIDC_STORE_ID_TOKEN = True  # the hint RP-initiated logout hands back to the provider
OIDC_TOKEN_USE_BASIC_AUTH = True
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATION_CALLBACK_URL = "core:sso_callback"
AUTHENTICATION_BACKENDS.append("northstar.core.sign_on.SignOnBackend")
if SSO_ISSUER:
    _sso_missing = [
        name
        for name, value in [
            ("NORTHSTAR_OIDC_CLIENT_ID", OIDC_RP_CLIENT_ID),
            ("NORTHSTAR_OIDC_CLIENT_SECRET", OIDC_RP_CLIENT_SECRET),
            ("NORTHSTAR_OIDC_AUTHORIZATION_ENDPOINT", OIDC_OP_AUTHORIZATION_ENDPOINT),
            ("NORTHSTAR_OIDC_TOKEN_ENDPOINT", OIDC_OP_TOKEN_ENDPOINT),
            ("NORTHSTAR_OIDC_USERINFO_ENDPOINT", OIDC_OP_USER_ENDPOINT),
            ("NORTHSTAR_OIDC_JWKS_URI", OIDC_OP_JWKS_ENDPOINT),
        ]
        if not value
    ]
    if _sso_missing:
        raise ImproperlyConfigured(
            f"NORTHSTAR_OIDC_ISSUER is set, so single sign-on also needs {', '.join(_sso_missing)} "
            "(`northstar sso_discover ISSUER` prints them from the provider's discovery document)."
        )

# Two-factor sign-in (django-otp): the name authenticator apps show, and a doubling wait after each
# wrong code (1 s, 2 s, 4 s ...) on top of django-axes' lockout.
OTP_TOTP_ISSUER = "Northstar"
OTP_TOTP_THROTTLE_FACTOR = 1

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# The web UI's own CSS and JS live in northstar/static/, outside any app, so collectstatic and the
# finders need to be told where.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# WeasyPrint brings the brotli module, so WhiteNoise also writes .br files at collectstatic (run by
# `northstar serve`). Source maps (megabytes, read only by browser devtools) stay uncompressed, which
# keeps start-up quick.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")

# Uploads: refused past NORTHSTAR_UPLOAD_MAX_MB before they reach the disk, and stored private.
FILE_UPLOAD_HANDLERS = [
    "northstar.core.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# Production hardening: on whenever Northstar sits behind HTTPS (NORTHSTAR_HTTPS=1).
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = HSTS_SECONDS if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None

NINJA_PAGINATION_PER_PAGE = PAGE_SIZE
# Bounded page numbers for every API list, also for `@paginate` without a class.
NINJA_PAGINATION_CLASS = "northstar.core.pagination.Pagination"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusals": {"()": "northstar.core.logs.NoTracebackForRefusals"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # A 403 or 404 is one line in the log, not a traceback (core/logs.py).
    "loggers": {"django.request": {"filters": ["refusals"]}},
}
