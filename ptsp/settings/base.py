import base64
import binascii
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE as CSP_NONCE
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from ptsp.settings.env import (
    env_bool,
    env_by_suffix,
    env_int,
    env_list,
    env_required,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("PTSP_VAR_DIR", str(BASE_DIR / "var")))

DJANGO_ENV = env_str("DJANGO_ENV", "local")
if DJANGO_ENV not in {"local", "test", "production"}:
    raise ImproperlyConfigured(f"DJANGO_ENV must be local, test or production, not {DJANGO_ENV!r}.")
PRODUCTION = DJANGO_ENV == "production"
TESTING = DJANGO_ENV == "test"

# --- Secrets and hosts -------------------------------------------------------------------------
if PRODUCTION:
    SECRET_KEY = env_required(
        "SECRET_KEY",
        "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(64))'",
    )
    if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure"):
        raise ImproperlyConfigured(
            "SECRET_KEY must be at least 50 random characters in production."
        )
    if env_bool("DEBUG", False):
        raise ImproperlyConfigured(
            "DEBUG must be off in production: unset DEBUG or set DEBUG=false."
        )
    DEBUG = False
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS must name the portal's host names in production (comma-separated)."
        )
else:
    # A development key, never used in production (the branch above refuses to start without one).
    SECRET_KEY = env_str("SECRET_KEY", "local-development-key-not-for-production-" + "x" * 20)
    DEBUG = env_bool("DEBUG", DJANGO_ENV == "local")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver", "[::1]"])

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Applications ------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    # The project's apps, bottom layer first (pyproject.toml [tool.importlinter]).
    "ptsp.apps.PtspConfig",
    "outbox",
    "accounts",
    "agencies",
    "catalog",
    "permits",
    "bsre",
    "applications",
    "fees",
    "security",
    "monitoring",
    "operations",
    "api",
    "oss",
]

MIDDLEWARE = [
    # the client's address behind the proxy (TRUSTED_PROXY_COUNT), before anything reads it
    "ptsp.middleware.ClientAddressMiddleware",
    # request id + latency metric next, so that every later log line carries the request id
    "ptsp.observability.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "security.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # the person's roles and second-factor flag from the per-process cache (issue 20)
    "security.identity.IdentityMiddleware",
    "ptsp.observability.middleware.UserContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "security.sessions.SessionLifetimeMiddleware",
    "security.totp.TwoFactorMiddleware",
    # pages for a logged-in person (or a token) are never stored by a browser or proxy cache
    "security.sessions.NoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "agencies.middleware.RegionTimezoneMiddleware",
]

ROOT_URLCONF = "ptsp.urls"
WSGI_APPLICATION = "ptsp.wsgi.application"
ASGI_APPLICATION = "ptsp.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "agencies.context_processors.staff_context",
                "applications.context_processors.notifications",
                "agencies.context_processors.region_identity",
                "security.csp.csp_nonce",
            ],
            # {% url %} reversed once per process for each distinct link (ptsp/links.py)
            "builtins": ["ptsp.templatetags.links"],
        },
    },
]

# --- Database ----------------------------------------------------------------------------------
# PostgreSQL everywhere (docs/adr/0012-embedded-postgresql.md). Tests and production name it in
# DATABASE_URL. Locally `make run` starts an embedded one (pgserver, data in var/pgdata) and
# writes its address to var/pgserver.url while it runs, so that `manage.py` commands typed by
# hand meanwhile reach it too.
_database_url = env_str("DATABASE_URL", None)
if PRODUCTION and not _database_url:
    env_required("DATABASE_URL", "e.g. postgres://ptsp:secret@db:5432/ptsp")
if not _database_url and (VAR_DIR / "pgserver.url").exists():
    _database_url = (VAR_DIR / "pgserver.url").read_text().strip()
if not _database_url:
    # Where the embedded server's socket is when it runs; a clear "no such file" otherwise.
    _database_url = f"postgres://postgres@/ptsp?host={VAR_DIR / 'pgdata'}"
