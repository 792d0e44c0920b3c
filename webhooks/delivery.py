"""Signed delivery of webhook events, by the worker only (never in a portal request).

Each attempt is one POST with a short timeout, so a slow or dead receiver costs its own
delivery at most `WEBHOOK_TIMEOUT_SECONDS` and never holds up another. A failed attempt is
retried with exponential backoff on the simulation clock until 24 simulated hours after the
change, then the delivery is failed. At-least-once: a receiver may see an event again (a retry
after a lost answer, a Redeliver); `EventId` and the `X-PartnerPortal-EventId` header are
stable, so receivers de-duplicate on them. The scheme is in docs/webhooks.md.
"""

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.db import transaction

from core import clock
from core.fsm import apply_transition

from .models import WEBHOOK_DELIVERY_TRANSITIONS, DeliveryStatus, WebhookDelivery

SIGNATURE_HEADER = "X-PartnerPortal-Signature"
EVENT_ID_HEADER = "X-PartnerPortal-EventId"
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)


def sign(secret: str, body: bytes) -> str:
    """`sha256=` and the hex HMAC-SHA256 of the exact body bytes under the registration's
    secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 1 min, 2 min, 4 min … at most 6 h."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a new target (it could point anywhere, the portal too)."""

    def redirect_request(self, *args, **kwargs):
        return None


def post(url: str, body: bytes, headers: dict) -> tuple[int | None, str]:
    """POST once; (status code, error) — the code is None when no answer came."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    opener = urllib.request.build_opener(_NoRedirects())
    try:
        with opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, f"HTTP {error.code}"
    except (OSError, ValueError) as error:  # refused, timed out, bad URL
        return None, str(error)[:500] or type(error).__name__


def _due():
    return WebhookDelivery.objects.filter(
        status=DeliveryStatus.PENDING, next_attempt_at__lte=clock.now()
    )


def _earlier_pending(delivery) -> bool:
    """Events about one resource arrive in order: a delivery waits for the pending ones before
    it to the same registration about the same resource."""
    return WebhookDelivery.objects.filter(
        registration_id=delivery.registration_id,
        status=DeliveryStatus.PENDING,
        event__resource_uri=delivery.event.resource_uri,
        event_id__lt=delivery.event_id,
    ).exists()


def attempt(delivery_id: int) -> bool:
    """Try one due delivery once (a no-op if another worker holds it or it is not due).
    Returns whether it was delivered."""
    with transaction.atomic():
        delivery = (
            _due()
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("event", "registration")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or _earlier_pending(delivery):
            return False
        body = json.dumps(delivery.event.payload, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "PartnerPortal-Webhooks/1",
            SIGNATURE_HEADER: sign(delivery.registration.secret, body),
            EVENT_ID_HEADER: str(delivery.event.event_id),
        }
        code, error = post(delivery.registration.webhook_url, body, headers)
        _record_attempt(delivery, code, error)
        return delivery.status == DeliveryStatus.DELIVERED


def _record_attempt(delivery, code: int | None, error: str) -> None:
    now = clock.now()
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_response_code = code
    delivery.last_error = error
    fields = ["attempts", "last_attempt_at", "last_response_code", "last_error"]
    if code is not None and 200 <= code < 300:
        _finish(delivery, DeliveryStatus.DELIVERED, f"HTTP {code}", fields)
    elif now >= delivery.retry_until:
        _finish(delivery, DeliveryStatus.FAILED, error or f"HTTP {code}", fields)
    else:
        delivery.next_attempt_at = now + backoff(delivery.attempts)
        delivery.save(update_fields=[*fields, "next_attempt_at"])


def _finish(delivery, status: str, detail: str, fields: list[str]) -> None:
    apply_transition(
        delivery,
        WEBHOOK_DELIVERY_TRANSITIONS,
        status,
        actor=None,
        operation=f"webhook_delivery.{status}",
        partner=delivery.registration.partner,
        detail=f"{delivery.event.event_name} to {delivery.registration.webhook_url}: {detail}",
        next_attempt_at=None,
        **{field: getattr(delivery, field) for field in fields},
    )


def due_ids(*, limit: int = 500) -> list[int]:
    """Deliveries whose (re)try time has come on the simulation clock, oldest event first."""
    return list(_due().order_by("event_id", "id").values_list("pk", flat=True)[:limit])
