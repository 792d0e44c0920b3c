"""Production settings: the base settings with DEBUG off and every transport hardened.

Use with DJANGO_SETTINGS_MODULE=partnerportal.production (docker-compose.yml does). SECRET_KEY
must come from the environment (or the .env file): a missing or published key is refused
whatever DEBUG says, before the base settings could fall back to a generated one. Set
SECURE_SSL_REDIRECT=false only behind a proxy that already redirects to HTTPS.
"""

import os
from pathlib import Path

import environ

from .deploy import secret_key_from_env

_DOTENV = Path(__file__).resolve().parent.parent / ".env"
if _DOTENV.exists():
    environ.Env.read_env(_DOTENV)
secret_key_from_env(os.environ, local_file=None)  # raises ImproperlyConfigured when unusable
os.environ.setdefault("DEBUG", "false")

from .settings import *  # noqa: E402,F403
from .settings import env  # noqa: E402

DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
