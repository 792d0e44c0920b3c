"""Issue 14: Partner Center webhooks: outbox from audit events, signed at-least-once delivery
with retries, the registration API and the App management › Webhooks page."""

import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse

from core import clock, sweep
from core.exceptions import InvalidTransition
from core.models import AuditEvent, Role
from core.services import clock_advance
from customers import services as customer_services
from relationships.services import gdap as gdap_services
from tests import factories as f
from tests.relationships import factories as rf
from webhooks import services
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEvent

pytestmark = pytest.mark.django_db


def verify(secret: str, body: bytes, signature_header: str) -> bool:
    """The verification snippet of docs/webhooks.md, verbatim."""
    scheme, _, received = signature_header.partition("=")
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return scheme == "sha256" and hmac.compare_digest(expected, received)


def test_docs_snippet_is_the_one_tested():
    with open("docs/webhooks.md") as docs:
        text = docs.read()
    assert "expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()" in text
    assert 'return scheme == "sha256" and hmac.compare_digest(expected, received)' in text


@pytest.fixture
def admin(db):
    partner = f.PartnerFactory()
    f.DirectBillEnrollmentFactory(partner=partner)
    return f.UserFactory(partner=partner, roles=[Role.GLOBAL_ADMIN, Role.ADMIN_AGENT])


def register(admin, url, names=("subscription-updated",)):
    registration, secret = services.webhook_register(
        actor=admin, webhook_url=url, webhook_events=list(names)
    )
    return registration, secret


def subscription_of(partner):
    customer = f.CustomerFactory()
    f.RelationshipFactory(customer=customer, partner=partner)
    return f.SubscriptionFactory(customer=customer, billing_partner=partner)


@pytest.mark.rule("AC-4")
def test_a_suspension_arrives_once_signed_with_partner_center_properties(
    admin, receiver, django_capture_on_commit_callbacks
):
    """AC-4: the audited change becomes one signed event with Partner Center's properties."""
    hook = receiver()
    _, secret = register(admin, hook.url)
    sub = subscription_of(admin.partner)
    with django_capture_on_commit_callbacks(execute=True):
        customer_services.subscription_suspend(actor=admin, subscription=sub)
    assert len(hook.received) == 1
    request = hook.received[0]
    assert verify(secret, request["body"], request["headers"]["X-PartnerPortal-Signature"])
    assert not verify(
        "another secret", request["body"], request["headers"]["X-PartnerPortal-Signature"]
    )
    body = json.loads(request["body"])
    assert body["EventName"] == "subscription-updated"
    assert body["ResourceName"] == "subscription"
    assert body["ResourceUri"].endswith(
        f"/v1/customers/{sub.customer.tenant_id}/subscriptions/{sub.pk}"
    )
    assert "/v1/auditrecords?" in body["AuditUri"]
    assert body["ResourceChangeUtcDate"].endswith("Z")
    assert request["headers"]["X-PartnerPortal-EventId"] == body["EventId"]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_response_code) == (
        DeliveryStatus.DELIVERED,
        1,
        200,
    )


def test_events_about_one_resource_arrive_in_order(
    admin, receiver, django_capture_on_commit_callbacks
):
    hook = receiver()
    register(admin, hook.url)
    sub = subscription_of(admin.partner)
    with django_capture_on_commit_callbacks(execute=True):
        customer_services.subscription_suspend(actor=admin, subscription=sub)
        customer_services.subscription_reactivate(actor=admin, subscription=sub)
    ids = list(WebhookEvent.objects.order_by("id").values_list("event_id", flat=True))
    assert [p["EventId"] for p in hook.payloads] == [str(i) for i in ids]
    assert len(ids) == 2


