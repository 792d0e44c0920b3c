"""Audit events (AC-4): the one mechanism that records every state change and refusal.

Services call `record()` inside their transaction, so the event commits or rolls back with the
change. `refusals()` records a refused attempt after the rollback, so refusals are kept too.
"""

import functools
from collections.abc import Iterable

from django.db import transaction

from . import clock
from .exceptions import RuleViolation
from .models import AuditEvent, Outcome


def _actor_fields(actor):
    if actor is None:
        return {"actor": None, "actor_label": "system"}
    return {"actor": actor, "actor_label": actor.email}


def build(
    *,
    actor,
    operation: str,
    partner=None,
    customer=None,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    old_state: str = "",
    new_state: str = "",
    outcome: str = Outcome.SUCCESS,
    detail: str = "",
    at=None,
) -> AuditEvent:
    """An unsaved audit event; use `record` or `record_many` to write it."""
    if obj is not None:
        object_type = object_type or type(obj).__name__
        object_id = object_id or str(obj.pk)
    if partner is None and actor is not None and getattr(actor, "partner_id", None):
        partner = actor.partner
    return AuditEvent(
        occurred_at=at or clock.now(),
        partner=partner,
        customer=customer,
        operation=operation,
        object_type=object_type,
        object_id=object_id,
        old_state=old_state or "",
        new_state=new_state or "",
        outcome=outcome,
        detail=detail,
        **_actor_fields(actor),
    )


def record(**kwargs) -> AuditEvent:
    event = build(**kwargs)
    event.save()
    return event


def record_many(events: Iterable[AuditEvent]) -> list[AuditEvent]:
    """Write many events in one statement (set-based bulk transitions)."""
    return AuditEvent.objects.bulk_create(list(events), batch_size=1000)


def refusals(operation: str):
    """Decorate a service: a RuleViolation it raises is recorded as a refused event (after the
    service's own transaction rolled back) and re-raised. The service's keyword arguments
    `actor`, `partner` and `customer` name who and what."""

    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            try:
                return func(*args, **kwargs)
            except RuleViolation as refusal:
                if transaction.get_connection().needs_rollback:
                    raise
                actor = kwargs.get("actor")
                customer = kwargs.get("customer")
                partner = kwargs.get("partner")
                if partner is not None and not hasattr(partner, "legal_name"):
                    partner = None
                if customer is not None and not hasattr(customer, "company_name"):
                    customer = None
                record(
                    actor=actor,
                    operation=operation,
                    partner=partner,
                    customer=customer,
                    outcome=Outcome.REFUSED,
                    detail=f"[{refusal.code}] {refusal.message}",
                )
                raise

        return wrapper

    return decorator
