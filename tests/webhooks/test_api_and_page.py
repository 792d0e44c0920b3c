"""Issue 14: the /webhooks/v1 registration API (Partner Center's shapes, the /v1 error body,
bad input refused with nothing stored) and the App management › Webhooks page."""

import json

import pytest
from django.core.cache import caches
from django.urls import reverse

from api import services as api_services
from core.models import AuditEvent, Role
from tests import factories as f
from webhooks import delivery as webhook_delivery
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEvent, WebhookRegistration

pytestmark = pytest.mark.django_db

REGISTRATION = "/webhooks/v1/registration"


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.API_THROTTLE_RATE = "10000/min"
    caches[settings.API_THROTTLE_CACHE].clear()


@pytest.fixture
def admin(db):
    partner = f.PartnerFactory()
    f.DirectBillEnrollmentFactory(partner=partner)
    return f.UserFactory(partner=partner, roles=[Role.GLOBAL_ADMIN])


@pytest.fixture
def call(client, admin):
    _token, raw = api_services.api_token_create(actor=admin, name="hooks")

    def do(method, path, data=None, raw_body=None):
        body = raw_body if raw_body is not None else json.dumps(data) if data is not None else ""
        return getattr(client, method)(
            path,
            body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {raw}"},
        )

    return do


@pytest.mark.rule("AP-1")
def test_register_read_update_delete_as_partner_center(call, admin, receiver):
    """AP-1: Partner Center's webhook registration shapes."""
    hook = receiver()
    assert call("get", REGISTRATION).status_code == 404
    created = call(
        "post",
        REGISTRATION,
        {"webhookUrl": hook.url, "WebhookEvents": ["Subscription-Updated", "test-created"]},
    )
    assert created.status_code == 200, created.content
    body = created.json()
    assert body["SubscriberId"] == str(admin.partner.tenant_id)
    assert body["WebhookEvents"] == ["subscription-updated", "test-created"]
    assert body["Secret"] == WebhookRegistration.objects.get().secret
    read = call("get", REGISTRATION).json()
    assert "Secret" not in read and read["WebhookUrl"] == hook.url
    again = call("post", REGISTRATION, {"WebhookUrl": hook.url, "WebhookEvents": ["test-created"]})
    assert again.status_code == 409 and again.json()["errorName"] == "webhook_registration_exists"
    updated = call(
        "put", REGISTRATION, {"WebhookUrl": hook.url + "/2", "WebhookEvents": ["customer-created"]}
    )
    assert updated.status_code == 200 and updated.json()["WebhookEvents"] == ["customer-created"]
    assert call("delete", REGISTRATION).status_code == 204
    assert not WebhookRegistration.objects.exists()
    operations = set(AuditEvent.objects.values_list("operation", flat=True))
    assert {"webhook.register", "webhook.update", "webhook.unregister"} <= operations


def test_available_events_are_partner_center_names(call):
    names = call("get", "/webhooks/v1/availableEvents").json()
    assert "test-created" in names and "subscription-updated" in names
    assert "granular-admin-relationship-approved" in names
    assert "indirect-reseller-relationship-accepted-by-customer" in names


@pytest.mark.rule("AP-1")
@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"WebhookUrl": "not a url", "WebhookEvents": ["test-created"]}, "webhook_url_invalid"),
        (
            {"WebhookUrl": "ftp://127.0.0.1/x", "WebhookEvents": ["test-created"]},
            "webhook_url_invalid",
        ),
        (
            {"WebhookUrl": "file:///etc/passwd", "WebhookEvents": ["test-created"]},
            "webhook_url_invalid",
        ),
        (
            {"WebhookUrl": "http://127.0.0.1:9/x", "WebhookEvents": ["no-such-event"]},
            "webhook_events_invalid",
        ),
        (
            {"WebhookUrl": "http://127.0.0.1:9/x", "WebhookEvents": "test-created"},
            "webhook_events_invalid",
        ),
        ({"WebhookUrl": "http://127.0.0.1:9/x", "WebhookEvents": []}, "webhook_events_invalid"),
        (  # schemathesis found it: the refusal quotes the name, and its audit record took NUL
            {"WebhookUrl": "http://127.0.0.1:9/x", "WebhookEvents": ["a\x00b"]},
            "webhook_events_invalid",
        ),
        ({"WebhookEvents": ["test-created"]}, "webhook_url_invalid"),
        (
            {"WebhookUrl": "http://testserver/v1/customers", "WebhookEvents": ["test-created"]},
            "webhook_url_loop",
        ),
    ],
)
def test_bad_input_is_a_400_in_the_error_body_and_nothing_is_stored(call, body, code):
    """AP-1: bad input is a 400 in the documented error body."""
    response = call("post", REGISTRATION, body)
    assert response.status_code == 400, response.content
    error = response.json()
    assert error["errorName"] == code and isinstance(error["code"], int)
    assert error["description"] and error["source"] == "PartnerFD"
    assert not WebhookRegistration.objects.exists()


