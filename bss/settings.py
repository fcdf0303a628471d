"""Settings for the BSS, read from the environment (12-factor, via django-environ).

Defaults give the *embedded* mode: SQLite under ``var/``, Celery over kombu's filesystem
transport, DEBUG on; ``make run`` adds BSS_EMBEDDED=1 (DEBUG off, see the embedded block). Production
sets DATABASE_URL, CELERY_BROKER_URL, DJANGO_SECRET_KEY, DJANGO_DEBUG=false and ALLOWED_HOSTS (see
README and docker-compose.yml).
"""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("BSS_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Embedded run (BSS_EMBEDDED=1, set by `manage.py run_embedded` for its web and worker processes) --------
# DEBUG off (no technical error pages), yet for http://127.0.0.1 on one machine: the secret key kept in
# VAR_DIR/secret_key, no SSL redirect, HSTS or secure cookies, static files served by WhiteNoise from the
# apps and bss/static without collectstatic, and the hosts the run listens on.
EMBEDDED = env.bool("BSS_EMBEDDED", default=False)


def _embedded_secret_key(path: Path) -> str:
    """Read, or create once (0600), the embedded run's key; concurrent first starts agree on one file."""
    if not path.exists():
        from django.core.management.utils import get_random_secret_key

        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # never readable by others
        with os.fdopen(fd, "w") as f:
            f.write(get_random_secret_key())
        try:
            os.link(tmp, path)  # atomic, and never replaces a key another process wrote first
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    key = path.read_text().strip()
    if not key:
        raise ImproperlyConfigured(f"{path} is empty: delete it and a new key is made")
    return key


def _embedded_hosts(host: str) -> list[str]:
    hosts = ["localhost", "127.0.0.1", "[::1]"]
    if host in ("0.0.0.0", "::", "[::]"):  # listening on every interface: reached by any of its names
        return ["*"]
    if host and ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return hosts + ([host] if host and host not in hosts else [])


if EMBEDDED:
    DEBUG = env.bool("DJANGO_DEBUG", default=False)
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="") or _embedded_secret_key(VAR_DIR / "secret_key")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=_embedded_hosts(env.str("BSS_HOST", default="127.0.0.1")))
else:
    DEBUG = env.bool("DJANGO_DEBUG", default=True)
    SECRET_KEY = env.str(
        "DJANGO_SECRET_KEY",
        default="embedded-insecure-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz" if DEBUG else environ.Env.NOTSET,
    )
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Absolute base for hrefs built outside a request (events, webhooks, e-mails).
BSS_BASE_URL = env.str("BSS_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",  # the widget templates, for bss.forms.BssFormRenderer (TemplatesSetting)
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "django_tables2",  # the one list/table pattern (bss/tables.py)
    "django_countries",  # ISO 3166 countries for addresses
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our static files: no CDN
    "django_htmx",  # request.htmx: which HTMX request this is (a history restore is not a fragment request)
    "axes",
    "bss",
    "bss.idempotency",
    "bss.sla",
    "bss.approvals",
    "customers",
    "orders",
    "service_activation",
    "billing",
    "bill_inquiry",
    "interactions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "bss.headers.SecurityHeadersMiddleware",  # Content-Security-Policy, Permissions-Policy
    "bss.api.middleware.ApiBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "bss.tmf.middleware.TmfErrorMiddleware",
    # After authentication; resolves the DRF token itself (see its docstring).
    "bss.idempotency.middleware.IdempotencyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bss.urls"
WSGI_APPLICATION = "bss.wsgi.application"
AUTH_USER_MODEL = "bss.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

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
                "customers.context_processors.self_service",  # my_customer: the customer a /my/ login acts for
            ],
        },
    },
]

FORM_RENDERER = "bss.forms.BssFormRenderer"  # the one form pattern: error summary, required marks, ARIA (bss/forms.py)
DJANGO_TABLES2_TEMPLATE = "bss/tables/table.html"  # the one list pattern (bss/tables.py)
COUNTRIES_FIRST = ["IE", "GB"]
COUNTRIES_FIRST_BREAK = "──────────"

