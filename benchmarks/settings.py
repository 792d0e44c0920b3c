"""Settings for `make bench`: production-like (DEBUG off, persistent connections) plus the
bare baseline views each portal page is measured against."""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)

from benchmarks.common import redis_prefix  # noqa: E402
from partnerportal.settings import *  # noqa: E402,F403
from partnerportal.settings import (  # noqa: E402
    BASE_DIR,
    CACHES,
    CELERY_BROKER_TRANSPORT_OPTIONS,
    DATABASES,
    REST_FRAMEWORK,
    TEMPLATES,
)

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "benchmarks.urls"
DATABASES["default"]["CONN_MAX_AGE"] = 600
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "benchmarks" / "templates"]
# The load generator is one client: throttling would measure the limiter, not the portal.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
API_THROTTLE_ENABLED = False
LOGGING = {"version": 1, "disable_existing_loggers": True}
# This run's Redis keys carry its id, so two runs sharing a Redis database don't take each
# other's tasks (benchmarks.common).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "global_keyprefix": redis_prefix(),
}
CACHES["api"] = {**CACHES["api"], "KEY_PREFIX": redis_prefix() + "pp-api"}
