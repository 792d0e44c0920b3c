"""New commerce migrations run on the worker (TR-5), as "Create a migration", "Get a
migration", "Get migrations" and "Validate migration eligibility" document them:
https://learn.microsoft.com/en-us/partner-center/developer/create-migration
https://learn.microsoft.com/en-us/partner-center/developer/get-migration
https://learn.microsoft.com/en-us/partner-center/developer/validate-migration-eligibility
The POST answers `Processing`; the task (eager in tests, run when the request commits)
completes it; a GET polls it."""

import pytest

from api.numeric_codes import NUMERIC_CODES
from customers import nce_migrations
from customers.models import NewCommerceMigration, Subscription
from tests import factories as f

LEGACY_O365 = "796B6B5F-613C-4E24-A17C-EBA730D49C02"
MIGRATION_KEYS = {
    "id",
    "startedTime",
    "completedTime",
    "currentSubscriptionId",
    "status",
    "customerTenantId",
    "catalogItemId",
    "newCommerceSubscriptionId",
    "newCommerceOrderId",
    "subscriptionEndDate",
    "quantity",
    "termDuration",
    "billingCycle",
    "purchaseFullTerm",
    "addOnMigrations",
    "attributes",
}


@pytest.fixture
def customer(direct_partner):
    customer = f.CustomerFactory()
    f.RelationshipFactory(customer=customer, partner=direct_partner)
    return customer


@pytest.fixture
def legacy(customer, direct_partner):
    return f.SubscriptionFactory(
        customer=customer,
        billing_partner=direct_partner,
        product_type="legacy_license",
        offer_id=LEGACY_O365,
        offer_name="Office 365 E3 (legacy)",
        quantity=7,
    )


def path(customer, rest=""):
    return f"/v1/customers/{customer.tenant_id}/migrations/newcommerce{rest}"


@pytest.mark.rule("TR-5")
def test_create_processing_then_worker_completes_TR5(
    direct_api, customer, legacy, django_capture_on_commit_callbacks
):
    """TR-5: the docs' request body (PascalCase as the .NET SDK sends it) → `Processing` with
    the requested options; the worker completes it with the new subscription, which GET (one
    and list) shows."""
    body = {
        "CurrentSubscriptionId": str(legacy.pk),
        "TermDuration": "P1Y",
        "BillingCycle": "Monthly",
        "Quantity": 5,
        "PurchaseFullTerm": True,
    }
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        r = direct_api.post(path(customer), body)
    assert r.status_code == 201, r.content
    created = r.json()
    assert set(created) >= MIGRATION_KEYS
    assert created["status"] == "Processing"
    assert created["currentSubscriptionId"] == str(legacy.pk)
    assert created["newCommerceSubscriptionId"] is None
    assert (created["quantity"], created["termDuration"]) == (5, "P1Y")
    assert created["attributes"]["objectType"] == "Migration"
    assert not Subscription.objects.filter(migrated_from=legacy).exists()
    polled = direct_api.get(path(customer, f"/{created['id']}")).json()
    assert polled["status"] == "Processing"

    for callback in callbacks:  # the worker picks the task up
        callback()
    done = direct_api.get(path(customer, f"/{created['id']}")).json()
    assert done["status"] == "Completed", done
    new = Subscription.objects.get(migrated_from=legacy)
    assert done["newCommerceSubscriptionId"] == str(new.pk)
    assert (new.quantity, new.term_duration) == (5, "P1Y")
    assert done["completedTime"] is not None
    listed = direct_api.get(path(customer)).json()
    assert [m["id"] for m in listed["items"]] == [created["id"]]
    assert listed["attributes"]["objectType"] == "Collection"


@pytest.mark.rule("TR-5")
def test_worker_records_failure_with_error_TR5(direct_api, customer, legacy, direct_user):
    """TR-5: a migration that can no longer run when the worker gets it (the subscription was
    suspended meanwhile) ends `Failed` with the refusal's code and sentence; nothing moves."""
    migration = nce_migrations.migration_create(actor=direct_user, subscription=legacy)
    Subscription.objects.filter(pk=legacy.pk).update(status="suspended")
    nce_migrations.migration_run(migration_id=migration.pk)
    body = direct_api.get(path(customer, f"/{migration.pk}")).json()
    assert body["status"] == "Failed"
    assert body["errorCode"] == "subscription_not_active"
    assert "active legacy subscription" in body["errorDescription"]
    assert not Subscription.objects.filter(migrated_from=legacy).exists()
    # running it again (a retried task) changes nothing
    nce_migrations.migration_run(migration_id=migration.pk)
    assert NewCommerceMigration.objects.get(pk=migration.pk).status == "failed"


@pytest.mark.rule("TR-5")
def test_refused_at_once_when_it_cannot_succeed_TR5(direct_api, customer, legacy, direct_user):
    """TR-5: bad options, a second migration while one is processing, a non-legacy
    subscription are refused by the POST itself; no migration is stored."""
    bad = {"currentSubscriptionId": str(legacy.pk), "termDuration": "P1M", "billingCycle": "annual"}
    r = direct_api.post(path(customer), bad)
    assert r.status_code == 400
    assert not NewCommerceMigration.objects.exists()
    nce_migrations.migration_create(actor=direct_user, subscription=legacy)
    r = direct_api.post(path(customer), {"currentSubscriptionId": str(legacy.pk)})
    assert r.status_code == 409
    assert "already processing" in r.json()["description"]
    assert NewCommerceMigration.objects.count() == 1


@pytest.mark.rule("TR-5")
def test_validate_eligibility_TR5(direct_api, customer, legacy, direct_partner):
    """TR-5: eligible legacy subscription → isEligible true, no errors; a new commerce one →
    false with the reason; nothing is created either way."""
    r = direct_api.post(path(customer, "/validate"), {"currentSubscriptionId": str(legacy.pk)})
    assert r.status_code == 200, r.content
    assert r.json() == {
        "currentSubscriptionId": str(legacy.pk),
        "catalogItemId": LEGACY_O365,
        "isEligible": True,
        "errors": [],
    }
    nce = f.SubscriptionFactory(customer=customer, billing_partner=direct_partner)
    r = direct_api.post(path(customer, "/validate"), {"CurrentSubscriptionId": str(nce.pk)})
    body = r.json()
    assert body["isEligible"] is False
    assert body["errors"][0]["errorName"] == "not_legacy_subscription"
    assert body["errors"][0]["code"] == NUMERIC_CODES["not_legacy_subscription"]
    assert body["errors"][0]["description"]
    assert not NewCommerceMigration.objects.exists()
    assert not Subscription.objects.filter(migrated_from__isnull=False).exists()


@pytest.mark.rule("AC-2")
def test_other_partners_migration_is_404_AC2(direct_api, customer, legacy):
    other = f.PartnerFactory()
    f.DirectBillEnrollmentFactory(partner=other)
    admin = f.UserFactory(partner=other, roles=["global_admin"])
    theirs_customer = f.CustomerFactory()
    f.RelationshipFactory(customer=theirs_customer, partner=other)
    theirs = f.SubscriptionFactory(
        customer=theirs_customer,
        billing_partner=other,
        product_type="legacy_license",
        offer_id=LEGACY_O365,
    )
    migration = nce_migrations.migration_create(actor=admin, subscription=theirs)
    assert direct_api.get(path(customer, f"/{migration.pk}")).status_code == 404
    assert direct_api.get(path(customer, "/not-a-uuid")).status_code == 404
    assert direct_api.get(path(customer)).json()["items"] == []