# --- Database -------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'bss.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web process and Celery worker share the file: WAL, immediate write transactions and a
    # generous busy timeout keep "database is locked" away in the embedded mode.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # Persistent connections: reconnecting per request cost 3x throughput in our measurements.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # throttles failed logins (portal and admin)
    "django.contrib.auth.backends.ModelBackend",
]
# Failed-login throttling: lock a username+IP pair after 5 failures for 15 minutes, and an IP
# address after 30 failures across any usernames (password spraying); see bss.auth.
AXES_VERBOSE = False  # no "AXES: BEGIN ..." banner in every process's output
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
BSS_AXES_IP_FAILURE_LIMIT = env.int("BSS_AXES_IP_FAILURE_LIMIT", default=30)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "bss.auth.BssAxesHandler"
AXES_USERNAME_CALLABLE = "bss.auth.axes_username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "bss" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and not EMBEDDED
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
if EMBEDDED:
    WHITENOISE_USE_FINDERS = True  # straight from the apps' static dirs and bss/static: no collectstatic
MEDIA_ROOT = VAR_DIR / "media"

# --- E-mail ----------------------------------------------------------------------------
EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="bss@localhost")

# --- Security (production values when DJANGO_DEBUG=false; the embedded run is plain http on loopback) ---
if not DEBUG and not EMBEDDED:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

# --- REST framework and OpenAPI ---------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["bss.api.permissions.RolePermission"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "bss.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "bss.api.schema.BssAutoSchema",
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min"},
    # Strict media types (415) and a JSON depth limit (400) for every API: see bss.tmf.parsers.
    "DEFAULT_PARSER_CLASSES": [
        "bss.tmf.parsers.JSONParser",
        "bss.tmf.parsers.FormParser",
        "bss.tmf.parsers.MultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "BSS API",
    "DESCRIPTION": "TM Forum Open APIs (under /tmf-api/) and the native REST API (under /api/v1/).",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and ReDoc from the pinned drf-spectacular-sidecar package, never a CDN
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # tag operations by resource (/api/v1/<resource>/, /tmf-api/<api>/...), not all under one "api" tag
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+|/tmf-api",
    # 150 operations: tags start folded (one click opens one), a filter box, the schemas section hidden
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "docExpansion": "none", "filter": True,
                            "defaultModelsExpandDepth": -1},
    "ENUM_NAME_OVERRIDES": {
        "CustomerStatusEnum": "customers.models.Customer.Status",
        "BillingAccountStatusEnum": "customers.models.BillingAccount.Status",
        "ProductStatusEnum": "customers.models.Product.Status",
        "PartyStatusEnum": "customers.models.Party.Status",
    },
}
# Largest request body every API door accepts (/api/ and /tmf-api/, bytes): larger gets 413 with that
# door's error shape before anything parses it (bss.api.middleware). TMF_MAX_BODY_BYTES, the former
# TMF-only name, can only lower it for the TMF APIs.
BSS_MAX_BODY_BYTES = env.int("BSS_MAX_BODY_BYTES", default=1_048_576)
TMF_MAX_BODY_BYTES = env.int("TMF_MAX_BODY_BYTES", default=BSS_MAX_BODY_BYTES)
# Deepest JSON (objects and arrays) any API accepts; deeper bodies get 400 before a view sees them.
BSS_MAX_JSON_DEPTH = env.int("BSS_MAX_JSON_DEPTH", default=32)
TMF_DEFAULT_PAGE_SIZE = env.int("TMF_DEFAULT_PAGE_SIZE", default=20)
TMF_MAX_PAGE_SIZE = env.int("TMF_MAX_PAGE_SIZE", default=1000)
# A filter on an attribute that is not a column is matched over at most this many rows (what the
# column filters left); beyond it the request is refused (400) naming the column filters.
TMF_FILTER_CANDIDATE_LIMIT = env.int("TMF_FILTER_CANDIDATE_LIMIT", default=1000)
DATA_UPLOAD_MAX_MEMORY_SIZE = BSS_MAX_BODY_BYTES  # portal and admin forms

