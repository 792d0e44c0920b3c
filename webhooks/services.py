"""The webhook registration of a partner (one per partner, as in Partner Center), test events
and redelivery. Used by the /webhooks/v1 API and the App management › Webhooks page."""

import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction

from core import audit, clock
from core.exceptions import InvalidInput
from core.fsm import apply_transition
from core.models import Partner, User
from core.queue import enqueue
from core.validators import CONTROL_CHARACTERS, has_control_characters

from . import events
from .exceptions import (
    WebhookEventsInvalid,
    WebhookNotRegistered,
    WebhookRegistrationExists,
    WebhookUrlInvalid,
    WebhookUrlLoop,
)
from .models import (
    WEBHOOK_DELIVERY_TRANSITIONS,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEvent,
    WebhookRegistration,
    new_secret,
)
from .tasks import deliver

MAX_URL_LENGTH = 2000
LOOPBACK_NAMES = {"localhost": "127.0.0.1", "[::1]": "127.0.0.1", "::1": "127.0.0.1"}


def _origin(scheme: str, host: str | None, port: int | None) -> tuple[str, int]:
    host = (host or "").lower()
    host = LOOPBACK_NAMES.get(host, host)
    return host, port or (443 if scheme == "https" else 80)


def _portal_origins(portal_host: str) -> set[tuple[str, int]]:
    base = urlsplit(settings.PORTAL_BASE_URL)
    origins = {_origin(base.scheme, base.hostname, base.port)}
    if portal_host:
        own = urlsplit(f"{base.scheme}://{portal_host}")
        origins.add(_origin(base.scheme, own.hostname, own.port))
    return origins


def clean_url(url: object, *, portal_host: str = "") -> str:
    """An absolute http(s) URL that is not the portal itself (a loop)."""
    if not isinstance(url, str) or not url.strip() or len(url) > MAX_URL_LENGTH:
        raise WebhookUrlInvalid()
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise WebhookUrlInvalid() from None
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or " " in url
        or has_control_characters(url)
    ):
        raise WebhookUrlInvalid()
    if _origin(parts.scheme, parts.hostname, port) in _portal_origins(portal_host):
        raise WebhookUrlLoop()
    return url


def clean_events(names: object) -> list[str]:
    """Known Partner Center event names, each once, in the order given."""
    if not isinstance(names, list) or not names or len(names) > len(events.AVAILABLE_EVENTS):
        raise WebhookEventsInvalid()
    lookup = {name.lower(): name for name in events.AVAILABLE_EVENTS}
    unknown = [n for n in names if not isinstance(n, str) or n.lower() not in lookup]
    if unknown:
        # The names are echoed (and audited with the refusal): control characters, NUL
        # included, are dropped so the message can be stored.
        listed = ", ".join(CONTROL_CHARACTERS.sub("", str(n))[:60] for n in unknown[:5])
        raise WebhookEventsInvalid(
            f"Unknown event names: {listed}. GET /webhooks/v1/availableEvents lists them."
        )
    return list(dict.fromkeys(lookup[n.lower()] for n in names))


def _partner_of(actor: User | None, partner: Partner | None = None) -> Partner:
    """The partner acted for: a partner user's own; support staff (the admin) name it."""
    if actor is not None and actor.partner is not None:
        return actor.partner
    if actor is not None and actor.is_staff and partner is not None:
        return partner
    raise InvalidInput("Webhooks are registered by partner users.")


def _locked_registration(partner: Partner) -> WebhookRegistration:
    registration = WebhookRegistration.objects.select_for_update().filter(partner=partner).first()
    if registration is None:
        raise WebhookNotRegistered()
    return registration


def _record(
    actor: User | None,
    operation: str,
    registration: WebhookRegistration,
    detail: str,
    **states: str,
) -> None:
    audit.record(
        actor=actor,
        operation=operation,
        partner=registration.partner,
        obj=registration,
        detail=detail,
        **states,
    )


