"""The OpenAPI 3 schema and its docs pages are served from installed packages (no CDN), the
docs list every error code, and a bounded schemathesis run against our own schema finds no 5xx
and no response that violates the schema (AP-1)."""

import re
from pathlib import Path

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests import factories as f
from tests.fuzz import strategies as fuzz

ROOT = Path(__file__).resolve().parents[2]


def test_openapi_schema_is_served(client, db):
    r = client.get("/v1/openapi.json")
    assert r.status_code == 200
    schema = r.json()
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    for expected in (
        "/v1/profiles/mpn",
        "/v1/customers",
        "/v1/customers/{customer_id}",
        "/v1/customers/relationshiprequests",
        "/v1/customers/{customer_id}/relationships",
        "/v1/customers/{customer_id}/subscriptions",
        "/v1/customers/{customer_id}/subscriptions/{subscription_id}",
        "/v1/customers/{customer_id}/agreements",
        "/v1/customers/{customer_id}/migrations/newcommerce",
        "/v1/customers/{customer_id}/transfers",
        "/v1/customers/{customer_id}/transfers/{transfer_id}",
        "/v1/relationships",
        "/v1/auditrecords",
        "/v1/agreements",
    ):
        assert expected in paths
    assert "bearerAuth" in schema["components"]["securitySchemes"]


@pytest.mark.parametrize("url", ["/v1/docs/"])
def test_docs_pages_use_only_local_static(client, db, url):
    r = client.get(url)
    assert r.status_code == 200
    html = r.content.decode()
    refs = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert refs, html
    for ref in refs:
        assert ref.startswith("/static/") or ref.startswith("/v1/"), ref
    assert "cdn" not in html.lower()
    assert "//" not in "".join(r for r in refs if r.startswith("/static/")).replace("/static/", "")


def test_docs_list_every_error_code(db):
    """docs/api.md's error-code table is the one generated from every RuleViolation subclass
    (AP-3: stable codes, listed in the docs)."""
    from api.error_codes import DOC, documented_table, markdown_table

    doc = DOC.read_text()
    assert documented_table(doc) == markdown_table(), (
        "docs/api.md is out of date: run "
        "DJANGO_SETTINGS_MODULE=partnerportal.settings python -m api.error_codes --write"
    )
    assert "api_access_direct_bill_only" in doc and "direct_bill_restricted" in doc


# --- schemathesis --------------------------------------------------------------------------


@pytest.fixture
def wsgi_in_test_transaction(db):
    """Django's real WSGI handler closes "old" DB connections around each request, which would
    end the test's transaction; do what django.test.Client does and skip that."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(wsgi_in_test_transaction):
    return schemathesis.openapi.from_wsgi("/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def fuzz_token(db, settings):
    settings.API_THROTTLE_RATE = "100000/min"
    partner = f.DirectBillEnrollmentFactory().partner
    customer = f.CustomerFactory()
    f.RelationshipFactory(customer=customer, partner=partner)
    f.SubscriptionFactory(customer=customer, billing_partner=partner)
    from api.services import api_token_create

    user = f.UserFactory(partner=partner, roles=["global_admin", "admin_agent"])
    return api_token_create(actor=user, name="fuzz")[1]


def test_schemathesis_no_5xx_and_schema_conformance(api_schema, fuzz_token):
    """Every operation of our own schema, a few generated cases each, with a valid token
    (bounded: max_examples, no deadline flakiness; the whole run takes well under a minute).
    The seed is the fuzz suite's (tests/fuzz/strategies.py): printed, FUZZ_SEED replays it."""
    from hypothesis import given, seed

    print(fuzz.replay_hint())

    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    failures = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    documented = {
        (path, method.upper())
        for path, item in api_schema.raw_schema["paths"].items()
        for method in item
        if method in {"get", "put", "post", "patch", "delete"}
    }
    # Every operation of the document is exercised, none skipped.
    assert {(op.path, op.method.upper()) for op in operations} == documented
    assert len(operations) >= 15

    scale = 10 if fuzz.PROFILE == "long" else 1
    plan = [(op, GenerationMode.POSITIVE, 6 * scale) for op in operations] + [
        (op, GenerationMode.NEGATIVE, 4 * scale) for op in operations if op.method != "get"
    ]
    for operation, mode, examples in plan:

        @seed(fuzz.SEED)
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=examples,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
            print_blob=True,
        )
        def run(case):
            case.call_and_validate(headers={"Authorization": f"Bearer {fuzz_token}"}, checks=checks)

        try:
            run()
        except Exception as error:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label} ({mode.value}): {error}")
    assert not failures, fuzz.replay_hint() + "\n\n" + "\n\n".join(failures)
