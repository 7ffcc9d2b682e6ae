"""Settings shared by every environment; secrets and site details come from the environment."""

from __future__ import annotations

import os
from datetime import timedelta

import dj_database_url
import django_stubs_ext
from django.utils.csp import CSP

from careloop.ops.schedule import beat_schedule
from careloop.settings.environment import (
    PACKAGE_ROOT,
    data_dir,
    demo_secret_key,
    env_bool,
    env_list,
    env_str,
    mailer_from_environment,
    node_modules_dir,
    oidc_providers,
)

# Lets runtime code subscript Django's generic classes (ModelForm[Model], QuerySet[Model]).
django_stubs_ext.monkeypatch()

DATA_DIR = data_dir()

SECRET_KEY = env_str("CARELOOP_SECRET_KEY") or demo_secret_key(DATA_DIR)
DEBUG = env_bool("CARELOOP_DEBUG", default=False)
ALLOWED_HOSTS = env_list("CARELOOP_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CARELOOP_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "careloop.core.admin_config.AuditedAdminConfig",  # django.contrib.admin, audited
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "careloop.core",
    "careloop.people",
    "careloop.conversations",
    "careloop.empathy",
    "careloop.actions",
    "careloop.learning",
    "careloop.insights",
    "careloop.initiatives",
    "careloop.care",
    "careloop.coaching",
    "careloop.feedback",
    "careloop.recognition",
    "careloop.playbook",
    "careloop.pulse",
    "careloop.notifications",
    "careloop.api",
    "careloop.search",
    "careloop.importers",
    "careloop.exports",
    "careloop.webhooks",
    "careloop.ops",
]
# The demo organisation builder (`careloop demo`): here for the embedded default and the tests;
# production.py takes it out again.
DEMO_APPS = ["careloop.demo"]
INSTALLED_APPS += DEMO_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Turns a rate-limited request into a 429 page (see careloop.core.rate_limits).
    "django_ratelimit.middleware.RatelimitMiddleware",
    "careloop.people.middleware.OrganisationTimezoneMiddleware",
]

ROOT_URLCONF = "careloop.urls"
WSGI_APPLICATION = "careloop.wsgi.application"
ASGI_APPLICATION = "careloop.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_ROOT / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "careloop.core.context_processors.navigation",
            ],
        },
    },
]