DATABASES = {
    "default": dj_database_url.parse(_database_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured(
        f"DATABASE_URL must name a PostgreSQL database (postgres://...), not "
        f"{DATABASES['default']['ENGINE']}: the portal runs the same SQL everywhere (ADR 12)."
    )
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int("DB_CONNECT_TIMEOUT", 5)
# No `SELECT 1` round trip at the start of every request (issue 20): a persistent connection
# that died (PostgreSQL restarted) fails the one request that meets it, and Django closes it at
# that request's end (errors_occurred), so the next one reconnects. DB_CONN_HEALTH_CHECKS=true
# buys the check back where a failed request after a restart is not acceptable.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env_bool("DB_CONN_HEALTH_CHECKS", False)
if TESTING and env_str("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds throttling counters; it lives in the database so that a Redis outage never
# breaks a request and every web node shares it.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "ptsp_cache",
    }
}

# --- The client's address ---------------------------------------------------------------------
# How many reverse proxies we run in front of the app, each appending the address it saw to
# X-Forwarded-For (Caddy in docker-compose.yml: 1). ptsp.middleware.ClientAddressMiddleware sets
# REMOTE_ADDR to the TRUSTED_PROXY_COUNT-th entry from the right; 0 ignores the header (without
# a proxy a client could forge it). Every per-address limit, the access log and the API
# throttles use the result. API_NUM_PROXIES is its former name, still read when it is unset.
TRUSTED_PROXY_COUNT = env_int(
    "TRUSTED_PROXY_COUNT", env_int("API_NUM_PROXIES", 1 if PRODUCTION else 0)
)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")

# --- Accounts ----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

SESSION_COOKIE_AGE = 12 * 60 * 60
# security/sessions.py: absolute lifetime for everybody, idle timeout for staff.
# Off (0) in the test settings, where clocks are moved by days; tests/test_login_security.py
# turns them on.
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 0 if TESTING else 12 * 60 * 60)
SESSION_STAFF_IDLE_SECONDS = env_int("SESSION_STAFF_IDLE_SECONDS", 0 if TESTING else 30 * 60)
# accounts/lockout.py, the sign-in policy of every door (docs/security.md):
# failed passwords per account and address pair, and per address, within the window; past the
# pair's limit an account's attempts from all addresses wait a growing delay (at most
# LOGIN_ACCOUNT_MAX_DELAY s) within LOGIN_ACCOUNT_WINDOW; wrong second-factor codes per account
# and per address within OTP_FAILURE_WINDOW.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10)
LOGIN_FAILURE_WINDOW = env_int("LOGIN_FAILURE_WINDOW", 15 * 60)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 30)
LOGIN_ACCOUNT_WINDOW = env_int("LOGIN_ACCOUNT_WINDOW", 60 * 60)
LOGIN_ACCOUNT_MAX_DELAY = env_int("LOGIN_ACCOUNT_MAX_DELAY", 300)
OTP_FAILURE_LIMIT = env_int("OTP_FAILURE_LIMIT", 5)
OTP_FAILURE_WINDOW = env_int("OTP_FAILURE_WINDOW", 15 * 60)
# security/totp.py: the TOTP second factor. Required for these roles, optional for other staff.
# Tests turn enforcement on where they test it (the demo signers have an app: `make totp`).
TOTP_REQUIRED_ROLES = env_list("TOTP_REQUIRED_ROLES", ["signer"])
TOTP_ENFORCED = env_bool("TOTP_ENFORCED", not TESTING)
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True
# The language cookie is read by the server only.
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Language and time -------------------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Jakarta"

# --- Static and uploaded files -----------------------------------------------------------------
STATIC_URL = "/static/"
# collectstatic writes here (the Docker image does it at build time).
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION and not STATIC_ROOT.exists():
    STATIC_ROOT = None  # served from the app folders by the finders; nothing collected yet
# In the tests every Client builds its own middleware chain, and WhiteNoise's start — a scan of
# every static file, ≈ 30 ms — was paid once per client (thousands of times a run). There it
# finds a file when it is asked for (its autorefresh mode, as for a development server); a
# served process scans once, at start.
WHITENOISE_AUTOREFRESH = TESTING

# Uploaded documents and signed permits are private: there is no MEDIA_URL route, they are read
# only through permission-checked views. Locally the file system, in production S3 (MinIO).
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGE_BACKEND = env_str("STORAGE_BACKEND", "local")
if STORAGE_BACKEND == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_required("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL"),
            "access_key": env_required("AWS_ACCESS_KEY_ID"),
            "secret_key": env_required("AWS_SECRET_ACCESS_KEY"),
            "region_name": env_str("AWS_S3_REGION_NAME", "us-east-1"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
elif STORAGE_BACKEND == "local":
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": None},
    }