def test_a_callback_at_the_portal_base_url_is_a_loop(call, settings):
    settings.PORTAL_BASE_URL = "http://localhost:8000"
    response = call(
        "post",
        REGISTRATION,
        {"WebhookUrl": "http://127.0.0.1:8000/v1/customers", "WebhookEvents": ["test-created"]},
    )
    assert response.status_code == 400 and response.json()["errorName"] == "webhook_url_loop"
    assert not WebhookRegistration.objects.exists()


def test_an_oversized_body_is_a_400_and_nothing_is_stored(call):
    body = json.dumps(
        {
            "WebhookUrl": "http://127.0.0.1:9/x",
            "WebhookEvents": ["test-created"],
            "pad": "x" * 20000,
        }
    )
    response = call("post", REGISTRATION, raw_body=body)
    assert response.status_code == 400 and response.json()["errorName"] == "webhook_body_too_large"
    assert not WebhookRegistration.objects.exists()


@pytest.mark.parametrize("size", [20_000, 300 * 1024])
def test_a_body_beyond_the_limit_is_a_400_whatever_its_size(call, size):
    """Also beyond the /v1 API's 413 limit: the documented 400, nothing stored."""
    pad = "x" * size
    body = json.dumps({"WebhookUrl": "http://127.0.0.1:9/x", "WebhookEvents": ["test-created"]})
    response = call("post", REGISTRATION, raw_body=body[:-1] + f', "pad": "{pad}"}}')
    assert response.status_code == 400, response.content
    error = response.json()
    assert error["errorName"] == "webhook_body_too_large" and error["source"] == "PartnerFD"
    assert not WebhookRegistration.objects.exists()


def test_an_oversized_body_without_a_token_is_still_a_401(client):
    response = client.post(REGISTRATION, "x" * 20_000, content_type="application/json")
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"WebhookUrl": "not a url", "WebhookEvents": ["test-created"]}, "webhook_url_invalid"),
        (
            {"WebhookUrl": "HTTP://TESTSERVER/V1/Customers", "WebhookEvents": ["test-created"]},
            "webhook_url_loop",
        ),
        (
            {"WebhookUrl": "http://127.0.0.1:9/y", "WebhookEvents": ["subscription-deleted"]},
            "webhook_events_invalid",
        ),
        (
            {
                "WebhookUrl": "http://127.0.0.1:9/y",
                "WebhookEvents": ["test-created"],
                "p": "x" * 20000,
            },
            "webhook_body_too_large",
        ),
    ],
)
def test_a_bad_update_is_a_400_and_the_registration_is_unchanged(call, body, code):
    """PUT refuses the same bad input as POST, and the stored registration stays as it was."""
    call(
        "post",
        REGISTRATION,
        {"WebhookUrl": "http://127.0.0.1:9/x", "WebhookEvents": ["test-created"]},
    )
    before = list(WebhookRegistration.objects.values())
    response = call("put", REGISTRATION, body)
    assert response.status_code == 400, response.content
    assert response.json()["errorName"] == code
    assert list(WebhookRegistration.objects.values()) == before
    assert not AuditEvent.objects.filter(operation="webhook.update", outcome="success").exists()


@pytest.mark.rule("AP-1")
def test_paths_match_in_any_case_and_with_a_trailing_slash(
    call, receiver, django_capture_on_commit_callbacks
):
    """AP-1 (API.md, Fidelity): /webhooks/v1 paths match as /v1 paths do."""
    hook = receiver()
    created = call(
        "post",
        "/Webhooks/V1/Registration/",
        {"WebhookUrl": hook.url, "WebhookEvents": ["test-created"]},
    )
    assert created.status_code == 200, created.content
    assert call("get", "/WEBHOOKS/v1/registration/").json()["WebhookUrl"] == hook.url
    assert "test-created" in call("get", "/webhooks/v1/AVAILABLEEVENTS").json()
    with django_capture_on_commit_callbacks(execute=True):
        sent = call("post", "/webhooks/v1/registration/validationevents/")
    correlation = sent.json()["correlationId"]
    status = call("get", f"/webhooks/v1/Registration/ValidationEvents/{correlation}/")
    assert status.status_code == 200 and status.json()["correlationId"] == correlation
    missing = call("get", "/webhooks/v1/no-such-thing")
    assert missing.status_code == 404 and missing.json()["source"] == "PartnerFD"


