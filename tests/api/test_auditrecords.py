"""GET /v1/auditrecords as "Get a record of Partner Center activity" documents it (AC-4):
the sample request (US date, URL-encoded CustomerId filter), the CompanyName and ResourceType
filters applied in SQL, anything else a 400 naming what to send, and Microsoft's resourceType /
operationType values (api/audit_vocabulary.py).
https://learn.microsoft.com/en-us/partner-center/developer/get-a-record-of-partner-center-activity-by-user
"""

import json
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api import audit_vocabulary
from tests import factories as f
from tests.services_index import audited_services

RECORD_KEYS = {
    "id",
    "partnerId",
    "customerId",
    "customerName",
    "userPrincipalName",
    "resourceType",
    "resourceOldValue",
    "resourceNewValue",
    "operationType",
    "operationDate",
    "operationStatus",
    "applicationId",
    "sessionId",
    "customizedData",
    "attributes",
}


@pytest.fixture
def events(direct_partner):
    alpha = f.CustomerFactory(company_name="Alpha Inc")
    beta = f.CustomerFactory(company_name="Beta Inc")
    for customer in (alpha, beta):
        f.RelationshipFactory(customer=customer, partner=direct_partner)
    f.AuditEventFactory(partner=direct_partner, customer=alpha, operation="customer.create")
    f.AuditEventFactory(partner=direct_partner, customer=alpha, operation="subscription.cancel")
    f.AuditEventFactory(partner=direct_partner, customer=beta, operation="transfer.create")
    f.AuditEventFactory(partner=direct_partner, operation="clock.advance")
    other = f.CustomerFactory(company_name="Alpha Other")
    f.AuditEventFactory(partner=f.PartnerFactory(), customer=other, operation="customer.create")
    return {"alpha": alpha, "beta": beta}


def _filter(field, value, operator):
    return quote(json.dumps({"Field": field, "Value": value, "Operator": operator}), safe="")


def _ops(response):
    assert response.status_code == 200, response.content
    return sorted(i["operationType"] for i in response.json()["items"])


@pytest.mark.rule("AC-4")
def test_documented_sample_request_customer_id_filter_AC4(direct_api, events):
    """The docs' request sample: `startDate=6/1/2017 12:00:00 AM` and the CustomerId filter
    encoded as printed; the response has the AuditRecord property names and types."""
    alpha = events["alpha"].tenant_id
    today = timezone.now()
    start = quote(f"{today.month}/{today.day}/{today.year} 12:00:00 AM")
    encoded = (
        f"%7B%22Field%22:%22CustomerId%22,%22Value%22:%22{alpha}%22,%22Operator%22:%22equals%22%7D"
    )
    r = direct_api.get(f"/v1/auditrecords?startDate={start}&filter={encoded}")
    assert _ops(r) == ["add_customer", "update_subscription"]
    body = r.json()
    assert body["attributes"]["objectType"] == "Collection"
    record = next(i for i in body["items"] if i["operationType"] == "add_customer")
    assert set(record) >= RECORD_KEYS
    assert record["customerId"] == str(alpha)
    assert record["resourceType"] == "customer"
    assert record["attributes"]["objectType"] == "AuditRecord"
    assert all(set(kv) == {"key", "value"} for kv in record["customizedData"])
    assert {"key": "Operation", "value": "customer.create"} in record["customizedData"]
    # the collection's own link keeps the filter, so following it gives the same page
    self_uri = body["links"]["self"]["uri"]
    assert "filter=" in self_uri
    assert _ops(direct_api.get("/v1" + self_uri)) == ["add_customer", "update_subscription"]


@pytest.mark.rule("AC-4")
def test_company_name_substring_and_pascal_case_filter_AC4(direct_api, events):
    """CompanyName / Search: a case-insensitive substring of the customer's company name; the
    .NET SDK's PascalCase operator (`Substring`) and camelCase keys are read the same."""
    r = direct_api.get(f"/v1/auditrecords?filter={_filter('CompanyName', 'lph', 'substring')}")
    assert _ops(r) == ["add_customer", "update_subscription"]
    raw = json.dumps({"field": "Search", "value": "BETA", "operator": "Substring"})
    r = direct_api.get(f"/v1/auditrecords?filter={quote(raw, safe='')}")
    assert _ops(r) == ["create_transfer"]


@pytest.mark.rule("AC-4")
def test_resource_type_filter_in_microsoft_words_AC4(direct_api, events):
    """ResourceType takes the ResourceType enumeration (the docs' example: "Subscription"); the
    filter is one SQL query, not a Python pass over every record."""
    with CaptureQueriesContext(connection) as queries:
        r = direct_api.get(
            f"/v1/auditrecords?filter={_filter('ResourceType', 'Subscription', 'equals')}"
        )
    assert _ops(r) == ["update_subscription"]
    assert any("LIKE" in q["sql"] and "subscription." in q["sql"] for q in queries.captured_queries)
    r = direct_api.get(f"/v1/auditrecords?filter={_filter('ResourceType', 'transfer', 'Equals')}")
    assert _ops(r) == ["create_transfer"]
    r = direct_api.get(f"/v1/auditrecords?filter={_filter('ResourceType', 'invoice', 'equals')}")
    assert _ops(r) == []


@pytest.mark.rule("AC-4")
@pytest.mark.parametrize(
    "query, param",
    [
        (_filter("UserPrincipalName", "x", "equals"), "filter.Field"),
        (_filter("CompanyName", "lph", "equals"), "filter.Operator"),
        (_filter("CustomerId", "not-a-guid", "equals"), "filter.Value"),
        (_filter("ResourceType", "spaceship", "equals"), "filter.Value"),
        (_filter("CompanyName", "x", "starts_with"), "filter.Operator"),
        ("not-json", "filter"),
    ],
)
def test_unsupported_filter_is_a_400_that_says_so_AC4(direct_api, events, query, param):
    """Never silently ignored: an unsupported field, operator or value is a 400 naming it."""
    r = direct_api.get(f"/v1/auditrecords?filter={query}")
    assert r.status_code == 400
    assert param in json.dumps(r.json())


def test_vocabulary_uses_documented_values():
    """Every resourceType we send is one of Microsoft's; the documented operationTypes are used
    for the actions Partner Center audits too."""
    assert set(audit_vocabulary.RESOURCE_TYPES.values()) <= set(
        audit_vocabulary.MICROSOFT_RESOURCE_TYPES
    )
    assert audit_vocabulary.operation_type("customer.create") == "add_customer"
    assert audit_vocabulary.operation_type("transfer.submit") == "update_transfer"
    assert audit_vocabulary.operation_type("mca.attest") == "create_agreement"
    assert audit_vocabulary.resource_type("mca.attest") == "agreement"
    assert audit_vocabulary.operation_type("gdap.approve") == "approve_granular_admin_relationship"


def test_every_audited_service_has_a_microsoft_resource_type():
    """A new kind of service must be given its resourceType here, not fall to the default."""
    entities = {audit_vocabulary.entity_of(op) for op in audited_services().values()}
    missing = sorted(entities - set(audit_vocabulary.RESOURCE_TYPES) - {"demo", "clock"})
    assert missing == []
