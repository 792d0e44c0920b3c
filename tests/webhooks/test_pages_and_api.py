"""Issue 14, "Done when": changes driven through the pages and the /v1 API reach a real receiver
signed, once per change; a refused change through either sends nothing; events about one
resource arrive in order even when the first delivery has to be retried."""

import json
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.urls import reverse

from api import services as api_services
from core import clock, sweep
from core.models import Role
from core.services import clock_advance
from tests import factories as f
from webhooks import services
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEvent

from .test_webhooks import verify

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.API_THROTTLE_RATE = "10000/min"
    caches[settings.API_THROTTLE_CACHE].clear()


@pytest.fixture
def admin(db):
    partner = f.PartnerFactory()
    f.DirectBillEnrollmentFactory(partner=partner)
    return f.UserFactory(partner=partner, roles=[Role.GLOBAL_ADMIN, Role.ADMIN_AGENT])


def _subscription(partner, *, age_days=2):
    customer = f.CustomerFactory()
    f.RelationshipFactory(customer=customer, partner=partner)
    return f.SubscriptionFactory(
        customer=customer,
        billing_partner=partner,
        quantity=10,
        created_at=clock.now() - timedelta(days=age_days),
    )


@pytest.mark.rule("AC-4")
@pytest.mark.rule("NC-4")
def test_page_and_api_changes_arrive_once_each_signed_refusals_send_nothing(
    admin, client, receiver, django_capture_on_commit_callbacks
):
    """AC-4/NC-4: one signed event per change made on the customer page and through PATCH
    /v1/.../subscriptions/{id}; a refused PATCH (NC-2: the cancellation window closed) and a
    refused page action change nothing and send nothing."""
    hook = receiver()
    _registration, secret = services.webhook_register(
        actor=admin, webhook_url=hook.url, webhook_events=["subscription-updated"]
    )
    sub = _subscription(admin.partner)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            reverse("subscription_action", args=[sub.customer_id, sub.pk, "suspend"]),
            {"confirm": "on"},
        )
    assert page.status_code == 302
    _token, raw = api_services.api_token_create(actor=admin, name="hooks")
    api = {"Authorization": f"Bearer {raw}"}
    path = f"/v1/customers/{sub.customer.tenant_id}/subscriptions/{sub.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        patched = client.patch(
            path, json.dumps({"status": "active"}), content_type="application/json", headers=api
        )
    assert patched.status_code == 200, patched.content
    assert [p["EventName"] for p in hook.payloads] == ["subscription-updated"] * 2
    assert len({p["EventId"] for p in hook.payloads}) == 2
    for delivery in hook.received:
        assert verify(secret, delivery["body"], delivery["headers"]["X-PartnerPortal-Signature"])

    late = _subscription(admin.partner, age_days=8)
    late_path = f"/v1/customers/{late.customer.tenant_id}/subscriptions/{late.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.patch(
            late_path,
            json.dumps({"status": "deleted"}),
            content_type="application/json",
            headers=api,
        )
        client.post(
            reverse("subscription_action", args=[late.customer_id, late.pk, "cancel"]),
            {"confirm": "on"},
        )
    assert refused.status_code == 409
    late.refresh_from_db()
    assert late.status == "active"
    assert len(hook.received) == 2 and WebhookEvent.objects.count() == 2


@pytest.mark.rule("AC-3")
def test_a_later_event_waits_for_an_earlier_one_about_the_same_resource(
    admin, receiver, django_capture_on_commit_callbacks
):
    """AC-3: the first event about a subscription meets a 500; the second one about it is held
    back (not sent before the first) until the retry on the simulation clock delivers the first."""
    from customers import services as customer_services

    hook = receiver(codes=[500])
    services.webhook_register(
        actor=admin, webhook_url=hook.url, webhook_events=["subscription-updated"]
    )
    sub = _subscription(admin.partner)
    with django_capture_on_commit_callbacks(execute=True):
        customer_services.subscription_suspend(actor=admin, subscription=sub)
        customer_services.subscription_reactivate(actor=admin, subscription=sub)
    first, second = WebhookEvent.objects.order_by("id")
    assert [p["EventId"] for p in hook.payloads] == [str(first.event_id)]  # the 500
    held = WebhookDelivery.objects.get(event=second)
    assert (held.status, held.attempts) == (DeliveryStatus.PENDING, 0)
    retry = WebhookDelivery.objects.get(event=first)
    clock_advance(actor=None, delta=retry.next_attempt_at - clock.now())
    sweep.run_sweep()
    assert [p["EventId"] for p in hook.payloads] == [
        str(first.event_id),
        str(first.event_id),
        str(second.event_id),
    ]
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}