else:
    raise ImproperlyConfigured(f"STORAGE_BACKEND must be local or s3, not {STORAGE_BACKEND!r}.")
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# --- E-mail ------------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "PTSP Online <noreply@ptsp.local>")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10

# --- Celery ------------------------------------------------------------------------------------
# Reliability defaults, explained in docs/adr/0003-celery-and-the-outbox.md.
# Locally `make run` starts its own Redis on a free port recorded in var/redis.port.
_local_redis_port = VAR_DIR / "redis.port"
CELERY_BROKER_URL = env_str(
    "CELERY_BROKER_URL",
    f"redis://127.0.0.1:{_local_redis_port.read_text().strip()}/0"
    if not PRODUCTION and _local_redis_port.exists()
    else "redis://127.0.0.1:6399/0",
)

# --- Sessions (issue 20) -----------------------------------------------------------------------
# Read from Redis on the hot path, kept in the database as the record; when Redis is down they
# are read from the database and nobody is logged out (security/session_store.py, whose fence
# keeps a Redis that comes back from serving a session changed meanwhile). The session cache is
# the broker's Redis unless SESSION_CACHE_URL names another; its timeouts are short so that a
# Redis that does not answer costs a request little, after which it is skipped for a while.
SESSION_ENGINE = "security.session_store"
SESSION_CACHE_ALIAS = "sessions"
CACHES["sessions"] = {
    # Django's Redis cache, one client object per pool rather than per operation
    "BACKEND": "ptsp.redis_cache.RedisCache",
    "LOCATION": env_str("SESSION_CACHE_URL", CELERY_BROKER_URL),
    "KEY_PREFIX": "ptsp",
    "OPTIONS": {
        "socket_connect_timeout": env_int("SESSION_CACHE_TIMEOUT_MS", 200) / 1000,
        "socket_timeout": env_int("SESSION_CACHE_TIMEOUT_MS", 200) / 1000,
    },
}
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker keeps its database connection from task to task under Django's own rule for a request
# (closed once older than CONN_MAX_AGE or after an error: ptsp/celery.py). Without this Celery's
# Django fixup closes it before and after every task, so each task paid a new PostgreSQL
# connection (a backend started, its SET TIME ZONE): a third of the worker's time under load.
# Celery still recycles it every this many tasks.
CELERY_DB_REUSE_MAX = 1000
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A task not acknowledged within this time is given to another worker (acks_late). Longer
    # than the longest task's hard time limit plus its retry countdown, so that Redis never
    # hands a running task to a second worker; a killed worker's task is handed over again
    # sooner by the outbox reconciler (OUTBOX_REDELIVER_SECONDS; docs/adr/0003).
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 180),
    # How often a worker looks for messages whose worker died (period ≈ interval × throttle s).
    "unacked_restore_interval": env_int("CELERY_UNACKED_RESTORE_INTERVAL", 10),
    "unacked_restore_throttle": env_int("CELERY_UNACKED_RESTORE_THROTTLE", 10),
    "socket_connect_timeout": 1,
    "socket_timeout": 2,
}
CELERY_TASK_PUBLISH_RETRY = False
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# Shutdown (docs/deploy.md "Stopping and graceful shutdown"): the compose file sets
# REMAP_SIGTERM=SIGQUIT for the worker, so SIGTERM starts a cold shutdown that first waits this
# long for running tasks, then cancels the rest, whose messages (acks_late, not acknowledged)
# go back to the queue for another worker. Keep it below the service's stop_grace_period.
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = float(env_int("CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT", 30))
# Our LOGGING (JSON, request id, redaction) applies in workers too.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_WORKER_REDIRECT_STDOUTS = False
# One scheduler sends the periodic work, however many run (ptsp/observability/scheduler.py).
CELERY_BEAT_SCHEDULER = "ptsp.observability.scheduler:LockedScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = 5
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = "UTC"
OUTBOX_RELAY_SECONDS = env_int("OUTBOX_RELAY_SECONDS", 5)
# Work handed over but not completed after this long (the broker lost it, the worker died) is
# handed over again; a retry's countdown moves the time on. After OUTBOX_MAX_REDELIVERIES the
# message is marked failed and logged (docs/adr/0003-celery-and-the-outbox.md).
OUTBOX_REDELIVER_SECONDS = env_int("OUTBOX_REDELIVER_SECONDS", 30)
OUTBOX_MAX_REDELIVERIES = env_int("OUTBOX_MAX_REDELIVERIES", 10)
# A request's after-commit publish waits at most this long (milliseconds) for the broker; after
# a failure the request path stops trying for OUTBOX_BREAKER_SECONDS and leaves the work to the
# relay (in beat and in every worker).
OUTBOX_PUBLISH_TIMEOUT_MS = env_int("OUTBOX_PUBLISH_TIMEOUT_MS", 50)
OUTBOX_BREAKER_SECONDS = env_int("OUTBOX_BREAKER_SECONDS", 15)
# The relay's own publish timeout (seconds): it runs in the background, not in a request.
OUTBOX_RELAY_PUBLISH_TIMEOUT = env_int("OUTBOX_RELAY_PUBLISH_TIMEOUT", 3)
# Every worker also runs the relay in a thread (outbox.worker), so work moves when beat is down.
# Off by default under tests (in-process test workers); the fault tests turn it on.
OUTBOX_RELAY_IN_WORKER = env_bool("OUTBOX_RELAY_IN_WORKER", not TESTING)
# Tests run outbox work in-process (outbox.testing.run_pending) unless a test turns this on to
# exercise a real broker and worker.
OUTBOX_PUBLISH_ON_COMMIT = env_bool("OUTBOX_PUBLISH_ON_COMMIT", not TESTING)
SLA_SWEEP_SECONDS = env_int("SLA_SWEEP_SECONDS", 600)
INVARIANT_CHECK_SECONDS = env_int("INVARIANT_CHECK_SECONDS", 60)
CELERY_BEAT_SCHEDULE = {
    "outbox-relay": {"task": "outbox.tasks.relay", "schedule": float(OUTBOX_RELAY_SECONDS)},
    # Issuance: expire permits past their validity and remind holders 30 days before (daily).
    "permits-daily-expiry": {
        "task": "permits.tasks.daily_expiry",
        "schedule": crontab(hour=17, minute=5),  # 00:05 WIB
    },
    "sla-sweep": {"task": "agencies.tasks.sla_sweep", "schedule": float(SLA_SWEEP_SECONDS)},
    # Levies: an STRD for each overdue bill whose interest months grew, and each bill past its
    # last payable day expired per the region's rule (fees.cases.levy_sweep; hourly, so a
    # region's midnight is caught within the hour whatever its time zone; idempotent).
    "fees-levy-sweep": {"task": "fees.tasks.levy_sweep", "schedule": crontab(minute=20)},
    # The applicant's correction periods (issue 18 part B): reminders and lapses, same cadence.
    "corrections-sweep": {
        "task": "applications.tasks.corrections_sweep",
        "schedule": float(SLA_SWEEP_SECONDS),
    },
    # The dashboard's daily summary of finished reviews, up to yesterday (monitoring.summary).
    "monitoring-review-days": {"task": "monitoring.tasks.review_days_refresh", "schedule": 600.0},
    # OSS requirement files whose fetch failed: tried again after their back-off (oss/tasks.py).
    "oss-requirement-files": {"task": "oss.tasks.retry_requirement_files", "schedule": 60.0},
    # Work whose effect is missing is enqueued again (operations.invariants, ADR 0003).
    "check-invariants": {
        "task": "operations.tasks.check_invariants",
        "schedule": float(INVARIANT_CHECK_SECONDS),
    },
}

