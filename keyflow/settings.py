"""Keyflow settings: one module, read from the environment.

With no environment at all Keyflow runs embedded: SQLite (IMMEDIATE transactions) and a Celery broker kept
in files under var/, so a newcomer needs no server. Set DATABASE_URL and CELERY_BROKER_URL for PostgreSQL and
Redis; set KEYFLOW_PRODUCTION=1 for the hardened mode that passes `manage.py check --deploy`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

PRODUCTION = env.bool("KEYFLOW_PRODUCTION", default=False)
DEBUG = env.bool("DEBUG", default=not PRODUCTION)

if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY")  # no default: production must be given one
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="keyflow-development-only-not-secret")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "django_filters",
    "knox",
    "django_fsm_log",
    "viewflow",
    "viewflow.workflow",
    "processes",
    "workflows",
    "notifications",
    "accounts",
    "demo",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    # Last, as django-axes asks: it turns a locked-out log-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "keyflow.urls"
WSGI_APPLICATION = "keyflow.wsgi.application"

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
                "processes.context_processors.staff",
            ],
            # One way to write a date or an age on every page (processes/dates.py).
            "builtins": ["processes.templatetags.dates"],
        },
    },
]


KEYFLOW_LOCK_TIMEOUT_MS = env.int("KEYFLOW_LOCK_TIMEOUT_MS", default=3000)


def _database() -> dict:
    db = env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'keyflow.sqlite3'}")
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # IMMEDIATE takes the write lock at BEGIN, so two completions of one task queue up instead of
        # failing half-way with "database is locked" when the reader upgrades to a writer.
        db.setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
        if db["NAME"] not in ("", ":memory:"):
            Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    else:
        db.setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
        db.setdefault("CONN_HEALTH_CHECKS", True)
        # No statement waits longer than this for a row another holds (a step, the admin saving a child):
        # it gives up with "being updated, try again" (workflows.services) instead of queueing requests
        # behind a slow one. Set once per connection, so a step spends no statement on it.
        options = db.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c lock_timeout={KEYFLOW_LOCK_TIMEOUT_MS}".strip()
        if env.bool("KEYFLOW_DB_PREPARED", default=True):
            # Parameters sent apart from the SQL, and a statement run five times on a connection prepared
            # there: PostgreSQL stops planning the step's and the inbox's queries on every call, which was a
            # third of their database time (scripts/bench.py). Off behind a pooler that cannot keep prepared
            # statements (PgBouncer in transaction mode before 1.21).
            options.setdefault("server_side_binding", True)
            options.setdefault("prepare_threshold", 5)
    return db


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# A password reset link (accounts.password_reset) works once, for a day.
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.str("STATIC_ROOT", default=str(VAR_DIR / "static"))
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request without it
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "keyflow.storage.KeyflowStaticStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# E-mail: console in development so nothing leaves the machine; EMAIL_URL (smtp://…) in production.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Keyflow <keyflow@localhost>")

# Celery. The embedded default is a broker kept in files: a real worker and beat, no server to install.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue = VAR_DIR / "celery-queue"
    _queue.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue),
        "data_folder_out": str(_queue),
        "control_folder": str(VAR_DIR / "celery-control"),
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
# Late acknowledgement: a worker that dies mid-task leaves the message for another worker.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "reroute-key-person-tasks": {"task": "notifications.tasks.reroute_key_person_tasks", "schedule": 60 * 60},
    # A process whose after-commit start was lost (workflows.follow_on) is started by the next sweep.
    "start-missing-follow-ons": {"task": "workflows.tasks.start_missing_follow_ons", "schedule": 60 * 60},
    # Notifications (notifications/sweeps.py): each sweep is safe to run twice, so a missed or doubled beat
    # neither loses nor repeats a notice.
    "send-reminders": {"task": "notifications.tasks.send_reminders", "schedule": 15 * 60},
    "send-escalations": {"task": "notifications.tasks.send_escalations", "schedule": 60 * 60},
    "send-digests": {"task": "notifications.tasks.send_digests", "schedule": crontab(hour=7, minute=0)},
    "announce-lifecycle-dates": {"task": "notifications.tasks.announce_lifecycle_dates",
                                 "schedule": crontab(hour=6, minute=30)},
    "resend-stuck-notifications": {"task": "notifications.tasks.resend_stuck_notifications", "schedule": 10 * 60},
    # The progress check at two begins as a child turns two (workflows.two_year_check); idempotent.
    "open-two-year-checks": {"task": "workflows.tasks.two_year_checks_open", "schedule": crontab(hour=6, minute=15)},
    # The register (workflows.absence): once a setting's check time has passed, each child expected and not in
    # is followed up, once per child and day however often this runs.
    "raise-absence-follow-ups": {"task": "notifications.tasks.raise_absence_follow_ups", "schedule": 15 * 60},
    "find-injury-patterns": {"task": "notifications.tasks.find_injury_patterns",
                             "schedule": crontab(hour=19, minute=0)},
    "schedule-supervisions": {"task": "notifications.tasks.schedule_supervisions",
                              "schedule": crontab(hour=6, minute=0)},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
        # Per-user API tokens for integrations (accounts.tokens): revocable, only a digest stored.
        "knox.auth.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "keyflow.api_errors.exception_handler",
}
REST_KNOX = {"TOKEN_TTL": dt.timedelta(days=90), "AUTO_REFRESH": False}
# CSV exports (processes.csv_export): a cell beginning "=" is not run as a formula by the spreadsheet opening it.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
SPECTACULAR_SETTINGS = {
    "TITLE": "Keyflow API",
    "DESCRIPTION": "The task inbox and the key person workflows of an early-years setting.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "ENUM_NAME_OVERRIDES": {"SessionEnum": "processes.sessions.CODES"},
}

# Special-category data: sessions end when the browser closes and after an idle hour.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=60 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

KEYFLOW = {
    # Where the demo log-ins and the app are announced by `make run`.
    "BASE_URL": env.str("KEYFLOW_BASE_URL", default="http://127.0.0.1:8000"),
}

# --- Access: log-in rate limiting, two-factor log-in, content security policy (README.md, "Security") ---
# django-axes counts failed log-ins per user name and address; the first backend refuses a locked-out pair.
# Behind the reverse proxy the address is the proxy's (REMOTE_ADDR), so in effect the count is per user name.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"

# Managers and SENCOs read every child's SEN, health and family details: a stolen password must not be enough.
KEYFLOW_REQUIRE_2FA_FOR_MANAGERS = env.bool("KEYFLOW_REQUIRE_2FA_FOR_MANAGERS", default=PRODUCTION)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Keyflow")

# No inline script or style anywhere (the templates and Django's admin load files only), so 'self' suffices.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],  # Pico CSS draws its form icons as data: SVGs
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# The API's schema lists the endpoints; nobody outside needs it (README.md, "Security").
SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"] = ["rest_framework.permissions.IsAuthenticated"]
REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"] = [
    *REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"], "accounts.permissions.SecondFactorDone",
]

# Data protection: how long each kind of record is kept (processes.retention; README "Data protection").
# "after": "leaving" counts from the day the child left (or was withdrawn), "birth" from the date of birth.
KEYFLOW_RETENTION = {
    "general": {"after": "leaving", "years": 3, "months": 0},
    "accident": {"after": "birth", "years": 21, "months": 3},
    "sen": {"after": "birth", "years": 25, "months": 0},
    "safeguarding": {"after": "birth", "years": 25, "months": 0},
}
CELERY_BEAT_SCHEDULE["purge-expired-records"] = {
    "task": "notifications.tasks.purge_expired_records",
    "schedule": crontab(hour=2, minute=30),  # nightly, in TIME_ZONE
}
# Issue 18: on the leaving date the child becomes "left"; before the day's first task reminders go out.
CELERY_BEAT_SCHEDULE["leavers-leave"] = {"task": "notifications.tasks.leavers_leave",
                                         "schedule": crontab(hour=1, minute=15)}
