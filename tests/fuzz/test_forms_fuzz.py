"""No 5xx from input: every page of the portal, generated from the URL patterns, is opened by
each persona; every form those pages render (its fields read from the HTML, so a new form or
field is fuzzed without a change here) is posted with Hypothesis-generated values for each
field's type, every page gets fuzzed query strings, and every route an empty-handed fuzzed
POST. No answer may be a 5xx or show a traceback.

The run's seed is printed (and in the failure message): FUZZ_SEED=<seed> replays it;
FUZZ_PROFILE=long runs many more examples. The API has its own fuzz run (schemathesis) in
tests/api/test_schema.py.
"""

import re
import uuid

import pytest
from django.core.cache import caches
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import example, given, seed
from hypothesis import settings as hypothesis_settings

from core.models import Customer, Partner, RelationshipKind, Role, User
from core.validators import PortalForm
from customers.models import ProductType
from tests import factories as f
from tests.fuzz import strategies as fuzz
from tests.fuzz.htmlforms import Field, forms_of
from tests.proof.urlmap import FOREIGN_KWARGS, is_api, routes, url_for
from tests.proof.world import build_isolation_world

# Query-string names the pages read (besides those of their own GET forms).
QUERY_NAMES = [
    "q",
    "page",
    "status",
    "type",
    "filter",
    "kind",
    "customer",
    "customer_ids",
    "customers",
    "topic",
    "format",
    "start",
    "end",
    "next",
    "direction",
]
# Form classes no page of the fuzz world renders, and why (they are fuzzed elsewhere or not
# reachable from a partner's pages).
NOT_RENDERED = {
    "ReasonForm": "the admin site's intermediate page (admin actions)",
}


# A value for each path converter, for a route the isolation world has no object for.
SAMPLE_BY_CONVERTER = {"int": "1", "uuid": str(uuid.UUID(int=1)), "": "fuzz", "str": "fuzz"}


def page_url(name: str, route: str, params: tuple, foreign: dict) -> str:
    """The route's URL with the foreign side's ids (the fuzz personas own them), or with a
    sample value per parameter where the world has no object for the route."""
    if not params or name in FOREIGN_KWARGS:
        return url_for(name, route, params, foreign)
    kwargs = {
        param: SAMPLE_BY_CONVERTER.get(converter, "fuzz")
        for converter, param in re.findall(r"<(?:(\w+):)?(\w+)>", route)
    }
    return reverse(name, kwargs=kwargs)


def personas(world) -> dict:
    """Who opens the pages. The foreign side of the isolation world owns every object whose
    id is in the URLs, so its users see the forms those pages hold."""
    their_ga = User.objects.filter(
        partner__legal_name="Foreign Partner", roles__contains=[Role.GLOBAL_ADMIN]
    ).first()
    their_provider = f.UserFactory(
        partner=Partner.objects.get(legal_name="Foreign Provider"),
        roles=[Role.GLOBAL_ADMIN, Role.ADMIN_AGENT],
    )
    their_customer_admin = User.objects.filter(customer__company_name="Foreign Customer").first()
    # An indirect reseller of the same customer, without direct bill: the reseller's forms.
    reseller = f.IndirectEnrollmentFactory(partner__legal_name="Fuzz Reseller").partner
    f.RelationshipFactory(
        customer=their_customer_admin.customer,
        partner=reseller,
        kind=RelationshipKind.INDIRECT_RESELLER,
    )
    return {
        "partner": their_ga,
        "provider": their_provider,
        "reseller": f.UserFactory(partner=reseller, roles=[Role.GLOBAL_ADMIN, Role.ADMIN_AGENT]),
        "customer_admin": their_customer_admin,
        "staff": world.personas["staff"],
        "anonymous": None,
    }


def send(client, method: str, url: str, data=None):
    """One request whose changes are rolled back, so every example starts from the same
    world (and a failed query can't spoil the next request)."""
    with transaction.atomic():
        response = getattr(client, method)(url, data or {})
        transaction.set_rollback(True)
    return response


def check(response, label: str) -> None:
    label = label if len(label) < 300 else label[:300] + "…"
    assert response.status_code < 500, f"{label}: {response.status_code}"
    # getvalue(): a streamed answer (the CSV exports) has no .content
    assert b"Traceback (most recent call last)" not in response.getvalue(), f"{label}: traceback"


