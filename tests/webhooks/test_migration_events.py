"""Issue 14: new commerce migrations raise Partner Center's migration webhook events through
the same outbox as every other change: created when the POST is accepted, completed or failed
when the worker ends it; a refused migration raises nothing (TR-5)."""

import json

import pytest
from django.core.cache import caches

from api import services as api_services
from core.models import Role
from customers import nce_migrations
from customers.models import NewCommerceMigration, Subscription
from tests import factories as f
from webhooks import services as webhook_services
from webhooks.models import WebhookEvent

from .test_webhooks import verify

pytestmark = pytest.mark.django_db

LEGACY_O365 = "796B6B5F-613C-4E24-A17C-EBA730D49C02"
EVENTS = [
    "create-new-commerce-migration",
    "new-commerce-migration-completed",
    "new-commerce-migration-failed",
]


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.API_THROTTLE_RATE = "10000/min"
    caches[settings.API_THROTTLE_CACHE].clear()


@pytest.fixture
def world(db):
    partner = f.PartnerFactory()
    f.DirectBillEnrollmentFactory(partner=partner)
    admin = f.UserFactory(partner=partner, roles=[Role.GLOBAL_ADMIN])
    customer = f.CustomerFactory()
    f.RelationshipFactory(customer=customer, partner=partner)
    legacy = f.SubscriptionFactory(
        customer=customer,
        billing_partner=partner,
        product_type="legacy_license",
        offer_id=LEGACY_O365,
        offer_name="Office 365 E3 (legacy)",
        quantity=7,
    )
    return admin, customer, legacy


def _register(admin, receiver):
    hook = receiver()
    _registration, secret = webhook_services.webhook_register(
        actor=admin, webhook_url=hook.url, webhook_events=EVENTS
    )
    return hook, secret


@pytest.mark.rule("TR-5")
def test_a_migration_through_the_api_raises_created_then_completed_TR5(
    client, world, receiver, django_capture_on_commit_callbacks
):
    admin, customer, legacy = world
    hook, secret = _register(admin, receiver)
    _token, raw = api_services.api_token_create(actor=admin, name="migrations")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/v1/customers/{customer.tenant_id}/migrations/newCommerce",
            json.dumps({"CurrentSubscriptionId": str(legacy.pk), "TermDuration": "P1Y"}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {raw}"},
        )
    assert response.status_code == 201, response.content
    migration = NewCommerceMigration.objects.get()
    assert migration.status == "completed"
    assert Subscription.objects.filter(migrated_from=legacy).exists()
    assert [p["EventName"] for p in hook.payloads] == EVENTS[:2]
    uri = f"/v1/customers/{customer.tenant_id}/migrations/newcommerce/{migration.pk}"
    for payload in hook.payloads:
        assert payload["ResourceUri"].endswith(uri)
        assert payload["ResourceName"] == "newCommerceMigration"
        assert payload["AuditUri"]
    for delivery in hook.received:
        assert verify(secret, delivery["body"], delivery["headers"]["X-PartnerPortal-Signature"])
    assert len({p["EventId"] for p in hook.payloads}) == 2


@pytest.mark.rule("TR-5")
def test_a_migration_the_worker_cannot_run_raises_created_then_failed_TR5(
    world, receiver, django_capture_on_commit_callbacks
):
    admin, _customer, legacy = world
    hook, _secret = _register(admin, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        migration = nce_migrations.migration_create(actor=admin, subscription=legacy)
        # the subscription is suspended before the worker runs the migration
        Subscription.objects.filter(pk=legacy.pk).update(status="suspended")
    # eager Celery ran the migration on commit; had it not, the sweep would
    nce_migrations.migration_run(migration_id=migration.pk)
    migration.refresh_from_db()
    assert migration.status == "failed"
    assert [p["EventName"] for p in hook.payloads] == [EVENTS[0], EVENTS[2]]


@pytest.mark.rule("TR-5")
def test_a_refused_migration_raises_no_event_TR5(
    world, receiver, django_capture_on_commit_callbacks
):
    admin, _customer, legacy = world
    hook, _secret = _register(admin, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        refusal = nce_migrations.migration_eligibility(
            actor=admin, subscription=legacy, term_duration="P1M", billing_cycle="annual"
        )
        assert refusal is not None
        with pytest.raises(type(refusal)):
            nce_migrations.migration_create(
                actor=admin, subscription=legacy, term_duration="P1M", billing_cycle="annual"
            )
    assert not NewCommerceMigration.objects.exists()
    assert not WebhookEvent.objects.exists() and hook.received == []


def test_the_migration_events_are_available_to_register(client, world):
    admin, _customer, _legacy = world
    _token, raw = api_services.api_token_create(actor=admin, name="events")
    names = client.get(
        "/webhooks/v1/availableEvents", headers={"Authorization": f"Bearer {raw}"}
    ).json()
    assert set(EVENTS) <= set(names)