# --- OSS-RBA (docs/oss.md, "Phase 2 — outbound") ------------------------------------------------
# A retryable delivery waits OSS_RETRY_BASE_SECONDS, then twice as long each time, at most
# OSS_RETRY_MAX_SECONDS; after OSS_RETRY_GIVE_UP_SECONDS (3 days) it is shown as refused.
OSS_RETRY_BASE_SECONDS = env_int("OSS_RETRY_BASE_SECONDS", 30)
OSS_RETRY_MAX_SECONDS = env_int("OSS_RETRY_MAX_SECONDS", 3600)
OSS_RETRY_GIVE_UP_SECONDS = env_int("OSS_RETRY_GIVE_UP_SECONDS", 3 * 24 * 3600)
# How long the link OSS fetches a permit's PDF from stays valid (days).
OSS_FILE_LINK_DAYS = env_int("OSS_FILE_LINK_DAYS", 7)
# The reconciliation looks at files delivered in the last OSS_RECONCILE_DAYS days.
OSS_RECONCILE_DAYS = env_int("OSS_RECONCILE_DAYS", 7)
CELERY_BEAT_SCHEDULE |= {
    "oss-deliver-due": {"task": "oss.tasks.deliver_due", "schedule": 60.0},
    "oss-reconcile": {
        "task": "oss.tasks.reconcile",
        "schedule": crontab(hour=18, minute=15),  # 01:15 WIB
    },
}