# --- Celery ----------------------------------------------------------------------------
# "localhost" only so that kombu does not warn "No hostname was supplied" (the filesystem transport has none)
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://localhost/")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    for sub in ("in", "processed"):
        (_broker_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "in"),
        "data_folder_out": str(_broker_dir / "in"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # a publish that cannot reach Redis fails at once instead of retrying the connection for seconds: the work
    # is safe in the database and the sweeps re-drive it (bss.dispatch backs off after a failure)
    CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": env.int("BSS_BROKER_PUBLISH_MAX_RETRIES", default=0)}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = "default"
# One queue per domain so each can be scaled out on its own hosts.
BSS_QUEUES = ["default", "events", "provisioning", "billing", "notifications"]
CELERY_TASK_ROUTES = {
    "bss.events.*": {"queue": "events"},
    "service_activation.*": {"queue": "provisioning"},
    "billing.*": {"queue": "billing"},
    "interactions.*": {"queue": "notifications"},
}
CELERY_BEAT_SCHEDULE = {
    "events-redispatch": {"task": "bss.events.redispatch_pending", "schedule": 60.0},
    "idempotency-purge": {"task": "bss.idempotency.purge", "schedule": 3600.0},
    # Jeopardy: move SLA clocks' statuses and fire due escalation steps (bss.sla).
    "sla-scan": {"task": "bss.sla.scan", "schedule": 60.0, "options": {"expires": 55}},
    # Order handling: re-enqueue orders whose task was lost (broker outage) or whose start date came; close
    # terminal orders after the grace period and archive old closed ones (1.1.1.5.8); close service orders.
    "orders-resume-stalled": {"task": "orders.resume_stalled", "schedule": 120.0, "options": {"expires": 110}},
    "orders-close": {"task": "orders.close_orders", "schedule": 3600.0},
    "service-orders-close": {"task": "service_activation.close_service_orders", "schedule": 3600.0},
    "planned-outages": {"task": "service_activation.planned_outages_tick", "schedule": 60.0, "options": {"expires": 55}},
    # Work orders whose task was lost or whose worker died mid-step (after the claim lease) run again.
    "work-orders-resume-stalled": {"task": "service_activation.resume_stalled_work_orders", "schedule": 60.0,
                                   "options": {"expires": 55}},
    # Resource pools: lapsed reservations and ended quarantines back to free (service_activation.resource_tasks).
    "resources-sweep": {"task": "service_activation.resources_sweep", "schedule": 60.0, "options": {"expires": 55}},
}
# The simulated network (service_activation.adapters.simulated): latency of its answers and failures.
BSS_SIMULATED_NETWORK = {"latency_ms": env.int("BSS_SIMULATED_LATENCY_MS", default=0),
                         "failure_rate": env.float("BSS_SIMULATED_FAILURE_RATE", default=0.0)}
BSS_WORK_ORDER_CLAIM_LEASE_SECONDS = env.int("BSS_WORK_ORDER_CLAIM_LEASE_SECONDS", default=60)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Idempotency-Key on API POSTs (bss.idempotency): how long a stored response is replayed, and after
# how long an in-progress claim counts as abandoned (its worker died) and may be taken over.
BSS_IDEMPOTENCY_TTL_HOURS = env.int("BSS_IDEMPOTENCY_TTL_HOURS", default=24)
BSS_IDEMPOTENCY_STALE_SECONDS = env.int("BSS_IDEMPOTENCY_STALE_SECONDS", default=120)

# Webhook delivery to TMF hub listeners.
BSS_WEBHOOK_TIMEOUT = env.float("BSS_WEBHOOK_TIMEOUT", default=5.0)
# after a failed enqueue, a process leaves the broker alone this long (bss.dispatch: the sweeps pick the work up)
BSS_BROKER_BACKOFF_SECONDS = env.float("BSS_BROKER_BACKOFF_SECONDS", default=5.0)
# how long a process trusts its answer to "has this API any /hub listener?" before asking again
# (bss.events.services.listening: events nobody listens to are recorded, not dispatched)
BSS_HUB_LISTENER_CACHE_SECONDS = env.float("BSS_HUB_LISTENER_CACHE_SECONDS", default=2.0)
BSS_WEBHOOK_MAX_ATTEMPTS = env.int("BSS_WEBHOOK_MAX_ATTEMPTS", default=8)
BSS_WEBHOOK_BACKOFF_BASE = env.float("BSS_WEBHOOK_BACKOFF_BASE", default=2.0)
BSS_WEBHOOK_BACKOFF_MAX = env.float("BSS_WEBHOOK_BACKOFF_MAX", default=3600.0)
# Listeners on private/loopback addresses or plain http: allowed while developing only.
BSS_WEBHOOK_ALLOW_PRIVATE = env.bool("BSS_WEBHOOK_ALLOW_PRIVATE", default=DEBUG or EMBEDDED)

# Credit bureau adapter used by credit checks (orders.credit.bureau): a dotted path to a class
# with ``name`` and ``assess(request)``; the default is the rule-driven simulated bureau.
BSS_CREDIT_BUREAU = env.str("BSS_CREDIT_BUREAU", default="orders.credit.bureau.SimulatedBureau")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # a refused or missing page (4xx) is one log line, not a traceback; 5xx keep theirs
    "filters": {"client_errors_without_traceback": {"()": "bss.logging.ClientErrorsWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["client_errors_without_traceback"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

BSS_LANGUAGES = [("en", "English"), ("fr", "Français"), ("de", "Deutsch"), ("es", "Español"), ("ga", "Gaeilge")]
FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6 default, opted into now
