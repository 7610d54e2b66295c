"""Settings shared by every environment, read from the environment with embedded defaults.

Nothing here needs a running service: with no environment at all the console uses a SQLite
file and a file-based Celery broker under ``var/``, and prints e-mail to the console.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_list

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Django's admin, on the ops site that refuses impossible rows in every ModelAdmin.
    "sites.ops_admin.OpsAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    # Bootstrap's CSS and JS come from this package's static files: no CDN, no copied vendor files.
    "bootstrap",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
    # Swagger UI and Redoc from this package's static files: no CDN.
    "drf_spectacular_sidecar",
    "sites",
    "promocodes",
    "payments",
    "api",
    "monitoring",
]

MIDDLEWARE = [
    # First, so that every log line and every answer of a request carries its id and is timed.
    "monitoring.middleware.RequestIdMiddleware",
    "monitoring.middleware.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "webexcommerce.urls"
WSGI_APPLICATION = "webexcommerce.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'webexcommerce.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
# SQLite (the embedded default) is shared by the web server, the worker and beat. WAL lets
# readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN, because a
# transaction that reads and then writes cannot wait for the lock (SQLite answers "database is
# locked" at once); the busy timeout makes a writer wait for the lock instead of failing.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE",
        timeout=float(os.environ.get("SQLITE_BUSY_TIMEOUT_SECONDS", "20")),
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    )
# Cache shared by every process: Redis when configured, else files under var/.
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["CACHE_URL"],
        }
        if os.environ.get("CACHE_URL")
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "site-picker"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: five failures for one user name from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# dd/mm/yyyy everywhere (as the Webex administration pages, docs/administrators.md), ISO dates
# from browser pickers accepted too.
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
FORMAT_MODULE_PATH = ["webexcommerce.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [
    BASE_DIR / "static",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Content Security Policy: no inline script anywhere, everything from this origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "form-action": ["'self'", *env_list("CSP_FORM_ACTION_EXTRA")],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# REST API (issue 14): API keys or a console session (with CSRF), JSON only, one error shape,
# a rate per key. See api/ and docs/api.md.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"api": os.environ.get("API_RATE_LIMIT", "1200/minute")},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DATETIME_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Webex e-commerce API",
    "DESCRIPTION": (
        "Promo codes, sessions, transactions and commerce settings of a Webex site. "
        "Authenticate with `Authorization: Bearer <API key>` (the site's API keys page). "
        'Every error answers `{"error": {"status", "code", "message", "fields"}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Path parameters keep their URLconf names (pk), as the requests the tests check name them.
    "SCHEMA_COERCE_PATH_PK": False,
    "ENUM_NAME_OVERRIDES": {
        "PromoCodeStatusEnum": "promocodes.models.Status",
        "PaymentStatusEnum": "payments.models.PaymentStatus",
        "RefundStatusEnum": ["failed", "pending", "refunded"],
    },
}
# A repeated Idempotency-Key waits this long for the first request's answer.
API_IDEMPOTENCY_WAIT_SECONDS = float(os.environ.get("API_IDEMPOTENCY_WAIT_SECONDS", "10"))
# An Idempotency-Key's first answer is kept this long (Stripe documents 24 hours for its
# own keys); after it, the same key is a new request. Beat deletes the expired records.
API_IDEMPOTENCY_RETENTION_HOURS = float(os.environ.get("API_IDEMPOTENCY_RETENTION_HOURS", "24"))
API_IDEMPOTENCY_PURGE_INTERVAL_SECONDS = float(
    os.environ.get("API_IDEMPOTENCY_PURGE_INTERVAL_SECONDS", "3600")
)

# E-mail: printed to the console unless an SMTP host is configured.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds an SMTP exchange may block (shorter than PROMOCODE_EMAIL_CLAIM_SECONDS).
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "60"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Webex e-commerce <no-reply@localhost>")

# Celery: Redis in production; a file-based broker under var/ when nothing is configured.
#
# Delivery is at least once, and every task is written to be run twice safely (batches resume
# from their last committed chunk, e-mails are claimed before sending):
# * late acks: a message is acknowledged when its task has finished, not when it arrives, so
#   a worker that dies mid-task leaves it unacknowledged and the broker delivers it again;
# * reject on worker lost: a pool process killed mid-task (OOM, SIGKILL) sends its message
#   back to the queue instead of acknowledging it as failed;
# * prefetch 1: a worker reserves one message per process, so a dying worker holds few;
# * a hard time limit on every task, and Redis's visibility timeout longer than that limit
#   plus the longest countdown a task retries with: Redis hands an unacknowledged message to
#   another worker once the timeout has passed, so a shorter timeout would run a task twice
#   *while it is still running*, and a longer one only delays redelivery after a crash. That
#   delay no longer matters for what a person sees: the beat task ``promocodes.tasks.
#   resume_stalled_work`` queues stalled work again after a few minutes (below).
# The file broker of the embedded demo deletes a message as soon as a worker reads it (it has
# no acknowledgements): a task lost there is recovered by the same beat task.
CELERY_TASK_TIME_LIMIT = int(os.environ.get("CELERY_TASK_TIME_LIMIT_SECONDS", "1800"))
# The longest countdown a task is retried after (the e-mails' backoff ceiling).
CELERY_LONGEST_COUNTDOWN_SECONDS = 600
CELERY_VISIBILITY_TIMEOUT_SECONDS = int(
    os.environ.get(
        "CELERY_VISIBILITY_TIMEOUT_SECONDS",
        str(2 * (CELERY_TASK_TIME_LIMIT + CELERY_LONGEST_COUNTDOWN_SECONDS)),
    )
)


def broker_transport_options(broker_url: str) -> dict:
    """The transport options of ``broker_url``: folders under var/ for the file broker, the
    visibility timeout for any other (Redis). A settings module that changes the broker URL
    sets ``CELERY_BROKER_TRANSPORT_OPTIONS`` again with this."""
    if broker_url != "filesystem://":
        return {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT_SECONDS}
    broker_dir = VAR_DIR / "celery-broker"
    for sub in ("out", "processed", "control"):
        (broker_dir / sub).mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(broker_dir / "out"),
        "data_folder_out": str(broker_dir / "out"),
        "data_folder_processed": str(broker_dir / "processed"),
        "store_processed": False,
        "control_folder": str(broker_dir / "control"),
    }


CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = broker_transport_options(CELERY_BROKER_URL)
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
# No task keeps a result: nothing reads one (progress and outcomes are rows in the database).
# With a Redis result backend, every enqueue would first subscribe to the result's channel,
# which blocks the caller ~20 s (then fails) while Redis is down; without it, a refused
# message fails in about a second.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_HEARTBEAT_INTERVAL = float(os.environ.get("CELERY_HEARTBEAT_INTERVAL", "60"))
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {
        "task": "sites.tasks.heartbeat",
        "schedule": CELERY_HEARTBEAT_INTERVAL,
    },
    # Promotional codes past their expiration day (in their site's time zone) → Expired.
    "promocodes-expire": {
        "task": "promocodes.tasks.expire_due_codes",
        "schedule": float(os.environ.get("PROMOCODE_EXPIRY_INTERVAL_SECONDS", "300")),
    },
}

# Reports: a report draws its charts inline only over at most this many filtered rows (their
# aggregates read every row); above it the page links to them (sites/report_charts.py).
REPORT_CHARTS_INLINE_MAX_ROWS = int(os.environ.get("REPORT_CHARTS_INLINE_MAX_ROWS", "20000"))

# Promotional codes: creation chunks, and the recovery of stalled work (promocodes/recovery.py).
# A batch commits a chunk of codes at a time (about a second on PostgreSQL for 10,000).
PROMOCODE_GENERATION_CHUNK = int(os.environ.get("PROMOCODE_GENERATION_CHUNK", "10000"))
# A batch with no sign of life for this long has lost its worker: it is queued again, and
# after this many interrupted runs it ends Failed (an administrator may Retry it).
PROMOCODE_BATCH_STALL_SECONDS = float(os.environ.get("PROMOCODE_BATCH_STALL_SECONDS", "180"))
PROMOCODE_BATCH_MAX_ATTEMPTS = int(os.environ.get("PROMOCODE_BATCH_MAX_ATTEMPTS", "3"))
# An e-mail's claim older than this belongs to a dead worker and may be claimed again; it must
# exceed the SMTP timeout (EMAIL_TIMEOUT), so that a live sender's claim never expires.
PROMOCODE_EMAIL_CLAIM_SECONDS = float(os.environ.get("PROMOCODE_EMAIL_CLAIM_SECONDS", "300"))
# An e-mail still unsent after this many claims ends Failed.
PROMOCODE_EMAIL_MAX_ATTEMPTS = int(os.environ.get("PROMOCODE_EMAIL_MAX_ATTEMPTS", "12"))
CELERY_BEAT_SCHEDULE["promocodes-resume-stalled"] = {
    "task": "promocodes.tasks.resume_stalled_work",
    "schedule": float(os.environ.get("PROMOCODE_RECOVERY_INTERVAL_SECONDS", "60")),
}
CELERY_BEAT_SCHEDULE["api-idempotency-purge"] = {
    "task": "api.tasks.purge_idempotency_records",
    "schedule": API_IDEMPOTENCY_PURGE_INTERVAL_SECONDS,
}

# Health and metrics (monitoring/). /readyz fails when the worker's heartbeat or beat's
# publication of it is older than this (default: three heartbeat intervals).
HEALTH_HEARTBEAT_MAX_AGE_SECONDS = float(
    os.environ.get("HEALTH_HEARTBEAT_MAX_AGE_SECONDS", str(3 * CELERY_HEARTBEAT_INTERVAL))
)

# PayPal and payments, and the operators' logs and metrics, each in a module of its own.
from .operations import *  # noqa: E402, F403
from .paypal import *  # noqa: E402, F403
from .paypal import PAYMENTS_BEAT_SCHEDULE  # noqa: E402

CELERY_BEAT_SCHEDULE.update(PAYMENTS_BEAT_SCHEDULE)
