"""GET /v1/customers/{id}/transferseligibility ("Get a customer's subscriptions transfer
eligibility", TransferEligibility resources): per subscription `isEligible` and the `reason`,
from the transfer page's eligibility (transfers.selectors.customer_eligibility; TR-5, TR-6,
TR-10, TR-11).
https://learn.microsoft.com/en-us/partner-center/developer/get-customer-s-subscriptions-transfer-eligibility
"""

import pytest

from tests import factories as f


@pytest.fixture
def customer(direct_partner):
    customer = f.CustomerFactory()
    f.RelationshipFactory(customer=customer, partner=direct_partner)
    return customer


@pytest.fixture
def subs(customer, direct_partner):
    make = lambda **kw: f.SubscriptionFactory(  # noqa: E731
        customer=customer, billing_partner=direct_partner, **kw
    )
    base = make(offer_name="Base")
    return {
        "base": base,
        "add_on": make(offer_name="Add-on", parent=base),
        "legacy": make(offer_name="Legacy", product_type="legacy_license"),
        "trial": make(offer_name="Trial", is_trial=True),
        "suspended": make(offer_name="Suspended", status="suspended"),
    }


def rows(response):
    assert response.status_code == 200, response.content
    return {i["offerName"]: i for i in response.json()["items"]}


@pytest.mark.rule("TR-6")
def test_each_subscription_eligible_or_why_not_TR5_TR6_TR11(direct_api, customer, subs):
    """TR-5 (legacy first migrates), TR-6 (only active, no trials), TR-11 (an add-on moves
    with its base): the documented request, `transferType` as the sample sends it."""
    url = f"/v1/customers/{customer.tenant_id}/transferseligibility?transferType=directtoindirect"
    got = rows(direct_api.get(url))
    base = got["Base"]
    assert base["id"] == str(subs["base"].pk)
    assert base["isEligible"] is True and base["reason"] is None
    assert base["addOnSubscriptionIds"] == [str(subs["add_on"].pk)]
    assert base["attributes"]["objectType"] == "TransferEligibility"
    assert got["Add-on"]["isEligible"] is False and "base" in got["Add-on"]["reason"]
    assert got["Legacy"]["isEligible"] is False and "migrate" in got["Legacy"]["reason"]
    assert got["Trial"]["isEligible"] is False and "Trial" in got["Trial"]["reason"]
    assert got["Suspended"]["isEligible"] is False
    assert "active" in got["Suspended"]["reason"]


@pytest.mark.rule("TR-6")
def test_against_a_pending_transfer_its_product_types_count_TR6(
    direct_api, direct_partner, customer, subs
):
    """With `transferId` (ours) the request's product types count too."""
    transfer = f.TransferRequestFactory(
        customer=customer, source=direct_partner, target_product_types=["azure_plan"]
    )
    url = f"/v1/customers/{customer.tenant_id}/transferseligibility?transferId={transfer.pk}"
    got = rows(direct_api.get(url))
    assert got["Base"]["isEligible"] is False
    assert "product types" in got["Base"]["reason"]


@pytest.mark.rule("AC-2")
def test_unknown_transfer_type_or_foreign_transfer_refused_AC2(direct_api, customer, subs):
    base = f"/v1/customers/{customer.tenant_id}/transferseligibility"
    r = direct_api.get(f"{base}?transferType=sideways")
    assert r.status_code == 400 and "transferType" in str(r.json())
    theirs = f.TransferRequestFactory()
    assert direct_api.get(f"{base}?transferId={theirs.pk}").status_code == 404
    other = f.CustomerFactory()
    assert (
        direct_api.get(f"/v1/customers/{other.tenant_id}/transferseligibility").status_code == 404
    )