@pytest.mark.rule("AP-1")
def test_validation_event_sends_test_created_and_reports_its_status(
    call, receiver, django_capture_on_commit_callbacks
):
    """AP-1: validationEvents sends test-created and reports it."""
    hook = receiver()
    secret = call(
        "post", REGISTRATION, {"WebhookUrl": hook.url, "WebhookEvents": ["subscription-updated"]}
    ).json()["Secret"]
    with django_capture_on_commit_callbacks(execute=True):
        response = call("post", f"{REGISTRATION}/validationEvents")
    correlation = response.json()["correlationId"]
    [request] = hook.received
    payload = json.loads(request["body"])
    assert payload["EventName"] == "test-created" and payload["ResourceName"] == "test"
    assert payload["ResourceUri"].endswith(
        f"/webhooks/v1/registration/validationEvents/{correlation}"
    )
    assert payload["AuditUri"] is None
    assert (
        webhook_delivery.sign(secret, request["body"])
        == request["headers"]["X-PartnerPortal-Signature"]
    )
    status = call("get", f"{REGISTRATION}/validationEvents/{correlation}").json()
    assert status["status"] == "delivered" and status["events"][0]["responseCode"] == 200


def test_validation_status_of_another_partner_is_404(call, admin):
    other = f.UserFactory(partner=f.PartnerFactory(), roles=[Role.GLOBAL_ADMIN])
    from webhooks import services

    services.webhook_register(
        actor=other, webhook_url="http://127.0.0.1:9/x", webhook_events=["test-created"]
    )
    event = services.webhook_send_test(actor=other)
    assert call("get", f"{REGISTRATION}/validationEvents/{event.event_id}").status_code == 404


def test_page_registers_sends_a_test_event_and_redelivers_with_the_same_id(
    client, admin, receiver, django_capture_on_commit_callbacks
):
    hook = receiver(codes=[500])
    client.force_login(admin)
    response = client.post(
        reverse("webhooks"), {"webhook_url": hook.url, "webhook_events": ["test-created"]}
    )
    assert response.status_code == 302  # Post/Redirect/Get: the GET shows the secret once
    response = client.get(response["Location"])
    assert response.status_code == 200 and b"webhook-secret" in response.content
    assert response["Cache-Control"] == "no-store"
    assert b"webhook-secret" not in client.get(reverse("webhooks")).content
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("webhook_send_test"))
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_response_code) == (DeliveryStatus.PENDING, 500)
    # The page lists it: status, attempts, last response code.
    page = client.get(reverse("webhooks")).content.decode()
    assert "test-created" in page and "500" in page and "Pending" in page
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("webhook_redeliver", args=[delivery.pk]))
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    ids = {p["EventId"] for p in hook.payloads}
    assert len(hook.received) == 2 and ids == {str(WebhookEvent.objects.get().event_id)}
    assert AuditEvent.objects.filter(operation="webhook.redeliver", outcome="success").exists()


def test_page_refuses_a_loop_and_stores_nothing(client, admin):
    client.force_login(admin)
    response = client.post(
        reverse("webhooks"),
        {"webhook_url": "http://testserver/v1/customers", "webhook_events": ["test-created"]},
    )
    assert response.status_code == 400
    assert "loop" in response.content.decode()
    assert not WebhookRegistration.objects.exists()


def test_the_webhook_api_is_in_the_openapi_document(client):
    paths = client.get("/v1/openapi.json").json()["paths"]
    assert {
        "/webhooks/v1/registration",
        "/webhooks/v1/registration/validationEvents",
        "/webhooks/v1/registration/validationEvents/{correlation_id}",
        "/webhooks/v1/availableEvents",
    } <= set(paths)
    assert {"get", "post", "put", "delete"} <= set(paths["/webhooks/v1/registration"])


def test_unknown_event_names_with_control_characters_are_a_400_not_a_500(call):
    """The refusal names the unknown events and is audited: a NUL in a name can't break it."""
    body = {"WebhookUrl": "http://127.0.0.1:9/x", "WebhookEvents": ["bad\x00name", "x\x1fy"]}
    response = call("post", REGISTRATION, body)
    assert response.status_code == 400 and response.json()["errorName"] == "webhook_events_invalid"
    assert "badname" in response.json()["description"]
    assert not WebhookRegistration.objects.exists()
    assert AuditEvent.objects.filter(operation="webhook.register", outcome="refused").exists()
