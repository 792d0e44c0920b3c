"""Pages that don't grow with the book (issue 18), at a small size: a partner with more
customers than a page, and every page of the URL map rendered for every persona. No form offers
more than a page of choices (`<select>` options), and no page lists more than a page of the
partner's customers: customer choices are the picker (a text box and its JSON lookup), lists
are pages linked by key."""

import re

import pytest
from django.test import Client

from core.customer_picker import PICKER_SIZE
from tests import factories as f
from tests.proof.urlmap import ACCESS, is_api, routes
from tests.proof.world import build_isolation_world

PAGE = 50  # the longest list page; no form may offer more choices than that
BOOK = PAGE + 11  # customers per partner: more than any page shows
NAME = "Scale Book Customer"
PERSONAS = ["global_admin", "admin_agent", "sales_agent", "billing_admin", "provider", "staff"]
SELECT = re.compile(r"<select\b.*?</select>", re.S)
CUSTOMER_NAME = re.compile(rf"{NAME} \d+")


def _book(partner, n=BOOK):
    for i in range(n):
        customer = f.CustomerFactory(company_name=f"{NAME} {i:03d}")
        f.RelationshipFactory(customer=customer, partner=partner)
        f.AuditEventFactory(partner=partner, customer=customer, operation="customer.create")


def _pages():
    """Every route without parameters that answers a GET with a page (the API aside)."""
    for name, route, params in routes():
        access = ACCESS[name]
        if params or is_api(route) or "get" not in access.methods:
            continue
        yield name, route


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_no_page_offers_more_than_a_page_of_customers(persona):
    world = build_isolation_world()
    user = world.personas[persona]
    _book(world.personas["global_admin"].partner)
    _book(world.personas["provider"].partner)
    client = Client(raise_request_exception=True)
    client.force_login(user)
    problems, seen = [], 0
    for name, route in _pages():
        response = client.get("/" + route)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        seen += 1
        body = response.content.decode()
        for select in SELECT.findall(body):
            options = select.count("<option")
            if options > PAGE:
                problems.append(f"{name}: a <select> with {options} options")
        listed = set(CUSTOMER_NAME.findall(body))
        if len(listed) > PAGE:
            problems.append(f"{name}: lists {len(listed)} customers")
    assert seen >= 5, "the persona saw too few pages for the check to mean anything"
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_the_customer_lookup_answers_at_most_a_page():
    world = build_isolation_world()
    user = world.personas["global_admin"]
    _book(user.partner)
    client = Client()
    client.force_login(user)
    body = client.get("/lookup/customers/", {"q": NAME}).json()
    assert len(body["items"]) == PICKER_SIZE == body["limit"]
    names = [item["name"] for item in body["items"]]
    assert names == sorted(names) and names[0] == f"{NAME} 000"
