"""AC-2 isolation matrix, generated from the URL patterns.

Every page and API route (admin/ and static aside) is tried by every persona — partner Global
admin, Admin agent, Sales agent, Billing admin, an indirect provider's user, a customer admin,
support staff and an anonymous visitor — with ANOTHER partner's / customer's ids in the URL,
by GET and by an empty POST. Each (persona, route, method) has ONE expected answer, derived from
the route's `Access` in tests/proof/urlmap.py:

- a page the persona may use, naming another partner's object → 404 (AC-2: not found, never
  forbidden); support staff on a staff page → 200 (they see every partner's data by design);
- a page not for this persona (a customer admin on a partner page, a partner on a provider
  page) or a role it lacks (AC-1) → 403, whatever the object — the refusal says nothing about it;
- a method the route doesn't take → 405; anonymous → 302 to sign-in; the API without a
  token → 401; an email link → the answer its audience rules give (LINK_ANSWERS);
- a route without parameters that the persona may use → its own page's answer (`Access.ok`:
  200, or 302/400 for a button or an empty form); sign-in sends a signed-in visitor home (302).

And: no page or API answer of a non-staff persona (lists included) names a foreign partner or
customer (the public provider directory aside); nothing changed (no new successful audit
event, same row counts and statuses in the main tables) — except the few own-data buttons
listed in OWN_ACTIONS.
"""

import pytest
from django.core.cache import caches
from django.test import Client

from api import services as api_services
from core.models import Role
from tests.proof import urlmap
from tests.proof.urlmap import ACCESS, FOREIGN_KWARGS, is_api, routes, url_for
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
# The partner personas and the roles whose permissions they have (the provider's user is Global
# admin and Admin agent; a Global admin has every Admin agent permission, AC-1).
PARTNER_ROLES = {
    "global_admin": {Role.GLOBAL_ADMIN, Role.ADMIN_AGENT},
    "admin_agent": {Role.ADMIN_AGENT},
    "sales_agent": {Role.SALES_AGENT},
    "billing_admin": {Role.BILLING_ADMIN},
    "provider": {Role.GLOBAL_ADMIN, Role.ADMIN_AGENT},
}
USES = {
    urlmap.PARTNER: set(PARTNER_ROLES),
    urlmap.PROVIDER: {"provider"},
    urlmap.CUSTOMER: {"customer_admin"},
    urlmap.STAFF: {"staff"},
    urlmap.SIGNED_IN: set(PERSONAS) - {"anonymous"},
}
SIGN_IN = "302 to sign-in"
# Email links: the token names the invitation; the page answers by audience.
LINK_ANSWERS = {
    # A provider's invitation names its reseller: anyone else is told it isn't theirs.
    ("partnership_link", "get"): {},
    ("partnership_link", "post"): {},
    # A reseller's invitation naming no customer is for whichever customer admin receives it
    # (as in Partner Center): it sees who invites; a partner user is told the link isn't for it.
    ("customer_invitation_link", "get"): {"customer_admin": 200},
    # An empty answer (neither Accept nor Decline) is refused before anything is looked up.
    ("customer_invitation_link", "post"): {persona: 400 for persona in PERSONAS},
}
LINK_REFUSED = 403
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
        if params and name not in FOREIGN_KWARGS and "v1/^" not in route
    ]
    assert not missing, f"add these URL patterns to tests/proof/urlmap.py: {missing}"


def test_every_url_has_its_access():
    """A new URL pattern must say who may use it in urlmap.ACCESS (or this fails)."""
    missing = [(name, route) for name, route, _params in routes() if name not in ACCESS]
    assert not missing, f"add these URL patterns to urlmap.ACCESS: {missing}"
    stale = set(ACCESS) - {name for name, _route, _params in routes()}
    assert not stale, f"urlmap.ACCESS names routes that no longer exist: {sorted(stale)}"


def _has_role(persona, roles) -> bool:
    return not roles or bool(PARTNER_ROLES.get(persona, set()) & set(roles))


def expected_answer(persona: str, name: str, method: str, has_params: bool):
    """The one answer `persona` must get to `method` on route `name` filled with foreign ids:
    a status code or SIGN_IN."""
    access = ACCESS[name]
    if access.who == urlmap.UNKNOWN:
        return 404
    if access.who == urlmap.API:  # the token identifies; then method, role, object
        if persona not in PARTNER_ROLES:
            return 401
        if method not in access.methods:
            return 405
        if not _has_role(persona, access.roles):
            return 403
        return 404 if has_params else access.ok(method)
    if access.who == urlmap.PUBLIC:
        if method not in access.methods:
            return 405
        if name == "login" and persona != "anonymous":
            return 302  # already signed in: sent home
        return access.ok(method)
    if method not in access.methods and access.method_first:
        return 405
    if persona == "anonymous":
        return SIGN_IN
    if access.who == urlmap.LINK:
        return LINK_ANSWERS[(name, method)].get(persona, LINK_REFUSED)
    if persona not in USES[access.who]:
        return 403
    roles = access.post_roles if method == "post" and access.post_roles else access.roles
    if not _has_role(persona, roles):
        return 403
    if method not in access.methods:
        return 405
    if not has_params:
        return access.ok(method)
    return 200 if access.who == urlmap.STAFF else 404


def _answer_problem(expected, name, response) -> str:
    status = response.status_code
    to_sign_in = status == 302 and "/signin/" in response["Location"]
    if expected == SIGN_IN:
        return "" if to_sign_in else f"{status}, expected {SIGN_IN}"
    if status != expected:
        return f"{status}, expected {expected}"
    if to_sign_in and name != "logout":
        return f"{status} to sign-in, expected the page's own redirect"
    return ""


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.API_THROTTLE_RATE = "100000/min"
    caches[settings.API_THROTTLE_CACHE].clear()


@pytest.mark.rule("AC-2")
@pytest.mark.parametrize("persona", PERSONAS)
def test_isolation_matrix(db, persona):
    """AC-2: every route with another partner's ids answers the one expected status."""
    world = build_isolation_world()
    user = world.personas[persona]
    client = Client(raise_request_exception=False)
    api_headers = {}
    if user is not None:
        client.force_login(user)
        if user.partner_id:
            _token, raw = api_services.api_token_create(actor=user, name="matrix")
            api_headers = {"Authorization": f"Bearer {raw}"}
    problems = []
    before = snapshot()
    for name, route, params in routes():
        url = url_for(name, route, params, world.foreign)
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
            expected = expected_answer(persona, name, method, bool(params))
            problem = _answer_problem(expected, name, response)
            # A reseller invitation link that names no customer is for whichever customer
            # receives it (as in Partner Center): its customer admin sees who invites.
            addressed = persona == "customer_admin" and name == "customer_invitation_link"
            public = name in PUBLIC_LISTS  # lists every provider by design (PV-1)
            if response.status_code == 200 and persona != "staff" and not addressed and not public:
                leaked = [n for n in FOREIGN_NAMES if n.encode() in response.getvalue()]
                if leaked:
                    problem = (problem + "; " if problem else "") + f"shows {leaked}"
            if problem:
                problems.append(f"{persona} {method.upper()} {url} ({name}): {problem}")
        after = snapshot()
        if after != before:
            changed = [k for k in after if after[k] != before[k]]
            if name not in OWN_ACTIONS:
                problems.append(f"{persona} GET/POST {url} ({name}): changed {changed}")
            before = after
    assert not problems, "\n".join(problems)
