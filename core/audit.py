"""Audit events (AC-4): the one mechanism that records every state change and refusal.

Services call `record()` inside their transaction, so the event commits or rolls back with the
change. `refusals()` records a refused attempt after the rollback, so refusals are kept too.
"""

import functools
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from django.db import models, transaction

from . import clock, memo
from .copyrows import copy_insert
from .exceptions import RuleViolation
from .models import AuditEvent, Customer, Outcome, Partner, User


def _actor_fields(actor: User | None) -> dict[str, Any]:
    if actor is None:
        return {"actor": None, "actor_label": "system"}
    return {"actor": actor, "actor_label": actor.email}


def build(
    *,
    actor: User | None,
    operation: str,
    partner: Partner | None = None,
    customer: Customer | None = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    old_state: str = "",
    new_state: str = "",
    outcome: str = Outcome.SUCCESS,
    detail: str = "",
    at: datetime | None = None,
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
        # A refusal's message may quote the client's input, and PostgreSQL text can't hold NUL.
        detail=detail.replace("\x00", "\ufffd"),
        **_actor_fields(actor),
    )


_listeners: list[Callable[[list[AuditEvent]], None]] = []


def on_record(callback: Callable[[list[AuditEvent]], None]):
    """Register `callback(events)`, called by `record`/`record_many` right after the events are
    written, inside the caller's transaction: what it writes commits or rolls back with the
    change (the webhooks outbox). Higher apps register in their `AppConfig.ready()`."""
    if callback not in _listeners:
        _listeners.append(callback)
    return callback


def _recorded(events: list[AuditEvent]) -> None:
    _invalidate_memos_on_commit(events)
    for callback in _listeners:
        callback(events)


def record(**kwargs: Any) -> AuditEvent:
    event = build(**kwargs)
    event.save()
    _recorded([event])
    return event


def record_many(events: Iterable[AuditEvent]) -> list[AuditEvent]:
    """Write many events in one statement (set-based bulk transitions)."""
    events = copy_insert(AuditEvent, events)
    _recorded(events)
    return events


def _invalidate_memos_on_commit(events) -> None:
    """A recorded event means a change to its partner or customer: once the change commits,
    values memoised from their data are stale (`memo`)."""
    partner_ids = {e.partner_id for e in events if e.partner_id}
    customer_ids = {e.customer_id for e in events if e.customer_id}
    if partner_ids or customer_ids:
        transaction.on_commit(
            functools.partial(memo.invalidate, partner_ids=partner_ids, customer_ids=customer_ids)
        )


def refused(
    *,
    actor: User | None,
    operation: str,
    refusal: RuleViolation,
    partner: Partner | None = None,
    customer: Customer | None = None,
) -> AuditEvent:
    """An unsaved event recording that a rule refused `operation`."""
    return build(
        actor=actor,
        operation=operation,
        partner=partner,
        customer=customer,
        outcome=Outcome.REFUSED,
        detail=f"[{refusal.code}] {refusal.message}",
    )


def record_refusals(
    *,
    actor: User | None,
    operation: str,
    outcomes: Mapping[Any, object],
    partner: Partner | None = None,
) -> None:
    """Record a refused event for each RuleViolation among a set-based service's outcomes (its
    `customer` attribute, when set, names the customer)."""
    record_many(
        refused(
            actor=actor,
            operation=operation,
            refusal=outcome,
            partner=partner,
            customer=getattr(outcome, "customer", None),
        )
        for outcome in outcomes.values()
        if isinstance(outcome, RuleViolation)
    )


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
                refused(
                    actor=actor,
                    operation=operation,
                    refusal=refusal,
                    customer=customer,
                    partner=partner,
                ).save()
                raise

        wrapper.audit_operation = operation  # type: ignore[attr-defined]  # lets the AC-4 test find every service
        return wrapper

    return decorator