def run_examples(
    fields: dict, body, label: str, failures: list, examples: int = fuzz.EXAMPLES
) -> None:
    """Run `body(value)` for the explicit examples and the profile's number of examples drawn
    for `fields` with the run's seed; a failure is recorded with its falsifying example and
    the run goes on."""

    @seed(fuzz.SEED)
    @hypothesis_settings(hypothesis_settings.get_profile("fuzz"), max_examples=examples)
    @given(value=fuzz.values_for(fields))
    def run(value):
        body(value)

    for value in fuzz.explicit_examples(fields):
        run = example(value=value)(run)

    try:
        run()
    except Exception as error:  # every failing page and form is reported, not only the first
        failures.append(f"{label}: {error}")


@pytest.fixture
def fuzz_world(db, settings):
    settings.API_THROTTLE_RATE = "100000/min"
    caches[settings.API_THROTTLE_CACHE].clear()
    world = build_isolation_world()
    # A legacy subscription of the foreign partner's (the fuzzing partner persona's) customer,
    # so its customer page renders the migration form too.
    f.SubscriptionFactory(
        customer=Customer.objects.get(company_name="Foreign Customer"),
        billing_partner=Partner.objects.get(legal_name="Foreign Partner"),
        product_type=ProductType.LEGACY_LICENSE,
        offer_name="Office 365 E3 (legacy)",
    )
    clients = {}
    for name, user in personas(world).items():
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        clients[name] = client
    return world, clients


def test_every_page_and_form_survives_fuzzed_input(fuzz_world):
    print(fuzz.replay_hint())
    world, clients = fuzz_world
    failures: list[str] = []
    pages = {}  # url -> (persona, the query fields its GET forms use)
    post_forms = {}  # signature -> (persona, form)
    urls = []
    for name, route, params in routes():
        if is_api(route):
            continue
        url = page_url(name, route, params, world.foreign)
        urls.append(url)
        for persona, client in clients.items():
            response = send(client, "get", url)
            if response.status_code >= 500:
                failures.append(f"GET {url} as {persona}: {response.status_code}")
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            forms = forms_of(response.content.decode(), url)
            query = {n: Field(n, "text") for n in QUERY_NAMES}
            for form in forms:
                if form.method == "get":
                    query.update(form.fields)
            pages.setdefault(url, (persona, query))
            for form in forms:
                if form.method == "post":
                    post_forms.setdefault(form.signature(), (persona, form))

    for url, (persona, query) in pages.items():
        client = clients[persona]

        def get_page(value, client=client, url=url, persona=persona):
            check(send(client, "get", url, value), f"GET {url} {value!r} as {persona}")

        run_examples(query, get_page, f"GET {url} as {persona}", failures, fuzz.PAGE_EXAMPLES)

    posted = set()
    for persona, form in post_forms.values():
        client = clients[persona]
        posted.add(form.action)

        def post_form(value, client=client, form=form, persona=persona):
            check(send(client, "post", form.action, value), f"POST {form.action} {value!r}")

        run_examples(form.fields, post_form, f"POST {form.action}", failures)

    generic = {n: Field(n, "text") for n in QUERY_NAMES}
    for url in urls:
        if url in posted:
            continue
        client = clients["partner"]

        def post_blind(value, client=client, url=url):
            check(send(client, "post", url, value), f"POST {url} {value!r} as partner")

        run_examples(generic, post_blind, f"POST {url} (no form)", failures)

    print(
        f"fuzzed {len(pages)} pages, {len(post_forms)} forms, "
        f"{len(set(urls) - posted)} routes without a form"
    )
    assert not failures, fuzz.replay_hint() + "\n\n" + "\n\n".join(failures)
    assert_every_form_class_was_driven([form for _persona, form in post_forms.values()], pages)


def assert_every_form_class_was_driven(post_forms, pages) -> None:
    """Each PortalForm subclass's fields appear together in some rendered form: a form class
    that no page renders is either listed in NOT_RENDERED or a gap in the fuzz world."""
    rendered = [set(form.fields) for form in post_forms] + [set(q) for _p, q in pages.values()]
    missing = []
    for cls in _subclasses(PortalForm):
        names = set(cls.base_fields)
        if cls.__name__ in NOT_RENDERED or not names:
            continue
        if not any(len(names & fields) >= max(1, len(names) - 1) for fields in rendered):
            missing.append(f"{cls.__module__}.{cls.__name__} {sorted(names)}")
    assert not missing, "form classes no fuzzed page renders:\n" + "\n".join(missing)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)
