"""CSRF on every form, generated from the URL patterns: a POST without a CSRF token to every
URL outside /v1/ (the API uses bearer tokens, no cookies; its schema pages are GET-only), by a
signed-in partner, provider, customer admin and staff user (and by an anonymous visitor, which
covers sign-in), is refused with 403 before any view runs, and changes nothing."""

import pytest
from django.test import Client

from partnerportal.models import Role
from tests import factories as f
from tests.proof.urlmap import routes, url_for
from tests.proof.world import build_isolation_world, snapshot

PAGES = [(name, route, params) for name, route, params in routes() if not route.startswith("v1/")]


@pytest.mark.rule("AC-2")
def test_every_form_post_without_csrf_token_is_refused(db):
    world = build_isolation_world()
    own_ga = world.personas["global_admin"]
    customer_admin = world.personas["customer_admin"]
    staff = world.personas["staff"]
    provider = world.personas["provider"]
    clients = {}
    for key, user in (
        ("partner", own_ga),
        ("customer", customer_admin),
        ("staff", staff),
        ("provider", provider),
    ):
        clients[key] = Client(enforce_csrf_checks=True, raise_request_exception=False)
        clients[key].force_login(user)
    clients["anonymous"] = Client(enforce_csrf_checks=True, raise_request_exception=False)
    # The POST also uses the persona's own objects where it can: the partner's own customer.
    before = snapshot()
    problems = []
    for name, route, params in PAGES:
        url = url_for(name, route, params, world.foreign)
        for persona, client in clients.items():
            response = client.post(url, {"reason": "x", "confirm": "on"})
            if response.status_code != 403:
                problems.append(f"{persona} POST {url} ({name}): {response.status_code}")
    after = snapshot()
    assert not problems, "\n".join(problems)
    assert after == before


def test_csrf_token_makes_the_same_post_pass_the_check(db):
    """Control: with the token the request reaches the view (so the 403s above are CSRF's)."""
    user = f.UserFactory(roles=[Role.GLOBAL_ADMIN])
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    page = client.get("/account/profile/")
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else None
    if token is None:
        from django.middleware.csrf import get_token

        token = get_token(page.wsgi_request)
    response = client.post("/notifications/read/", {"csrfmiddlewaretoken": token})
    assert response.status_code != 403
