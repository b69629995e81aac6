"""Settings of Red Engine, all from environment variables.

REDENGINE_ENV selects the mode: ``development`` (the default: a development secret key, SQLite under
``var/``, the browsable API), ``test`` (as development) or ``production`` (every secret and the
database required, HTTPS-only cookies, HSTS; ``manage.py check --deploy`` is clean). DEBUG is off in
every mode unless ``DEBUG=1`` asks for it (never in production): Django's debug page prints settings.
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
ENV = os.environ.get("REDENGINE_ENV", "development")
if ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(f"REDENGINE_ENV must be development, test or production, not {ENV!r}")
PRODUCTION = ENV == "production"


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_required(name, dev_default):
    value = os.environ.get(name)
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"The environment variable {name} must be set in production mode.")
    return dev_default


DEBUG = False if PRODUCTION else env_bool("DEBUG", False)
SECRET_KEY = env_required("SECRET_KEY", "development-only-key-not-for-production-" + "x" * 24)
# Keys the API token digests; separate from SECRET_KEY so that it can rotate alone.
AUDIT_KEY = env_required("AUDIT_KEY", "development-only-audit-key")
# Personal data (ID numbers, mobiles) is stored SM4-encrypted beside an HMAC-SM3 blind index (GB/T
# 39786-2021 §8.4; see core/crypto.py). Hex keys: 16 bytes for SM4, 16 to 64 bytes for the index.
# CRYPTO_PROVIDER may name another CryptoProvider class, e.g. one that drives a certified device.
PERSONAL_DATA_KEY = env_required("PERSONAL_DATA_KEY", "b1728f33056faeea1032f8ee15b78137")  # development only
BLIND_INDEX_KEY = env_required(
    "BLIND_INDEX_KEY",
    "dc8741bbce2174a7e214ec14f60ba541041ebbfc44a260fbe962da0b03ddbc53",  # development only
)
CRYPTO_PROVIDER = os.environ.get("CRYPTO_PROVIDER", "redengine.core.crypto.SoftwareSM4Provider")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("The environment variable ALLOWED_HOSTS must be set in production mode.")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "treebeard",
    "django_tasks",
    "django_tasks_db",
    "redengine.core",
    "redengine.dataio",
    "redengine.accounts",
    "redengine.orgs",
    "redengine.people",
    "redengine.development",
    "redengine.activities",
    "redengine.membership",
    "redengine.cultivation",
    "redengine.pioneer",
    "redengine.showcase",
    "redengine.pairing",
    "redengine.assessment",
    "redengine.imports",
    "redengine.reports",
    "redengine.demo",
]

MIDDLEWARE = [
    "redengine.core.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "redengine.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "redengine.core.dbrouting.ReadAfterWriteMiddleware",  # only with a replica
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "redengine.accounts.middleware.SessionPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "redengine.urls"
WSGI_APPLICATION = "redengine.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "redengine" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "redengine.core.context_processors.shell",
            ],
        },
    },
]

# Database: SQLite under var/ by default; PostgreSQL 15+ (or a compatible server) via DATABASE_URL.
DEFAULT_DATABASE_URL = f"sqlite:///{BASE_DIR / 'var' / 'redengine.sqlite3'}"
DATABASE_URL = env_required("DATABASE_URL", DEFAULT_DATABASE_URL)
if DATABASE_URL == DEFAULT_DATABASE_URL:
    (BASE_DIR / "var").mkdir(exist_ok=True)
# Connections are kept between requests for DATABASE_CONN_MAX_AGE seconds (one per request when 0), and a
# kept connection is checked before a request reuses it (a restarted server is reconnected to).
try:
    CONN_MAX_AGE = int(os.environ.get("DATABASE_CONN_MAX_AGE") or (60 if PRODUCTION else 0))
except ValueError as exc:
    raise ImproperlyConfigured("DATABASE_CONN_MAX_AGE must be a whole number of seconds.") from exc


# PostgreSQL's JIT compiler is off for the app's connections (DATABASE_JIT=on turns it back on): the
# planner's cost estimates of the figures' queries over the whole city cross its thresholds, and it then
# spent 250-300 ms compiling a query that runs in 10-15 ms (docs/performance.md, "JIT").
DATABASE_JIT = os.environ.get("DATABASE_JIT", "off")
if DATABASE_JIT not in ("on", "off"):
    raise ImproperlyConfigured("DATABASE_JIT is on or off.")


def database(url):
    config = dj_database_url.parse(url, conn_max_age=CONN_MAX_AGE, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.postgresql":
        options = config.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit={DATABASE_JIT}".strip()
    return config


DATABASES = {"default": database(DATABASE_URL)}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Write-ahead log: pages are read while an import is being written. Tests use a file too, so that
    # the live server and the task worker of the browser tests each have a connection of their own.
    # Transactions begin IMMEDIATE (holding the write lock): a request's transaction that had read and
    # then wrote (the access log of a read of personal data) failed at once with "database is locked" when
    # another connection had written meanwhile, since SQLite cannot move a reader's snapshot forward; it
    # now waits its turn (up to the timeout) at BEGIN instead.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )
    # One file per test process (removed at the end), so that parallel runs never share one.
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"redengine-test-{os.getpid()}.sqlite3")
    }
# An optional PostgreSQL hot standby (streaming replication) for the pages that only read figures: the
# dashboard, the metrics, the reports and the exports (core/dbrouting.py). Writes always go to the primary;
# a session that wrote reads from the primary for REPLICA_AFTER_WRITE_SECONDS. Tests never create a
# database on it: it mirrors the test database.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = database(DATABASE_REPLICA_URL)
    if (
        DATABASES["replica"]["ENGINE"] != DATABASES["default"]["ENGINE"]
        or DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    ):
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL names a PostgreSQL hot standby of the server DATABASE_URL names "
            "(both postgres://...)."
        )
    DATABASES["replica"]["ATOMIC_REQUESTS"] = False  # its reads run outside the request's transaction
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    # Read-only even if the address were a primary's by mistake (a standby refuses writes anyway).
    replica_options = DATABASES["replica"].setdefault("OPTIONS", {})
    replica_options["options"] = (
        replica_options.get("options", "") + " -c default_transaction_read_only=on"
    ).strip()
DATABASE_ROUTERS = ["redengine.core.dbrouting.ReplicaRouter"]
try:
    REPLICA_AFTER_WRITE_SECONDS = int(os.environ.get("REPLICA_AFTER_WRITE_SECONDS") or 30)
except ValueError as exc:
    raise ImproperlyConfigured("REPLICA_AFTER_WRITE_SECONDS must be a whole number of seconds.") from exc
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background work (imports, reminder scans): Django's task interface with its database backend, so one
# machine needs no broker and several run `manage.py db_worker` against the same database.
TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
# The live progress of a running import: written outside the import's transaction, so that every web
# process sees it. A directory (shared between the machines when web and workers run on several).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "progress": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ.get("PROGRESS_DIR", str(BASE_DIR / "var" / "progress")),
        "TIMEOUT": 24 * 3600,
    },
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "full_name", "email")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "redengine.accounts.validators.CharacterClassValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "reports:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions: 30 minutes idle (enforced server-side too), 12 hours at most from login.
SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
SESSION_ABSOLUTE_LIFETIME = timedelta(hours=12)
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_LIFETIME.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Lock-out after 5 failures for 15 minutes, counted per account *and* address, so a stranger
# elsewhere cannot lock a user out.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "redengine.accounts.views.lockout_response"
# User names are case-insensitive: attempts are counted under the lower-case name.
AXES_USERNAME_CALLABLE = "redengine.accounts.lockout.axes_username"
AXES_VERBOSE = False
# The attempts axes keeps never hold a password (the password change counts wrong old passwords too).
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "ip_address",
    "old_password",
    "new_password1",
    "new_password2",
    "code",
]
# Web logins per client address per minute (429 beyond), on top of the lock-out per account and address.
LOGIN_ATTEMPTS_PER_MINUTE = 30
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]  # set from X-Forwarded-For by TRUSTED_PROXY_COUNT
# Number of reverse proxies (nginx) in front of the app; the client address comes from X-Forwarded-For.
try:
    TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT") or 0)
except ValueError as exc:
    raise ImproperlyConfigured(
        "TRUSTED_PROXY_COUNT must be a whole number (the reverse proxies in front)."
    ) from exc

OTP_TOTP_ISSUER = "红色引擎 Red Engine"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "redengine" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "redengine" / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise looks for it; assets come from the finders here

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "redengine.accounts.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["redengine.core.api_defaults.ScopedPermission"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",  # only with API_BROWSABLE (core/api_defaults.py)
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "redengine.core.api_defaults.Negotiation",
    "DEFAULT_FILTER_BACKENDS": [
        "redengine.core.api_defaults.ScopedFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "redengine.core.api_defaults.Pagination",
    "PAGE_SIZE": 50,
    "NUM_PROXIES": 0,  # REMOTE_ADDR already holds the client address (see TRUSTED_PROXY_COUNT)
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "redengine.core.api.exception_handler",
}
# Bulk reads of personal data (core/reads.py, core/approvals.py). Rate limits of the API's personal-data
# endpoints per account, by role ("role=rate,…"; "default" for the roles not named; an account with
# several roles gets the most generous of them); the volume alert (more than BULK_READ_ALERT_PEOPLE
# distinct people read by one account in BULK_READ_ALERT_WINDOW_MINUTES); exports of more than
# EXPORT_APPROVAL_THRESHOLD people, or with ID numbers and mobiles in full, wait for a second person's
# approval and are downloaded once within EXPORT_APPROVAL_VALID_HOURS.
API_PERSONAL_READ_RATES = {
    "default": "120/min",
    **dict(item.split("=", 1) for item in env_list("API_PERSONAL_READ_RATES", []) if "=" in item),
}
try:
    BULK_READ_ALERT_PEOPLE = int(os.environ.get("BULK_READ_ALERT_PEOPLE") or 2000)
    BULK_READ_ALERT_WINDOW = timedelta(minutes=int(os.environ.get("BULK_READ_ALERT_WINDOW_MINUTES") or 60))
    EXPORT_APPROVAL_THRESHOLD = int(os.environ.get("EXPORT_APPROVAL_THRESHOLD") or 500)
    EXPORT_APPROVAL_VALID = timedelta(hours=int(os.environ.get("EXPORT_APPROVAL_VALID_HOURS") or 24))
except ValueError as exc:
    raise ImproperlyConfigured(
        "BULK_READ_ALERT_PEOPLE, BULK_READ_ALERT_WINDOW_MINUTES, EXPORT_APPROVAL_THRESHOLD and "
        "EXPORT_APPROVAL_VALID_HOURS must be whole numbers."
    ) from exc
# Exports of more than EXPORT_BACKGROUND_ROWS rows are written by the background worker (core/export_jobs.py)
# while a page shows the rows written; the requester alone downloads the file, for EXPORT_FILE_KEEP_HOURS
# (the daily job `core.expire_exports` then drops it). Smaller exports are answered at once.
try:
    EXPORT_BACKGROUND_ROWS = int(os.environ.get("EXPORT_BACKGROUND_ROWS") or 3000)
    EXPORT_FILE_KEEP = timedelta(hours=int(os.environ.get("EXPORT_FILE_KEEP_HOURS") or 24))
except ValueError as exc:
    raise ImproperlyConfigured(
        "EXPORT_BACKGROUND_ROWS and EXPORT_FILE_KEEP_HOURS must be whole numbers."
    ) from exc
# The browsable API (HTML pages with forms): development mode only unless asked for; JSON otherwise.
API_BROWSABLE = env_bool("API_BROWSABLE", ENV == "development")
FILTERS_EMPTY_CHOICE_LABEL = _("All")
API_TOKEN_LIFETIME = timedelta(hours=12)
API_TOKEN_IDLE_TIMEOUT = timedelta(minutes=30)  # like sessions; last use noted at most once a minute
SPECTACULAR_SETTINGS = {
    "TITLE": "Red Engine API",
    "DESCRIPTION": "红色引擎 API. Every endpoint applies the caller's scope: out-of-scope objects answer 404.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets named "status" in several apps: each its own schema name.
    "ENUM_NAME_OVERRIDES": {
        "PioneerUnitStatusEnum": "redengine.pioneer.rules.UnitStatus",
        "ShowcaseStatusEnum": "redengine.showcase.rules.Status",
        "EvaluationStatusEnum": "redengine.assessment.rules.Status",
        "TransferKindEnum": "redengine.membership.rules.TransferKind",
    },
}

# Security headers. HSTS and HTTPS-only cookies in production; a strict Content-Security-Policy
# everywhere (no inline scripts, nothing from outside the deployment).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; "
    "object-src 'none'"
)
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_COOKIE_HTTPONLY = True

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "redengine@localhost")
# Reminders of development steps also go by e-mail (to accounts with an address) when this is on.
REMINDER_EMAILS = env_bool("REMINDER_EMAILS", False)
# The one-time password of a password reset goes by e-mail to the account's owner (when it has an
# address) when this is on; otherwise it is shown once, to be handed to the owner in person.
ACCOUNT_EMAILS = env_bool("ACCOUNT_EMAILS", False)
SITE_URL = os.environ.get("SITE_URL", "")  # e.g. https://redengine.example.edu.cn, for links in e-mails

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every handler masks whole ID numbers and mobiles in what it writes (core/logs.py).
    "filters": {"mask_identifiers": {"()": "redengine.core.logs.MaskIdentifiers"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "server": {"format": "%(asctime)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["mask_identifiers"]},
        # The request lines of the development server (Django's own handler, with the filter).
        "server": {"class": "logging.StreamHandler", "formatter": "server", "filters": ["mask_identifiers"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "axes": {"level": "ERROR"},
        "django.server": {"handlers": ["server"], "level": "INFO", "propagate": False},
    },
}

RED_ENGINE_NAME = _("Red Engine")
# Searches of people by a whole ID number or mobile (a logged reveal) allowed per account and hour.
PEOPLE_IDENTIFIER_SEARCHES_PER_HOUR = int(os.environ.get("PEOPLE_IDENTIFIER_SEARCHES_PER_HOUR", "30"))
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