@pytest.mark.rule("AC-4")
def test_a_refused_change_sends_nothing(admin, receiver, django_capture_on_commit_callbacks):
    """AC-4: a refusal is audited but raises no event."""
    hook = receiver()
    register(admin, hook.url)
    sub = subscription_of(admin.partner)
    customer_services.subscription_suspend(actor=admin, subscription=sub)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidTransition):
        customer_services.subscription_suspend(actor=admin, subscription=sub)
    assert AuditEvent.objects.filter(operation="subscription.suspend", outcome="refused").exists()
    assert WebhookEvent.objects.count() == 1  # the first suspension only
    assert WebhookDelivery.objects.filter(status="pending").count() == 1


@pytest.mark.rule("AC-4")
def test_a_rolled_back_change_sends_nothing(admin, receiver, django_capture_on_commit_callbacks):
    """AC-4: the outbox row rolls back with the change and its audit event."""
    hook = receiver()
    register(admin, hook.url)
    sub = subscription_of(admin.partner)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        customer_services.subscription_suspend(actor=admin, subscription=sub)
        raise RuntimeError("the caller's transaction fails after the change")
    assert WebhookEvent.objects.count() == 0 and WebhookDelivery.objects.count() == 0
    assert callbacks == [] and hook.received == []
    sub.refresh_from_db()
    assert sub.status == "active"


def test_only_registered_event_names_are_sent(admin, receiver, django_capture_on_commit_callbacks):
    hook = receiver()
    register(admin, hook.url, names=["customer-created"])
    sub = subscription_of(admin.partner)
    with django_capture_on_commit_callbacks(execute=True):
        customer_services.subscription_suspend(actor=admin, subscription=sub)
    assert WebhookEvent.objects.count() == 0 and hook.received == []


@pytest.mark.rule("AC-3")
def test_500_three_times_then_200_arrives_on_the_fourth_try(
    admin, receiver, django_capture_on_commit_callbacks
):
    """AC-3: retries fall due on the simulation clock and the sweep fires them."""
    hook = receiver(codes=[500, 500, 500])
    register(admin, hook.url)
    sub = subscription_of(admin.partner)
    with django_capture_on_commit_callbacks(execute=True):
        customer_services.subscription_suspend(actor=admin, subscription=sub)
    delivery = WebhookDelivery.objects.get()
    waits = []
    for _ in range(3):
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.PENDING
        assert delivery.last_response_code == 500
        waits.append(delivery.next_attempt_at - delivery.last_attempt_at)
        sweep.run_sweep()  # not due yet: nothing is sent
        clock_advance(actor=None, delta=delivery.next_attempt_at - clock.now())
        sweep.run_sweep()
    delivery.refresh_from_db()
    assert waits == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert (delivery.status, delivery.attempts, delivery.last_response_code) == (
        "delivered",
        4,
        200,
    )
    assert len(hook.received) == 4
    assert len({p["EventId"] for p in hook.payloads}) == 1  # one event, the same id each time


@pytest.mark.rule("AC-3")
def test_a_dead_receiver_is_retried_for_24_hours_then_failed(
    admin, receiver, django_capture_on_commit_callbacks
):
    """AC-3: 24 simulated hours of retries, then failed."""
    hook = receiver(codes=[503] * 100)
    register(admin, hook.url)
    sub = subscription_of(admin.partner)
    with django_capture_on_commit_callbacks(execute=True):
        customer_services.subscription_suspend(actor=admin, subscription=sub)
    delivery = WebhookDelivery.objects.get()
    started = delivery.event.changed_at
    while delivery.status == DeliveryStatus.PENDING:
        clock_advance(actor=None, delta=delivery.next_attempt_at - clock.now())
        sweep.run_sweep()
        delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_attempt_at - started >= timedelta(hours=24)
    assert delivery.attempts == len(hook.received) > 10