@audit.refusals("webhook.register")
def webhook_register(
    *, actor: User, webhook_url: object, webhook_events: object, portal_host: str = ""
) -> tuple[WebhookRegistration, str]:
    """Register the partner's callback; returns the row and its signing secret (shown once)."""
    partner = _partner_of(actor)
    url = clean_url(webhook_url, portal_host=portal_host)
    names = clean_events(webhook_events)
    now = clock.now()
    with transaction.atomic():
        type(partner).objects.select_for_update().filter(pk=partner.pk).first()
        if WebhookRegistration.objects.filter(partner=partner).exists():
            raise WebhookRegistrationExists()
        secret = new_secret()
        registration = WebhookRegistration.objects.create(
            partner=partner,
            webhook_url=url,
            events=names,
            secret=secret,
            created_at=now,
            updated_at=now,
        )
        _record(
            actor,
            "webhook.register",
            registration,
            f"{url}: {', '.join(names)}",
            new_state="registered",
        )
    return registration, secret


@audit.refusals("webhook.update")
def webhook_update(
    *, actor: User, webhook_url: object, webhook_events: object, portal_host: str = ""
) -> WebhookRegistration:
    """Change the callback URL and the events; the secret stays."""
    partner = _partner_of(actor)
    url = clean_url(webhook_url, portal_host=portal_host)
    names = clean_events(webhook_events)
    with transaction.atomic():
        registration = _locked_registration(partner)
        registration.webhook_url = url
        registration.events = names
        registration.updated_at = clock.now()
        registration.save(update_fields=["webhook_url", "events", "updated_at"])
        _record(actor, "webhook.update", registration, f"{url}: {', '.join(names)}")
    return registration


@audit.refusals("webhook.unregister")
def webhook_unregister(*, actor: User, partner: Partner | None = None) -> None:
    """Delete the registration; its pending deliveries go with it. Staff name the `partner`."""
    partner = _partner_of(actor, partner)
    with transaction.atomic():
        registration = _locked_registration(partner)
        _record(
            actor,
            "webhook.unregister",
            registration,
            registration.webhook_url,
            old_state="registered",
            new_state="deleted",
        )
        registration.delete()


@audit.refusals("webhook.send_test")
def webhook_send_test(*, actor: User, partner: Partner | None = None) -> WebhookEvent:
    """Queue a `test-created` event to the registration, whatever events it chose. Its
    correlation id (the event id) reads its delivery status under validationEvents. Staff
    name the `partner`."""
    partner = _partner_of(actor, partner)
    with transaction.atomic():
        registration = _locked_registration(partner)
        correlation_id = uuid.uuid4()
        event = events.emit(
            registration=registration,
            name=events.TEST_CREATED,
            resource=events.Resource(
                "test", f"/webhooks/v1/registration/validationEvents/{correlation_id}"
            ),
            changed_at=clock.now(),
            event_id=correlation_id,
        )
        _record(actor, "webhook.send_test", registration, f"Test event {correlation_id}")
    return event


@audit.refusals("webhook.redeliver")
def webhook_redeliver(*, actor: User, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivered or failed event again, with the same event id, from a fresh retry
    schedule. Staff may redeliver any partner's delivery."""
    partner = _partner_of(actor, delivery.registration.partner)
    with transaction.atomic():
        locked = (
            WebhookDelivery.objects.select_for_update()
            .select_related("event", "registration__partner")
            .filter(pk=delivery.pk, registration__partner=partner)
            .first()
        )
        if locked is None:
            raise WebhookNotRegistered("No such delivery of your organisation.")
        delivery = locked
        apply_transition(
            delivery,
            WEBHOOK_DELIVERY_TRANSITIONS,
            DeliveryStatus.PENDING,
            actor=actor,
            operation="webhook.redeliver",
            partner=partner,
            label="delivery status",
            detail=f"{delivery.event.event_name} {delivery.event.event_id}",
            attempts=0,
            next_attempt_at=clock.now(),
            retry_until=clock.now() + events.RETRY_FOR,
        )
        enqueue(deliver, delivery.pk)
    return delivery
