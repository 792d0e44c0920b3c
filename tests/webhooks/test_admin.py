"""Webhooks in the Django admin (AC-5): read-only rows; staff send a test event, redeliver and
delete a registration through the same services as the App management › Webhooks page, each
audited with staff as the actor. The signing secret is never shown."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from core.exceptions import InvalidInput
from core.models import AuditEvent, Role
from tests import factories as f
from webhooks import services
from webhooks.exceptions import WebhookNotRegistered
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEvent, WebhookRegistration

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(receiver):
    partner = f.PartnerFactory()
    f.DirectBillEnrollmentFactory(partner=partner)
    user = f.UserFactory(partner=partner, roles=[Role.GLOBAL_ADMIN])
    hook = receiver(codes=[500])
    registration, secret = services.webhook_register(
        actor=user, webhook_url=hook.url, webhook_events=["test-created"]
    )
    return registration, secret, hook


def changelist(model):
    return reverse(f"admin:webhooks_{model._meta.model_name}_changelist")


@pytest.mark.rule("AC-5")
@pytest.mark.parametrize("model", [WebhookRegistration, WebhookEvent, WebhookDelivery])
def test_ac5_webhook_rows_are_read_only_in_the_admin(staff, model):
    request = RequestFactory().get("/admin/")
    request.user = staff
    model_admin = admin.site._registry[model]
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_the_admin_never_shows_the_signing_secret(client, staff, registered):
    registration, secret, _hook = registered
    client.force_login(staff)
    listing = client.get(changelist(WebhookRegistration))
    detail = client.get(
        reverse("admin:webhooks_webhookregistration_change", args=[registration.pk])
    )
    assert listing.status_code == detail.status_code == 200
    assert registration.webhook_url in detail.content.decode()
    assert secret not in listing.content.decode() + detail.content.decode()


@pytest.mark.rule("AC-5")
def test_ac5_staff_send_a_test_event_and_redeliver_through_the_services(
    client, staff, registered, django_capture_on_commit_callbacks
):
    registration, _secret, hook = registered
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            changelist(WebhookRegistration),
            {"action": "send_test_event", "_selected_action": [registration.pk]},
        )
    assert response.status_code == 302
    event = WebhookEvent.objects.get(event_name="test-created")
    delivery = WebhookDelivery.objects.get(event=event)
    assert (delivery.status, delivery.last_response_code) == (DeliveryStatus.PENDING, 500)
    assert AuditEvent.objects.filter(
        operation="webhook.send_test", actor=staff, partner=registration.partner
    ).exists()
    # the receiver answered 500 and the schedule gave up: staff redeliver, same event id
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            changelist(WebhookDelivery), {"action": "redeliver", "_selected_action": [delivery.pk]}
        )
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert [p["EventId"] for p in hook.payloads] == [str(event.event_id)] * 2
    assert AuditEvent.objects.filter(operation="webhook.redeliver", actor=staff).exists()


@pytest.mark.rule("AC-5")
def test_ac5_staff_delete_a_registration_through_the_service(client, staff, registered):
    registration, _secret, _hook = registered
    client.force_login(staff)
    response = client.post(
        changelist(WebhookRegistration),
        {"action": "delete_registration", "_selected_action": [registration.pk]},
    )
    assert response.status_code == 302
    assert not WebhookRegistration.objects.exists()
    event = AuditEvent.objects.get(operation="webhook.unregister")
    assert event.actor == staff and event.partner == registration.partner


@pytest.mark.rule("AC-5")
def test_ac5_the_generic_delete_and_change_do_nothing(client, staff, registered):
    registration, _secret, _hook = registered
    client.force_login(staff)
    url = reverse("admin:webhooks_webhookregistration_delete", args=[registration.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    change = reverse("admin:webhooks_webhookregistration_change", args=[registration.pk])
    client.post(change, {"webhook_url": "http://127.0.0.1:1/other", "events": '["test-created"]'})
    assert WebhookRegistration.objects.get().webhook_url == registration.webhook_url
    assert not AuditEvent.objects.filter(actor=staff).exists()


def test_staff_act_only_on_a_partner_that_is_registered_nothing_changes(staff):
    partner = f.PartnerFactory()
    with pytest.raises(WebhookNotRegistered):
        services.webhook_send_test(actor=staff, partner=partner)
    assert not WebhookEvent.objects.exists()
    with pytest.raises(InvalidInput):  # neither a partner user nor staff naming a partner
        services.webhook_send_test(actor=staff)
    refused = AuditEvent.objects.filter(operation="webhook.send_test")
    assert refused.count() == 2 and not refused.filter(outcome="success").exists()