# SQLite under the data directory is the embedded default; DATABASE_URL selects PostgreSQL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'careloop.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while a worker writes; the timeout absorbs short write locks.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# A streaming replica of the PostgreSQL primary, when there is one, serves insights, exports
# and search (careloop.core.replica); tests read the primary under the same alias.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=60, conn_health_checks=True
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["careloop.core.replica.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "people.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["careloop.people.backends.EmployeeBackend"]

# django-allauth: staff sign in with email; accounts are created by admins, never by sign-up.
SITE_ID = 1
ACCOUNT_ADAPTER = "careloop.people.adapters.StaffAccountAdapter"
SOCIALACCOUNT_ADAPTER = "careloop.people.adapters.StaffSocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_PROVIDERS = oidc_providers()
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["careloop.api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_THROTTLE_CLASSES": ["careloop.api.throttling.ApiKeyRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_key": env_str("CARELOOP_API_RATE", "1200/min")},
}
# How long an API write's answer is replayed to retries with its Idempotency-Key; the nightly
# purge removes older answers (they can hold a customer's data).
CARELOOP_API_IDEMPOTENCY_KEEP = timedelta(
    hours=int(env_str("CARELOOP_API_IDEMPOTENCY_HOURS") or "24")
)
# Public forms (chat widget, surveys, concerns): POSTs per client address.
CARELOOP_PUBLIC_FORM_RATE = env_str("CARELOOP_PUBLIC_FORM_RATE", "30/m")
RATELIMIT_VIEW = "careloop.core.rate_limits.too_many_requests"
# Behind a proxy, REMOTE_ADDR is the proxy: name the header that carries the client's address.
RATELIMIT_IP_META_KEY = env_str("CARELOOP_CLIENT_IP_HEADER") or None
# Sign-in and password reset, by allauth: failed sign-ins per address and per account.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "careloop API",
    "DESCRIPTION": "Conversations, customers, saved replies, feedback and goodwill for "
    "integrations. Every write takes an Idempotency-Key header, so retries never create "
    "duplicates; every list is cursor-paginated (follow `next`).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # One schema name per choice set, however many fields use it.
    "ENUM_NAME_OVERRIDES": {
        "Channel": "careloop.conversations.models.Channel",
        "ConversationStatus": "careloop.conversations.models.Status",
        "GestureKind": "careloop.care.models.GestureKind",
        "GestureStatus": "careloop.care.models.GestureStatus",
        "ExecutionStatus": "careloop.care.models.ExecutionStatus",
        "SurveyKind": "careloop.feedback.models.SurveyKind",
        "SurveyStatus": "careloop.feedback.models.SurveyInvitation.Status",
        "RecoveryTaskStatus": "careloop.feedback.models.RecoveryTask.Status",
        "RecoveryOutcome": "careloop.feedback.models.RecoveryTask.Outcome",
        "ContactChannel": "careloop.feedback.models.RecoveryContact.Channel",
        "ReviewKindEnum": "careloop.learning.models.ReviewKind",
        "ReviewStatusEnum": "careloop.learning.models.ReviewStatus",
        "ReviewVisibilityEnum": "careloop.learning.models.Visibility",
        "ActionItemKindEnum": "careloop.actions.models.ActionItem.Kind",
        "ActionItemStatusEnum": "careloop.actions.models.ActionItem.Status",
        "IdeaStatusEnum": "careloop.pulse.models.IdeaStatus",
        "PulseSurveyStatusEnum": "careloop.pulse.models.SurveyStatus",
        "ArticleVisibilityEnum": "careloop.playbook.models.Visibility",
    },
    # careloop.api.urls: row ids are 1–18 digits, so none overflows a 64-bit column.
    "PATH_CONVERTER_OVERRIDES": {
        "row_id": {"type": "integer", "minimum": 0, "maximum": 10**18 - 1},
        "slug": {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"},
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "careloop.api.schema_hooks.drop_redundant_blank_branches",
        "careloop.api.schema_hooks.add_common_responses",
        "careloop.api.schema_hooks.require_a_customer_reference",
        "careloop.api.schema_hooks.state_cross_field_rules",
        "careloop.api.schema_hooks.require_evidence_to_close_an_item",
        "careloop.api.endpoints.webhooks.add_event_schemas",
    ],
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise expects it even before collectstatic
# Front-end packages are served straight from npm's node_modules: nothing is copied into the repo.
STATICFILES_DIRS = [
    PACKAGE_ROOT / "static",
    ("vendor/htmx", node_modules_dir() / "htmx.org" / "dist"),
    ("vendor/pico", node_modules_dir() / "@picocss" / "pico" / "css"),
]
# Charts on the insights pages (chart.js); the pages show tables alone until it is installed.
if (node_modules_dir() / "chart.js" / "dist").is_dir():
    STATICFILES_DIRS.append(("vendor/chartjs", node_modules_dir() / "chart.js" / "dist"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "media/"

# Email: console by default so a demo prints password-reset links; SMTP when a host is set.
MAILERS = {"default": mailer_from_environment(DATA_DIR)}
# Absolute links in emails sent outside a request (invitations, surveys).
# How often an open inbox or conversation asks whether anything changed (bench/live.py).
CARELOOP_LIVE_POLL_SECONDS = float(env_str("CARELOOP_LIVE_POLL_SECONDS") or "1")
CARELOOP_BASE_URL = env_str("CARELOOP_BASE_URL", "http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env_str("CARELOOP_FROM_EMAIL", "careloop <care@careloop.localhost>")

# The email channel. Inbound: an IMAP mailbox polled by `careloop poll_imap`, and/or raw MIME
# POSTed to /inbound/email/ with this token (the endpoint refuses everything while it is empty).
CARELOOP_INBOUND_EMAIL_TOKEN = env_str("CARELOOP_INBOUND_EMAIL_TOKEN")
CARELOOP_IMAP_HOST = env_str("CARELOOP_IMAP_HOST")
CARELOOP_IMAP_PORT = int(env_str("CARELOOP_IMAP_PORT") or "0")  # 0: 993 with SSL, else 143
CARELOOP_IMAP_USER = env_str("CARELOOP_IMAP_USER")
CARELOOP_IMAP_PASSWORD = env_str("CARELOOP_IMAP_PASSWORD")
CARELOOP_IMAP_FOLDER = env_str("CARELOOP_IMAP_FOLDER", "INBOX")
CARELOOP_IMAP_SSL = env_bool("CARELOOP_IMAP_SSL", default=True)
# Where fetched mail goes; empty leaves it in the folder, marked as seen.
CARELOOP_IMAP_DONE_FOLDER = env_str("CARELOOP_IMAP_DONE_FOLDER")
# Outbound replies: Message-ID domain (default: the From address's) and the support address
# whose plus-addressed form (support+<reply token>@...) becomes the Reply-To.
CARELOOP_EMAIL_DOMAIN = env_str("CARELOOP_EMAIL_DOMAIN")
CARELOOP_SUPPORT_ADDRESS = env_str("CARELOOP_SUPPORT_ADDRESS")

# Messages still unread this long after they were stored are read again by a periodic task.
CARELOOP_SCORING_RETRY_AFTER_S = int(env_str("CARELOOP_SCORING_RETRY_AFTER_S") or "60")
# Customer messages are read in micro-batches: one task claims up to this many unread ones.
CARELOOP_READING_BATCH = int(env_str("CARELOOP_READING_BATCH") or "200")
# How long a process reuses the business calendar, SLA targets and routing it read
# (conversations.rules); a change made elsewhere counts within this many seconds.
CARELOOP_RULES_CACHE_S = float(env_str("CARELOOP_RULES_CACHE_S") or "5")

# How long after a solve its survey goes out, replacing the organisation's hours when set: only
# `careloop demo` sets it (a minute), so a survey visibly follows a solved conversation.
CARELOOP_SURVEY_DELAY: timedelta | None = None

# Events (core.events) reach their subscribers in a task; without a task queue, in a thread of
# their own, so a slow webhook receiver never holds up a request.
CARELOOP_EVENTS_IN_THREAD = True
# Outgoing webhooks and chat notifications refuse loopback and private addresses unless this is
# on (a receiver on the same machine or network, and the tests' receivers on 127.0.0.1).
CARELOOP_WEBHOOKS_ALLOW_PRIVATE = env_bool("CARELOOP_WEBHOOKS_ALLOW_PRIVATE", default=False)
CARELOOP_WEBHOOK_TIMEOUT_S = float(env_str("CARELOOP_WEBHOOK_TIMEOUT_S") or "5")

# Background tasks: one interface (django.tasks). Inline unless a Celery broker is configured.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"  # the queue name django.tasks uses
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Periodic work: one declaration (ops.schedule). With a broker, `careloop worker --beat` runs
# it (exactly one beat per deployment); without one, the scheduler inside `careloop serve`,
# `web` and `demo` does (ops.scheduler), so nothing waits for a Celery that is not there.
CELERY_BEAT_SCHEDULE = beat_schedule()
TASKS = {
    "default": {
        "BACKEND": "careloop.core.task_backends.CeleryBackend"
        if CELERY_BROKER_URL
        else "django.tasks.backends.immediate.ImmediateBackend",
    }
}

# A shared cache (presence, rate limits) when web processes run on several machines.
CACHE_URL = env_str("CARELOOP_CACHE_URL") or (
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else ""
)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# Security headers. Cookies are marked Secure by CARELOOP_HTTPS (production settings turn it on).
HTTPS = env_bool("CARELOOP_HTTPS")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_data": {"()": "careloop.core.redaction.PersonalDataFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["personal_data"]},
    },
    "root": {"handlers": ["console"], "level": env_str("CARELOOP_LOG_LEVEL", "INFO")},
    # Every task's start and finish at INFO would drown what matters.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "django.tasks": {"level": "WARNING"}},
}
