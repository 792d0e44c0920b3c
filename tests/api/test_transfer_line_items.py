"""The source's `lineItems` as Partner Center's TransferLineItem ("Update a transfer",
TransferEntity resources): add-ons listed in a line's `addonItems` move with their base
(TR-11) instead of being lines of their own; a partial `quantity` is refused, a new commerce
subscription moving whole (TR-6).
https://learn.microsoft.com/en-us/partner-center/developer/update-a-transfer
https://learn.microsoft.com/en-us/partner-center/developer/transfer-entity-resources"""

import pytest

from customers.models import Subscription
from tests import factories as f
from tests.api.test_transfer_flow import create, flow  # noqa: F401  (the fixture)
from transfers.models import TransferRequest


@pytest.fixture
def pending(flow):  # noqa: F811
    add_on = f.SubscriptionFactory(
        customer=flow["customer"],
        billing_partner=flow["source"],
        parent=flow["sub"],
        offer_name="Add-on",
        quantity=12,
    )
    r = create(flow)
    assert r.status_code == 201, r.content
    return {**flow, "add_on": add_on, "url": f"{flow['path']}/{r.json()['id']}"}


@pytest.mark.rule("TR-11")
def test_add_on_in_addon_items_moves_with_its_base_TR11(pending):
    """TR-11: the documented nesting, PascalCase as the .NET SDK sends it; the add-on goes
    with its base and is not a line of its own."""
    body = {
        "LineItems": [
            {
                "SubscriptionId": str(pending["sub"].pk),
                "Quantity": 12,
                "AddonItems": [{"SubscriptionId": str(pending["add_on"].pk), "Quantity": 12}],
            }
        ]
    }
    r = pending["source_api"].patch(pending["url"], body)
    assert r.status_code == 200, r.content
    done = r.json()
    assert done["status"] == "Complete"
    assert [line["subscriptionId"] for line in done["lineItems"]] == [str(pending["sub"].pk)]
    nested = done["lineItems"][0]["addonItems"]
    assert [a["subscriptionId"] for a in nested] == [str(pending["add_on"].pk)]
    moved = Subscription.objects.get(transferred_from=pending["add_on"])
    assert moved.billing_partner == pending["target"]


@pytest.mark.rule("TR-6")
@pytest.mark.parametrize("where", ["line", "add-on"])
def test_partial_quantity_refused_nothing_moves_TR6(pending, where):
    """TR-6: 5 of 12 seats is refused with a sentence saying why; nothing moves."""
    line = {"subscriptionId": str(pending["sub"].pk)}
    add_on = {"subscriptionId": str(pending["add_on"].pk)}
    (line if where == "line" else add_on)["quantity"] = 5
    line["addonItems"] = [add_on]
    r = pending["source_api"].patch(pending["url"], {"lineItems": [line]})
    assert r.status_code == 400
    assert "all its 12 seats" in r.json()["description"]
    assert TransferRequest.objects.get().status == "pending"
    assert not Subscription.objects.filter(transferred_from__isnull=False).exists()


@pytest.mark.rule("TR-11")
def test_addon_items_entry_that_is_not_an_add_on_refused_TR11(pending):
    other = f.SubscriptionFactory(customer=pending["customer"], billing_partner=pending["source"])
    line = {
        "subscriptionId": str(pending["sub"].pk),
        "addonItems": [{"subscriptionId": str(other.pk)}],
    }
    r = pending["source_api"].patch(pending["url"], {"lineItems": [line]})
    assert r.status_code == 400
    assert "not an add-on" in r.json()["description"]
    assert TransferRequest.objects.get().status == "pending"
