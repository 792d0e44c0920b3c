"""Settings for `make bench`: production-like (DEBUG off, persistent connections) plus the
bare baseline views each portal page is measured against."""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)

from partnerportal.settings import *  # noqa: E402,F403
from partnerportal.settings import BASE_DIR, DATABASES, REST_FRAMEWORK, TEMPLATES  # noqa: E402

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "benchmarks.urls"
DATABASES["default"]["CONN_MAX_AGE"] = 600
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "benchmarks" / "templates"]
# The load generator is one client: throttling would measure the limiter, not the portal.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
API_THROTTLE_ENABLED = False
LOGGING = {"version": 1, "disable_existing_loggers": True}