# --- Issuance ----------------------------------------------------------------------------------
# The deployment's certificate: it signs for every region without a certificate of its own.
SIGNING_CERT_PATH = env_str("SIGNING_CERT_PATH", str(VAR_DIR / "signing" / "dev-signer.p12"))
SIGNING_CERT_PASSPHRASE = env_str("SIGNING_CERT_PASSPHRASE", "")
# A region's own certificate (permits.signing.certificate_for): SIGNING_CERT_PATH_<CODE> if set,
# else SIGNING_CERT_DIR/<CODE>.p12 if that file exists; its passphrase
# SIGNING_CERT_PASSPHRASE_<CODE> if set, else SIGNING_CERT_PASSPHRASE. With
# SIGNING_CERT_PER_REGION a region without one cannot sign (instead of using the deployment's).
SIGNING_CERT_DIR = env_str("SIGNING_CERT_DIR", str(VAR_DIR / "signing" / "regions"))
# Unset: on as soon as the deployment has more than one region (permits.signing.per_region_rule);
# "false" lets such a deployment fall back to its own certificate (each fallback is logged).
SIGNING_CERT_PER_REGION = (
    env_bool("SIGNING_CERT_PER_REGION") if os.environ.get("SIGNING_CERT_PER_REGION") else None
)
_region_cert_paths = env_by_suffix("SIGNING_CERT_PATH_")
_region_cert_passphrases = env_by_suffix("SIGNING_CERT_PASSPHRASE_")
# {"BTG": {"path": "/run/secrets/btg.p12" or None, "passphrase": "…" or None}}; None: not set.
SIGNING_CERTS = {
    code: {"path": _region_cert_paths.get(code), "passphrase": _region_cert_passphrases.get(code)}
    for code in sorted({*_region_cert_paths, *_region_cert_passphrases})
}
# The trust roots of the verification page: one PEM file, which may hold several certificates
# (e.g. the BSrE root and an older root).
SIGNING_CA_PATH = env_str("SIGNING_CA_PATH", str(VAR_DIR / "signing" / "dev-ca.pem"))
TSA_URL = env_str("TSA_URL", "")
# PAdES level of the permits: "" = B-T when TSA_URL is set, else B-B (as before); "B-LT" embeds
# revocation information (OCSP/CRL, fetched at signing from the URLs in the certificates) in the
# document's DSS and adds a document timestamp, and needs TSA_URL (permits.pades).
SIGNING_PADES_LEVEL = env_str("SIGNING_PADES_LEVEL", "")
if SIGNING_PADES_LEVEL not in {"", "B-B", "B-T", "B-LT"}:
    raise ImproperlyConfigured("SIGNING_PADES_LEVEL must be B-B, B-T or B-LT (or unset).")
# Where the development certificates say their OCSP responder and CRL are
# (make_dev_signing_cert; served by permits.revocation, `manage.py serve_dev_revocation`).
SIGNING_DEV_REVOCATION_URL = env_str("SIGNING_DEV_REVOCATION_URL", "http://127.0.0.1:8790")

# --- OSS-RBA (oss/): OSS's pushes to us (docs/oss.md, "Phase 2 — inbound") ------------------
# The largest receiveNIB / receiveFileDS body taken (a full push is about 20 KB).
OSS_INBOUND_MAX_BODY_BYTES = env_int("OSS_INBOUND_MAX_BODY_BYTES", 2 * 1024 * 1024)
# The pushes taken per window (`ptsp.ratelimit`) from one source address, and to one region's
# pair of endpoints (all addresses together); over either, HTTP 429 in the guide's shape and
# nothing recorded. 0 switches a limit off (the receiveNIB benchmark).
OSS_INBOUND_RATE_WINDOW_SECONDS = env_int("OSS_INBOUND_RATE_WINDOW_SECONDS", 60)
OSS_INBOUND_RATE_PER_ADDRESS = env_int("OSS_INBOUND_RATE_PER_ADDRESS", 600)
OSS_INBOUND_RATE_PER_REGION = env_int("OSS_INBOUND_RATE_PER_REGION", 1200)
# Connect and read time-out of one requirement-file download (seconds).
OSS_FILE_TIMEOUT = float(env_str("OSS_FILE_TIMEOUT", "20"))

