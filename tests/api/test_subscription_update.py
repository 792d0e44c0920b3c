"""PATCH /v1/customers/{id}/subscriptions/{sid} (NC-1..NC-4, DB-2) and the migration's term,
billing frequency, seats and purchaseFullTerm (TR-5): the same services and refusals as the
customer page, with the API's error body."""

from datetime import timedelta

import pytest

from core import clock
from core.models import AuditEvent
from customers.models import Subscription
from customers.terms import term_end
from enrollment.models import DirectBillStatus
from tests import factories as f

from .test_contract import assert_error

LEGACY_O365 = "796B6B5F-613C-4E24-A17C-EBA730D49C02"


@pytest.fixture
def my_customer(direct_partner):
    customer = f.CustomerFactory()
    f.RelationshipFactory(customer=customer, partner=direct_partner)
    return customer


@pytest.fixture
def sub(direct_partner, my_customer):
    return f.SubscriptionFactory(
        customer=my_customer,
        billing_partner=direct_partner,
        quantity=10,
        created_at=clock.now() - timedelta(days=2),
    )


def url(customer, sub):
    return f"/v1/customers/{customer.tenant_id}/subscriptions/{sub.pk}"


@pytest.mark.rule("NC-4")
def test_nc4_patch_changes_seats_auto_renew_and_status(direct_api, my_customer, sub):
    resource = direct_api.get(url(my_customer, sub)).json()
    resource.update(quantity=4, autoRenewEnabled=False)  # clients send the whole resource back
    r = direct_api.patch(url(my_customer, sub), resource)
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["quantity"], body["autoRenewEnabled"], body["status"]) == (4, False, "active")

    r = direct_api.patch(url(my_customer, sub), {"Status": "Suspended"})  # PascalCase, any case
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "suspended"
    r = direct_api.patch(url(my_customer, sub), {"status": "active"})
    assert r.json()["status"] == "active"
    operations = list(
        AuditEvent.objects.filter(object_id=str(sub.pk), outcome="success")
        .order_by("id")
        .values_list("operation", flat=True)
    )
    assert operations == [
        "subscription.change_quantity",
        "subscription.auto_renew",
        "subscription.suspend",
        "subscription.reactivate",
    ]


@pytest.mark.rule("NC-2")
def test_nc2_patch_cancels_in_the_window_and_refuses_after(direct_api, my_customer, sub):
    r = direct_api.patch(url(my_customer, sub), {"status": "deleted"})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "deleted"

    late = f.SubscriptionFactory(
        customer=sub.customer,
        billing_partner=sub.billing_partner,
        quantity=10,
        created_at=clock.now() - timedelta(days=8),
    )
    body = assert_error(
        direct_api.patch(url(my_customer, late), {"status": "deleted"}),
        409,
        "cancellation_window_closed",
    )
    assert "closed on" in body["description"]
    body = assert_error(
        direct_api.patch(url(my_customer, late), {"quantity": 9}),
        409,
        "seat_reduction_window_closed",
    )
    assert "closed on" in body["description"]
    late.refresh_from_db()
    assert (late.status, late.quantity) == ("active", 10)


@pytest.mark.rule("NC-1")
def test_nc1_patch_on_an_expired_subscription_is_refused(direct_api, my_customer, sub):
    Subscription.objects.filter(pk=sub.pk).update(status="expired", ended_at=clock.now())
    assert_error(
        direct_api.patch(url(my_customer, sub), {"autoRenewEnabled": False}),
        409,
        "subscription_expired",
    )
    sub.refresh_from_db()
    assert (sub.status, sub.auto_renew) == ("expired", True)


@pytest.mark.rule("DB-2")
def test_db2_patch_still_allowed_while_restricted(direct_api, direct_partner, my_customer, sub):
    direct_partner.direct_bill_enrollment.status = DirectBillStatus.RESTRICTED
    direct_partner.direct_bill_enrollment.save(update_fields=["status"])
    r = direct_api.patch(url(my_customer, sub), {"quantity": 11})
    assert r.status_code == 200, r.content
    assert r.json()["quantity"] == 11


