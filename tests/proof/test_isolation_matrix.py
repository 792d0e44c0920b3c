"""AC-2 isolation matrix, generated from the URL patterns.

Every page and API route (admin/ and static aside) is tried by every persona — partner Global
admin, Admin agent, Sales agent, Billing admin, an indirect provider's user, a customer admin,
support staff and an anonymous visitor — with ANOTHER partner's / customer's ids in the URL,
by GET and by an empty POST. It proves: never a 500; for object URLs never another's data
(404, or 403 for a persona that may not use the page, 405 for a method the page doesn't take,
302 to sign-in for anonymous, 401 for the API without a token); no page or API answer of a
non-staff persona (lists included) names a foreign partner or customer (the public provider
directory aside); and nothing changed (no new successful audit event, same row counts and
statuses in the main tables) — except the few own-data buttons listed in OWN_ACTIONS.
"""

import pytest
from django.core.cache import caches
from django.test import Client

from api import services as api_services
from tests.proof.urlmap import (
    FOREIGN_KWARGS,
    PUBLIC_URLS,
    STAFF_URLS,
    TOKEN_URLS,
    is_api,
    routes,
    url_for,
)
from tests.proof.world import build_isolation_world, snapshot

PERSONAS = [
    "global_admin",
    "admin_agent",
    "sales_agent",
    "billing_admin",
    "provider",
    "customer_admin",
    "staff",
    "anonymous",
]
PARTNER_PERSONAS = {"global_admin", "admin_agent", "sales_agent", "billing_admin", "provider"}
REFUSED = {403, 404, 405}
PUBLIC_LISTS = {"provider_directory"}
FOREIGN_NAMES = ("Foreign Partner", "Foreign Customer", "Foreign Provider", "Foreign Source")
# Buttons without fields: an empty POST by a persona who may press them acts on its OWN data
# (confirm its profile, create its sandbox, start "submit all" with nothing pending); the API's
# GET relationshiprequests issues an invitation link as in Partner Center. Not isolation leaks.
OWN_ACTIONS = {
    "profile_confirm",
    "sandbox_create",
    "transfer_bulk_submit",
    "api_relationship_requests",
}


def test_every_url_with_parameters_has_foreign_ids():
    """A new URL pattern with parameters must be added to FOREIGN_KWARGS (or this fails)."""
    missing = [
        (name, route)
        for name, route, params in routes()
        if params and name not in FOREIGN_KWARGS and not route.startswith("v1/^")
    ]
    assert not missing, f"add these URL patterns to tests/proof/urlmap.py: {missing}"


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.API_THROTTLE_RATE = "100000/min"
    caches[settings.API_THROTTLE_CACHE].clear()


def _expectation_problem(persona, name, route, params, method, response) -> str:
    status = response.status_code
    if status >= 500:
        return f"{status} server error"
    if not params:
        return ""  # a list page shows only the persona's own data (tested per app)
    if persona == "staff" and name in STAFF_URLS:
        return ""
    api = is_api(route)
    if route.startswith("v1/^"):  # the API's catch-all: an unknown resource
        return "" if status in {401, 404} else f"{status} for an unknown API path"
    if persona == "anonymous" or (api and persona not in PARTNER_PERSONAS):
        if api:
            return "" if status == 401 else f"{status}, expected 401 without a token"
        if status == 302 and "/signin/" in response["Location"]:
            return ""
        if status == 405:  # POST-only view: the method check comes first, nothing is shown
            return ""
        if name in TOKEN_URLS and status in REFUSED | {200, 302, 400}:
            return ""
        return f"{status}, expected 302 to sign-in"
    if name in TOKEN_URLS:
        # The wrong audience may see a page saying the link is for someone else, never the
        # invitation's actions; accepting it is checked by 'nothing changed'.
        return "" if status in REFUSED | {200, 302, 400} else f"{status} for a foreign link"
    if status in REFUSED:
        return ""
    return f"{status}, expected 404 (or 403/405) for another's object"


@pytest.mark.rule("AC-2")
@pytest.mark.parametrize("persona", PERSONAS)
def test_isolation_matrix(db, persona):
    world = build_isolation_world()
    user = world.personas[persona]
    client = Client(raise_request_exception=False)
    api_headers = {}
    if user is not None:
        client.force_login(user)
        if user.partner_id:
            _token, raw = api_services.token_create(actor=user, name="matrix")
            api_headers = {"Authorization": f"Bearer {raw}"}
    problems = []
    before = snapshot()
    for name, route, params in routes():
        url = url_for(name, route, params, world.foreign)
        problem = ""
        for method in ("get", "post"):
            headers = api_headers if is_api(route) else {}
            if is_api(route):
                call = getattr(
                    Client(raise_request_exception=False), method
                )  # the API authenticates by token only
                kwargs = {"content_type": "application/json"} if method == "post" else {}
                response = call(url, headers=headers, **kwargs)
            else:
                response = getattr(client, method)(url)
                if name == "logout" and user is not None:
                    client.force_login(user)  # signing out is the one harmless POST
            problem = _expectation_problem(persona, name, route, params, method, response)
            # A reseller invitation link that names no customer is for whichever customer
            # receives it (as in Partner Center): its customer admin sees who invites.
            addressed = persona == "customer_admin" and name == "customer_invitation_link"
            public = name in PUBLIC_LISTS  # lists every provider by design (PV-1)
            if response.status_code == 200 and persona != "staff" and not addressed and not public:
                leaked = [n for n in FOREIGN_NAMES if n.encode() in response.content]
                if leaked:
                    problem = (problem + "; " if problem else "") + f"shows {leaked}"
            if name in PUBLIC_URLS and response.status_code < 500:
                problem = ""
            if problem:
                problems.append(f"{persona} {method.upper()} {url} ({name}): {problem}")
        after = snapshot()
        if after != before:
            changed = [k for k in after if after[k] != before[k]]
            if name not in OWN_ACTIONS:
                problems.append(f"{persona} GET/POST {url} ({name}): changed {changed}")
            before = after
    assert not problems, "\n".join(problems)