# --- BSrE (bsre/): the Esign Client Service and central hash signing ---------------------------
# One account per deployment for now (per region and per signer in phase 2 of issue 19). The
# simulator (`python -m bsre.simulator serve`) speaks the same API on a local port.
BSRE_BASE_URL = env_str("BSRE_BASE_URL", "http://127.0.0.1:8791")
BSRE_USERNAME = env_str("BSRE_USERNAME", "")
BSRE_PASSWORD = env_str("BSRE_PASSWORD", "")
BSRE_CONNECT_TIMEOUT = float(env_str("BSRE_CONNECT_TIMEOUT", "5"))
BSRE_READ_TIMEOUT = float(env_str("BSRE_READ_TIMEOUT", "60"))
BSRE_TOKEN_URL = env_str("BSRE_TOKEN_URL", "")
BSRE_HASH_SIGN_PATH = env_str("BSRE_HASH_SIGN_PATH", "/api/v2/sign/hash")
BSRE_CLIENT_ID = env_str("BSRE_CLIENT_ID", "")
BSRE_CLIENT_SECRET = env_str("BSRE_CLIENT_SECRET", "")
# Files per sign/pdf request under a passphrase (a one-time code sends the whole batch at once);
# 1 is what regional services have shown to work (docs/issuance.md, BSrE).
BSRE_FILES_PER_REQUEST = env_int("BSRE_FILES_PER_REQUEST", 1)
# The credential's way from the sign request to the worker (docs/adr/0010-bsre-credential-sealed-token.md):
# a sealed token (AES-256-GCM) that opens for this long; the key from BSRE_SEALING_KEY
# (base64, 32 bytes; several comma-separated for rotation, the first seals). Required in
# production; elsewhere, when unset, derived from SECRET_KEY.
BSRE_SEALED_TTL_SECONDS = env_int("BSRE_SEALED_TTL_SECONDS", 300)
BSRE_SEALING_KEY = env_str("BSRE_SEALING_KEY", "")
if PRODUCTION:
    _sealing_keys = [k.strip() for k in BSRE_SEALING_KEY.split(",") if k.strip()]
    if not _sealing_keys:
        raise ImproperlyConfigured(
            "BSRE_SEALING_KEY must be set in production (base64 of 32 random bytes: "
            "openssl rand -base64 32); it is not derived from SECRET_KEY there."
        )
    for _sealing_key in _sealing_keys:
        try:
            _sealing_ok = len(base64.b64decode(_sealing_key, validate=True)) == 32
        except binascii.Error:
            _sealing_ok = False
        if not _sealing_ok:
            raise ImproperlyConfigured(
                "BSRE_SEALING_KEY must be base64 of 32 bytes (several comma-separated to rotate)."
            )
# The public verification page's file checks (a pyHanko validation each, CPU-heavy), per client
# address and per permit (from all addresses) within the window; the page and the API share
# them (permits.verification.file_check_count).
VERIFY_CHECK_WINDOW_SECONDS = env_int("VERIFY_CHECK_WINDOW_SECONDS", 10 * 60)
VERIFY_CHECKS_PER_WINDOW = env_int("VERIFY_CHECKS_PER_WINDOW", 20)
VERIFY_CHECKS_PER_PERMIT = env_int("VERIFY_CHECKS_PER_PERMIT", 60)