@pytest.mark.rule("NC-4")
def test_nc4_patch_bad_input_and_other_partners_subscription(direct_api, my_customer, sub):
    assert_error(
        direct_api.patch(url(my_customer, sub), {"status": "expired"}), 400, "invalid_input"
    )
    assert_error(direct_api.patch(url(my_customer, sub), {"quantity": 0}), 400, "invalid_input")
    assert_error(direct_api.patch(url(my_customer, sub), {"quantity": "x"}), 400, "invalid_input")
    theirs = f.SubscriptionFactory(customer=my_customer)
    r = direct_api.patch(url(my_customer, theirs), {"quantity": 20})
    assert_error(r, 404, "subscription_not_found")
    sub.refresh_from_db()
    theirs.refresh_from_db()
    assert (sub.quantity, sub.status, theirs.quantity) == (10, "active", 10)


@pytest.mark.rule("TR-5")
def test_tr5_migration_honours_term_billing_quantity_and_full_term(
    direct_api, direct_partner, my_customer, django_capture_on_commit_callbacks
):
    legacy = f.SubscriptionFactory(
        customer=my_customer,
        billing_partner=direct_partner,
        product_type="legacy_license",
        offer_id=LEGACY_O365,
        offer_name="Office 365 E3 (legacy)",
        quantity=7,
    )
    path = f"/v1/customers/{my_customer.tenant_id}/migrations/newcommerce"
    bad = {"currentSubscriptionId": str(legacy.pk), "termDuration": "P1M", "billingCycle": "annual"}
    body = assert_error(direct_api.post(path, bad), 400, "invalid_migration_terms")
    assert "billed monthly" in body["description"]
    assert not Subscription.objects.filter(migrated_from=legacy).exists()

    good = {
        "CurrentSubscriptionId": str(legacy.pk),
        "TermDuration": "P3Y",
        "BillingCycle": "Annual",
        "Quantity": 9,
        "PurchaseFullTerm": True,
    }
    with django_capture_on_commit_callbacks(execute=True):
        r = direct_api.post(path, good)
    assert r.status_code == 201, r.content
    body = direct_api.get(f"{path}/{r.json()['id']}").json()
    assert (body["termDuration"], body["billingCycle"], body["quantity"]) == ("P3Y", "annual", 9)
    assert body["purchaseFullTerm"] is True
    new = Subscription.objects.get(migrated_from=legacy)
    assert new.commitment_end_date == term_end(new.created_at.date(), "P3Y")


@pytest.mark.rule("TR-5")
def test_tr5_migration_without_purchase_full_term_keeps_the_term_end(
    direct_api, direct_partner, my_customer, django_capture_on_commit_callbacks
):
    end = clock.today() + timedelta(days=100)
    legacy = f.SubscriptionFactory(
        customer=my_customer,
        billing_partner=direct_partner,
        product_type="legacy_license",
        offer_id=LEGACY_O365,
        commitment_end_date=end,
    )
    path = f"/v1/customers/{my_customer.tenant_id}/migrations/newcommerce"
    with django_capture_on_commit_callbacks(execute=True):
        r = direct_api.post(path, {"currentSubscriptionId": str(legacy.pk)})
    assert r.status_code == 201, r.content
    assert direct_api.get(f"{path}/{r.json()['id']}").json()["purchaseFullTerm"] is False
    assert Subscription.objects.get(migrated_from=legacy).commitment_end_date == end


@pytest.mark.rule("NC-2")
def test_nc2_patch_schedules_seats_for_the_renewal(direct_api, my_customer, sub):
    Subscription.objects.filter(pk=sub.pk).update(created_at=clock.now() - timedelta(days=30))
    resource = direct_api.get(url(my_customer, sub)).json()
    assert resource["scheduledNextTermInstructions"] is None
    resource["scheduledNextTermInstructions"] = {"Quantity": 3}
    r = direct_api.patch(url(my_customer, sub), resource)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["quantity"] == 10
    assert body["scheduledNextTermInstructions"]["quantity"] == 3
    assert body["scheduledNextTermInstructions"]["product"]["productId"] == "CFQ7TTC0LCHC"
