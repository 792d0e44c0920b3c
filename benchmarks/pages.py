"""The pages measured by the http and queries benchmarks, and a signed-in partner for them."""

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

# (name, portal path, bare baseline path, kind)
TARGETS = [
    ("customers_list", "/customers/", "/bare/customers/", "page"),
    ("transition", "/transition/", "/bare/transition/", "page"),
    ("api_customers", "/v1/customers", "/bare/v1/customers", "api"),
]


def session_cookie(user) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def api_token(user) -> str:
    from api.services import api_token_create

    _, raw = api_token_create(actor=user, name="benchmark")
    return raw


def headers_for(kind: str, *, cookie: str, token: str) -> dict:
    if kind == "api":
        return {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    return {"Cookie": cookie}
