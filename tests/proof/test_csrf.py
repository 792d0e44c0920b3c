"""CSRF on every form, generated from the URL patterns: a POST without a CSRF token to every
URL outside /v1/, /graph/ and /webhooks/v1/ (the APIs use bearer tokens, no cookies; the schema
pages are GET-only), by a signed-in partner, provider, customer admin and staff user (and by an
anonymous visitor, which covers sign-in), is refused by Django's CSRF check before any view
runs, and changes nothing.

The refusal must be the CSRF failure view's — marked by the wrapper below — not any 403 (a
role refusal would hide a missing check) and never a 500."""

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import get_callable, reverse

from core.models import Notification, Role
from tests import factories as f
from tests.proof.urlmap import routes, url_for
from tests.proof.world import build_isolation_world, snapshot

API_PREFIXES = ("v1/", "graph/", "webhooks/v1/")  # bearer tokens, no cookies
PAGES = [
    (name, route, params) for name, route, params in routes() if not route.startswith(API_PREFIXES)
]
MARKER = "X-Test-Csrf-Refused"
_configured_failure_view = get_callable(django_settings.CSRF_FAILURE_VIEW)


def marked_csrf_failure(request, reason=""):
    """The project's CSRF failure view, with a header saying the CSRF check refused."""
    response = _configured_failure_view(request, reason=reason)
    response[MARKER] = reason or "refused"
    return response


@pytest.fixture(autouse=True)
def _mark_csrf_refusals(settings):
    settings.CSRF_FAILURE_VIEW = f"{__name__}.marked_csrf_failure"


def _csrf_problem(response) -> str:
    if response.status_code == 403 and response.has_header(MARKER):
        return ""
    return f"{response.status_code}, expected the CSRF refusal (403 from the CSRF check)"


@pytest.mark.rule("AC-2")
def test_every_form_post_without_csrf_token_is_refused(db):
    """AC-2: every POST without a token gets the CSRF check's own 403; nothing changes."""
    world = build_isolation_world()
    clients = {}
    for persona in ("global_admin", "customer_admin", "staff", "provider"):
        clients[persona] = Client(enforce_csrf_checks=True, raise_request_exception=False)
        clients[persona].force_login(world.personas[persona])
    clients["anonymous"] = Client(enforce_csrf_checks=True, raise_request_exception=False)
    before = snapshot()
    problems = []
    for name, route, params in PAGES:
        url = url_for(name, route, params, world.foreign)
        for persona, client in clients.items():
            response = client.post(url, {"reason": "x", "confirm": "on"})
            problem = _csrf_problem(response)
            if problem:
                problems.append(f"{persona} POST {url} ({name}): {problem}")
    assert not problems, "\n".join(problems)
    assert snapshot() == before


def test_csrf_token_makes_the_same_post_reach_the_view(db):
    """Control: the same POST with the token is not refused — the view runs and marks the
    notifications read — so the refusals above are the CSRF check's, not the page's."""
    user = f.UserFactory(roles=[Role.GLOBAL_ADMIN])
    f.NotificationFactory(user=user)
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(user)
    url = reverse("notifications_mark_read")

    refused = client.post(url)
    assert _csrf_problem(refused) == ""
    assert Notification.objects.filter(user=user, read_at__isnull=True).count() == 1

    client.get(reverse("notifications"))  # the page sets the CSRF cookie, as a browser's would
    token = client.cookies["csrftoken"].value
    response = client.post(url, {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert response["Location"] == reverse("notifications")
    assert not response.has_header(MARKER)
    assert Notification.objects.filter(user=user, read_at__isnull=True).count() == 0
