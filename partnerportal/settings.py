"""Settings, read from the environment (django-environ) with safe local defaults.

PostgreSQL is the only database. Everything that differs between a laptop and production
comes from environment variables: DATABASE_URL, REDIS_URL, EMAIL_URL, SECRET_KEY, DEBUG,
ALLOWED_HOSTS. Program-rule numbers that are settings (RULES.md marks them [I]/[PC]) live in
PROGRAM_RULES.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ

from partnerportal.deploy import base_url_from_env, secret_key_from_env

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env(
    DEBUG=(bool, True),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost", "testserver"]),
    SECURE_COOKIES=(bool, False),
)
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env("DEBUG")
# SECRET_KEY from the environment, else this install's own secret, generated into .local/ on
# first start; a published key is refused (production.py refuses a missing one too).
SECRET_KEY = secret_key_from_env(os.environ, local_file=BASE_DIR / ".local" / "secret_key")
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "pgtrigger",
    "axes",
    "core",
    "enrollment",
    "users",
    "customers",
    "relationships",
    "transfers",
    "api",
    "graph",
    "webhooks",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "partnerportal.middleware.DatabaseUnavailableMiddleware",
    "api.middleware.CanonicalApiPathMiddleware",  # /v1/Customers/ → /v1/customers
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "partnerportal.middleware.QueryStringControlCharactersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the lockout page
]

ROOT_URLCONF = "partnerportal.urls"
WSGI_APPLICATION = "partnerportal.wsgi.application"

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
                "core.context_processors.portal",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/partnerportal"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise environ.ImproperlyConfigured("PostgreSQL is the only supported database.")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "partnerportal.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Sign-in lockout (django-axes, partnerportal/signin.py) for every path that calls
# authenticate(): /signin/ and /admin/login/. Failures are counted per account and, apart, per
# client address (spraying one password over many accounts), over the cool-off window.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
SIGNIN_MAX_FAILURES = env.int("SIGNIN_MAX_FAILURES", default=5)
SIGNIN_LOCKOUT_SECONDS = env.int("SIGNIN_LOCKOUT_SECONDS", default=900)
AXES_FAILURE_LIMIT = SIGNIN_MAX_FAILURES
AXES_COOLOFF_TIME = timedelta(seconds=SIGNIN_LOCKOUT_SECONDS)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "core.signin.attempted_username"
# Behind reverse proxies, how many append to X-Forwarded-For (0: the client talks to gunicorn).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "core.signin.client_address"
AXES_LOCKOUT_CALLABLE = "core.signin.lockout_response"
# A success must not wipe the address's failures: one valid account would reset the spray count.
AXES_RESET_ON_SUCCESS = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / ".local" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Email: EMAIL_URL picks the transport (smtp://, consolemail://, filemail:///path, memorymail://).
# In development mail is written as files under .local/mail; staff also read every message on
# the portal's "Sent mail" page (each one is an OutboundEmail row).
EMAIL_DIR = BASE_DIR / ".local" / "mail"
if env("EMAIL_URL", default=""):
    _email = env.email_url("EMAIL_URL")
    # django-environ reads filemail:///abs/path as the relative path "abs/path".
    if _email.get("EMAIL_FILE_PATH") and env("EMAIL_URL").startswith("filemail:///"):
        _email["EMAIL_FILE_PATH"] = "/" + _email["EMAIL_FILE_PATH"].lstrip("/")
    vars().update(_email)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(EMAIL_DIR)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Partner Portal <noreply@portal.example>")
# Links in emails and pages: PORTAL_BASE_URL, else where `make run` serves (PORTAL_HOST/PORT).
PORTAL_BASE_URL = base_url_from_env(os.environ)

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A publish must not hang a page when Redis is down: the sweep picks up what was not sent.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "socket_timeout": 2}
SWEEP_INTERVAL_SECONDS = env.float("SWEEP_INTERVAL_SECONDS", default=15.0)
# Memoised per-partner values (core.memo) are dropped by the audit trail on every
# change; this bounds how long one can live should a change escape it.
MEMO_MAX_AGE_SECONDS = env.int("MEMO_MAX_AGE_SECONDS", default=300)

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

SESSION_COOKIE_SECURE = env("SECURE_COOKIES")
CSRF_COOKIE_SECURE = env("SECURE_COOKIES")
SESSION_COOKIE_HTTPONLY = True

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # No HTTP Basic: a password is entered only on the sign-in pages, behind the lockout.
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    # /v1/ (api app): Partner Center error body for every error, JSON only.
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
}
# The REST API (api app): AP-2 throttle per partner (DRF rate syntax), which cache counts it
# (use a Redis cache alias for several processes), page sizes and the body size limit.
API_THROTTLE_ENABLED = env.bool("API_THROTTLE_ENABLED", default=True)  # off only for load tests
API_THROTTLE_RATE = env("API_THROTTLE_RATE", default="600/min")
API_THROTTLE_CACHE = env("API_THROTTLE_CACHE", default="default")  # "api": shared, in Redis
CACHES["api"] = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": REDIS_URL,
    "KEY_PREFIX": "pp-api",
}
API_PAGE_SIZE = 100
API_MAX_PAGE_SIZE = 500
API_MAX_BODY_BYTES = 256 * 1024
# Webhooks: one POST per attempt, at most this long; a registration body at most this big.
WEBHOOK_TIMEOUT_SECONDS = 5
WEBHOOK_MAX_BODY_BYTES = 16 * 1024
SPECTACULAR_SETTINGS = {
    "TITLE": "Partner Portal API (Partner Center look-alike)",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Program-rule numbers (RULES.md marks them [I] or [PC]); each is a setting, not a literal.
PROGRAM_RULES = {
    "PROFILE_MAX_AGE_DAYS": 365,  # EN-2
    "ENROLLMENT_REVIEW_BUSINESS_DAYS": 5,  # EN-4
    "INCENTIVES_INVITATION_DAYS": 30,  # EN-9
    "DIRECT_BILL_MIN_REVENUE_USD": 1_000_000,  # DB-5
    "DIRECT_OVERRIDE_GRACE_DAYS": 90,  # DB-6
    "INVITATION_LINK_DAYS": 30,  # PV-3
    "USER_INVITATION_DAYS": 7,  # AC-7: a user's first sign-in link [I]
    "GDAP_MIN_DAYS": 1,  # GD-1
    "GDAP_MAX_DAYS": 730,  # GD-1
    "GDAP_REQUEST_EXPIRY_DAYS": 90,  # GD-1
    "GDAP_AUTO_EXTEND_DAYS": 180,  # GD-2
    "GDAP_NOTICE_DAYS": (30, 7, 1),  # GD-2
    "TRANSFER_EXPIRY_DAYS": 30,  # TR-7
    "TRANSFER_MAX_LINE_ITEMS": 25,  # TR-6
    "AUDIT_RETENTION_DAYS": 90,  # AC-4
    "NC_CANCELLATION_WINDOW_HOURS": 168,  # NC-2
    "NC_TRIAL_MONTHS": 1,  # NC-3
    "CLOCK_MAX_YEARS_AHEAD": 10,  # AC-6: business time never passes real date + this
}
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=365)  # a new API token's lifetime

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
    "loggers": {"partnerportal": {"level": env("LOG_LEVEL", default="INFO")}},
}