# --- REST API ----------------------------------------------------------------------------------
# Every API token expires: at most this many days after it is made (api.services).
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90)
if API_TOKEN_DAYS < 1:
    raise ImproperlyConfigured("API_TOKEN_DAYS must be 1 or more.")
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiAutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so that an anonymous request is answered 401 with a WWW-Authenticate header.
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "api.permissions.TokenHasScope",
        "api.permissions.HasRole",
    ],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.ApiPagination",
    "PAGE_SIZE": 25,
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    # Counted in the database cache (CACHES above), per person and per anonymous IP address.
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.PerUserThrottle",
        "api.throttling.PerAnonymousIpThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env_str("API_THROTTLE_USER", "1200/hour"),
        "anon": env_str("API_THROTTLE_ANON", "120/hour"),
    },
    # The anonymous throttle counts by REMOTE_ADDR, which ClientAddressMiddleware has already
    # set to the client's address behind TRUSTED_PROXY_COUNT proxies: DRF must not read
    # X-Forwarded-For a second time (it would count a malformed header as an address).
    "NUM_PROXIES": 0,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PTSP Online API",
    "DESCRIPTION": (
        "Every journey of PTSP Online (the catalog, applications, intake, technical review, "
        "signing, verification) with the same rules as the web pages. Authenticate with a "
        "browser session or a scoped token (`Authorization: Bearer ptsp_…`). Errors have one "
        'shape: `{"error": {"code", "message", "fields"}}`, messages in the language '
        "of `Accept-Language` (Indonesian by default). See docs/api.md."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"ApplicationStatusEnum": "applications.models.Status"},
    # The regional bank's host-to-host endpoints (fees.h2h, not DRF views) in the same document.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.h2h_paths",
    ],
}

# --- Security ----------------------------------------------------------------------------------
# The Content Security Policy (django-csp; security/csp.py): a fresh nonce per request for our
# own scripts and styles, no external host, no plugin, no framing (our own inline documents
# excepted).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF, CSP_NONCE],
        "style-src": [CSP_SELF, CSP_NONCE],
        "img-src": [CSP_SELF, "data:"],
        "font-src": [CSP_SELF],
        "connect-src": [CSP_SELF],
        "frame-src": [CSP_SELF],
        "object-src": [CSP_NONE],
        "base-uri": [CSP_NONE],
        "form-action": [CSP_SELF],
        "frame-ancestors": [CSP_NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Probes and scrapes come over plain HTTP from inside the network (docs/deploy.md).
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$", r"^metrics$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Uploads: the virus-scanning hook (security/scanning.py) streams every upload to clamd when
# CLAMAV_SOCKET (a Unix socket) or CLAMAV_HOST/CLAMAV_PORT is set; and a quota per applicant.
CLAMAV_SOCKET = env_str("CLAMAV_SOCKET", "")
CLAMAV_HOST = env_str("CLAMAV_HOST", "")
CLAMAV_PORT = env_int("CLAMAV_PORT", 3310)
CLAMAV_TIMEOUT = env_int("CLAMAV_TIMEOUT", 10)
UPLOAD_QUOTA_BYTES = env_int("UPLOAD_QUOTA_BYTES", 200 * 1024 * 1024)

# --- Metrics -----------------------------------------------------------------------------------
# /metrics (and a worker's METRICS_PORT) answer only to "Authorization: Bearer <METRICS_TOKEN>";
# without a token metrics are off. PROMETHEUS_MULTIPROC_DIR: see ptsp/observability/metrics.py.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
if PRODUCTION and METRICS_TOKEN and len(METRICS_TOKEN) < 24:
    raise ImproperlyConfigured("METRICS_TOKEN must be at least 24 random characters.")

# --- Logging -----------------------------------------------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {
        # JSON lines in production, one readable line locally; every line carries the request
        # id / user id / task id / tracking number and is stripped of personal data
        # (ptsp/observability/logging.py).
        "console": {
            "()": "ptsp.observability.logging.console_handler",
            "json": env_bool("LOG_JSON", PRODUCTION),
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint narrates every step of every PDF at INFO: not news.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # runserver's own request line repeats ptsp.access's; its 4xx/5xx lines still show.
        "django.server": {"level": "WARNING"},
    },
}

# --- Levies: the banks' host-to-host interface (fees.h2h, docs/fees.md §7) ---
# Per bank: FEES_BANK_SECRET_<BANKID>=<secret>[,<next secret during a rotation>] and
# FEES_BANK_REGION_<BANKID>=<region code>. None set outside production: the simulator's demo
# banks (fees.simulator.DEMO_BANKS) for Bontang and Palembang.
FEES_BANK_SECRETS = env_by_suffix("FEES_BANK_SECRET_", r"[A-Z0-9_-]{2,32}")
FEES_BANK_REGIONS = env_by_suffix("FEES_BANK_REGION_", r"[A-Z0-9_-]{2,32}")
FEES_H2H_WINDOW_SECONDS = env_int("FEES_H2H_WINDOW_SECONDS", 300)
