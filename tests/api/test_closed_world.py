"""Issue 12's end state through the API: on the demo world at stage "closed", every one of
Contoso's customers is its indirect customer billed by Fabrikam, and Fabrikam's automation
reads exactly that with Partner Center's calls (IR-1, IR-2, TR-1)."""

import json
from urllib.parse import quote

import pytest

from core.models import CustomerRelationship, RelationshipKind
from customers.models import Subscription

pytestmark = pytest.mark.django_db

LIVE = ("active", "suspended")


@pytest.mark.rule("IR-1")
@pytest.mark.rule("TR-1")
def test_closed_world_is_indirect_and_the_provider_reads_its_resellers_book(
    demo_stage, api, make_token
):
    cast = demo_stage("closed")
    contoso, fabrikam = cast.contoso, cast.fabrikam
    customers = cast.customers
    assert len(customers) == 20
    kinds = set(
        CustomerRelationship.objects.active().filter(partner=contoso).values_list("kind", flat=True)
    )
    assert kinds == {RelationshipKind.INDIRECT_RESELLER}
    live = Subscription.objects.filter(customer__in=customers, status__in=LIVE)
    assert not live.filter(billing_partner=contoso).exists()
    assert set(live.values_list("billing_partner_id", "partner_of_record_id")) == {
        (fabrikam.pk, contoso.pk)
    }

    provider = api(make_token(cast.fabrikam_admin))
    # Retrieve a list of indirect resellers (the provider's side of the relationship).
    resellers = provider.get(
        "/v1/relationships?relationship_type=IsIndirectCloudSolutionProviderOf"
    )
    assert resellers.status_code == 200
    assert str(contoso.tenant_id) in [r["id"] for r in resellers.json()["items"]]
    # Get customers of an indirect reseller: all 20, as documented (size=0, encoded filter).
    raw = json.dumps(
        {"Field": "IndirectReseller", "Value": str(contoso.tenant_id), "Operator": "starts_with"}
    )
    listed = provider.get(f"/v1/customers?size=0&filter={quote(raw, safe='')}").json()
    assert listed["totalCount"] == 20 and len(listed["items"]) == 20
    ids = {item["id"] for item in listed["items"]}
    assert ids == {str(c.tenant_id) for c in customers}
    # Each customer's subscriptions name Contoso's PartnerID as partner of record.
    for customer in customers[:5]:
        subs = provider.get(f"/v1/customers/{customer.tenant_id}/subscriptions").json()["items"]
        live_items = [s for s in subs if s["status"] in LIVE]
        assert live_items and {s["partnerId"] for s in live_items} == {contoso.partner_id}
