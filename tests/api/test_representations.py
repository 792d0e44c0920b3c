"""The Customer resource is built from plain dicts and the customers collection from items
encoded once per row (AP-1): the JSON stays byte for byte what the DRF serializers sent.

`data/customer_resources.json` holds the three resources below as the serializer-based
implementation rendered them (etags included)."""

import json
import uuid
from pathlib import Path

import pytest
from rest_framework.renderers import JSONRenderer

from core.models import Customer, CustomerRelationship, RelationshipKind
from tests import factories as f

GOLDEN = json.loads((Path(__file__).parent / "data" / "customer_resources.json").read_text())
RESELLER_TENANT = uuid.UUID("5d2b8e44-9c1a-4f6e-b7d3-1a8c4e6f0b03")
CUSTOMERS = [
    {
        "tenant": "6f1c9a52-7b0e-4d7e-9f43-0c1b6a2d9e01",
        "domain": "alpha.example",
        "company_name": "Alpha Inc",
        "email": "it@alpha.example",
        "contact_name": "Ann Smith",
        "address_line": "1 Main Street",
        "city": "Seattle",
        "postal_code": "98101",
        "country": "US",
        "phone": "+1 425 555 0100",
        "rel": {"kind": RelationshipKind.DIRECT, "has_admin_privileges": True},
    },
    {
        "tenant": "0a7e3c11-2f4b-4a8d-8c55-3e9d7b1f2a02",
        "domain": "beta.example",
        "company_name": "Müller & Söhne — Zürich",
        "email": "it@beta.example",
        "contact_name": "",
        "address_line": "Bahnhofstrasse 1",
        "city": "Zürich",
        "postal_code": "8001",
        "country": "CH",
        "phone": "",
        "rel": {
            "kind": RelationshipKind.INDIRECT_PROVIDER,
            "has_admin_privileges": False,
            "reseller": True,
            "bill_to_copy": {
                "companyName": "Müller Billing",
                "email": "billing@beta.example",
                "contactName": "Bea Ray Jones",
                "addressLine1": "2 Side St",
                "city": "Bern",
                "postalCode": "3011",
                "country": "CH",
                "phoneNumber": "+41 31 123",
            },
        },
    },
    {
        "tenant": "c3e5a7b9-1d2f-4e6a-8b0c-2d4f6a8c0e04",
        "domain": "gamma.example",
        "company_name": 'Gamma "Quoted" Ltd',
        "email": "it@gamma.example",
        "contact_name": "Solo",
        "address_line": "3 Road",
        "city": "London",
        "postal_code": "N1 9GU",
        "country": "GB",
        "phone": "+44 20 7946 0000",
        "rel": {
            "kind": RelationshipKind.INDIRECT_RESELLER,
            "has_admin_privileges": True,
            "bill_to_copy": {"email": "ap@gamma.example"},
        },
    },
]


@pytest.fixture
def provider_api(api, make_token):
    """A provider (API access without direct-bill, TX-2) serving the three customers in three
    ways: directly, as the provider of a reseller, as an indirect reseller."""
    provider = f.ProviderFactory()
    reseller = f.PartnerFactory(tenant=f.TenantFactory(id=RESELLER_TENANT))
    for spec in CUSTOMERS:
        spec = dict(spec)
        rel = dict(spec.pop("rel"))
        tenant = f.TenantFactory(id=uuid.UUID(spec.pop("tenant")), domain=spec.pop("domain"))
        customer = f.CustomerFactory(tenant=tenant, **spec)
        if rel.pop("reseller", False):
            rel["reseller"] = reseller
        f.RelationshipFactory(customer=customer, partner=provider, **rel)
    return api(make_token(f.UserFactory(partner=provider)))


def _text(resource):
    """The resource as indented JSON: equal texts mean equal values in the same key order."""
    return json.dumps(resource, ensure_ascii=False, indent=1)


@pytest.mark.rule("AP-1")
def test_customer_resources_are_unchanged(provider_api):
    golden = {g["id"]: g for g in GOLDEN}
    response = provider_api.get("/v1/customers")
    assert response.status_code == 200
    items = response.json()["items"]
    assert len(items) == 3
    for item in items:
        assert _text(item) == _text(golden[item["id"]])
        detail = provider_api.get(f"/v1/customers/{item['id']}")
        assert _text(detail.json()) == _text(golden[item["id"]])


@pytest.mark.rule("AP-1")
def test_customers_collection_bytes_are_what_the_json_renderer_writes(provider_api):
    response = provider_api.get("/v1/customers?size=2")
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert response.content == JSONRenderer().render(body)
    assert body["totalCount"] == 2 and body["continuationToken"]
    assert set(body["links"]) == {"self", "next"}
    indented = provider_api.get(
        "/v1/customers?size=2", headers={"Accept": "application/json; indent=2"}
    )
    assert indented.json() == body and b'\n  "totalCount"' in indented.content


@pytest.mark.rule("AP-1")
def test_customers_collection_shows_a_change_at_once(provider_api):
    """Items are reused per row: a changed customer or relationship is a different row."""
    before = provider_api.get("/v1/customers").json()["items"]
    Customer.objects.filter(company_name="Alpha Inc").update(company_name="Alpha Renamed")
    CustomerRelationship.objects.filter(kind=RelationshipKind.INDIRECT_RESELLER).update(
        bill_to_copy={"email": "new@gamma.example"}
    )
    after = {i["id"]: i for i in provider_api.get("/v1/customers").json()["items"]}
    alpha, gamma = after[CUSTOMERS[0]["tenant"]], after[CUSTOMERS[2]["tenant"]]
    assert alpha["companyProfile"]["companyName"] == "Alpha Renamed"
    assert gamma["billingProfile"]["email"] == "new@gamma.example"
    old = {i["id"]: i for i in before}
    assert alpha["attributes"]["etag"] != old[alpha["id"]]["attributes"]["etag"]