def test_a_hanging_receiver_does_not_delay_another(
    admin, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    slow = receiver(delay=3)
    fast = receiver()
    register(admin, slow.url)
    other = f.UserFactory(partner=f.PartnerFactory(), roles=[Role.GLOBAL_ADMIN])
    f.DirectBillEnrollmentFactory(partner=other.partner)
    register(other, fast.url)
    first, second = subscription_of(admin.partner), subscription_of(other.partner)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        customer_services.subscription_suspend(actor=admin, subscription=first)
        customer_services.subscription_suspend(actor=other, subscription=second)
    assert len(fast.received) == 1
    assert fast.received[0]["at"] - started < 1 + 1.5  # at most the slow one's timeout
    stuck = WebhookDelivery.objects.get(registration__partner=admin.partner)
    assert stuck.status == DeliveryStatus.PENDING and stuck.last_response_code is None
    assert "timed out" in stuck.last_error


def test_a_portal_request_does_not_wait_for_delivery(
    admin, receiver, client, settings, django_capture_on_commit_callbacks
):
    slow = receiver(delay=3)
    register(admin, slow.url)
    sub = subscription_of(admin.partner)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("subscription_action", args=[sub.customer_id, sub.pk, "suspend"]),
            {"confirm": "on"},
            follow=False,
        )
    assert response.status_code == 302  # back to the customer page
    # Delivering inside the request would have waited for the slow receiver and reached it;
    # the request only rang the worker's doorbell.
    assert slow.received == [] and len(callbacks) >= 1
    assert WebhookDelivery.objects.get().status == DeliveryStatus.PENDING


def test_gdap_created_approved_in_the_portal_terminated(
    receiver, client, django_capture_on_commit_callbacks
):
    partner = f.PartnerFactory()
    agent = f.UserFactory(partner=partner, roles=[Role.ADMIN_AGENT])
    customer = rf.direct_customer(partner)
    customer_admin = f.CustomerAdminFactory(customer=customer)
    hook = receiver()
    register(
        agent,
        hook.url,
        names=[
            "granular-admin-relationship-created",
            "granular-admin-relationship-approved",
            "granular-admin-relationship-activated",
            "granular-admin-relationship-terminated",
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        gdap = gdap_services.gdap_request(
            actor=agent,
            customer=customer,
            roles=["directory_readers"],
            duration_days=30,
            auto_extend=False,
        )
    client.force_login(customer_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("customer_gdap_decide", args=[gdap.pk, "approve"]))
    with django_capture_on_commit_callbacks(execute=True):
        gdap_services.gdap_terminate(actor=agent, gdap=gdap)
    assert [p["EventName"] for p in hook.payloads] == [
        "granular-admin-relationship-created",
        "granular-admin-relationship-approved",
        "granular-admin-relationship-activated",
        "granular-admin-relationship-terminated",
    ]
    assert {p["ResourceUri"].rsplit("/", 1)[1] for p in hook.payloads} == {str(gdap.pk)}


def test_an_indirect_reseller_invitation_accepted_by_the_customer(
    receiver, django_capture_on_commit_callbacks
):
    from relationships import links
    from relationships.models import InvitationKind
    from relationships.services import invitation_drafts as invitation_draft_services
    from relationships.services import invitations as invitation_services

    provider = f.ProviderFactory()
    reseller = rf.reseller()
    rf.accepted(provider, reseller)
    agent = rf.admin_agent(reseller)
    hook = receiver()
    register(agent, hook.url, names=["indirect-reseller-relationship-accepted-by-customer"])
    invitation = invitation_draft_services.customer_invitation_create(
        actor=agent, kind=InvitationKind.INDIRECT, provider=provider
    )
    customer_admin = f.CustomerAdminFactory()
    with django_capture_on_commit_callbacks(execute=True):
        invitation_services.customer_invitation_accept(
            actor=customer_admin, token=rf.token(links.CUSTOMER, invitation.pk)
        )
    [payload] = hook.payloads
    assert payload["EventName"] == "indirect-reseller-relationship-accepted-by-customer"
    assert payload["ResourceUri"].endswith(f"/v1/customers/{customer_admin.customer.tenant_id}")
    assert payload["ResourceName"] == "customer"
