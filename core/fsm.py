"""Every status change goes through here: `apply_transition` (one row) and
`apply_transition_many` (a set) check `old → new` against the model's allowed-transition table
(`<MODEL>_TRANSITIONS`, the same table `core.fsm_tables` turns into the database's guards),
write the new status and record the audit event."""

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.db import models

from . import audit
from .exceptions import InvalidTransition
from .fsm_tables import TransitionTable
from .models import AuditEvent, Customer, Partner, User


def check_transition(table: TransitionTable, old: str, new: str, *, label: str = "status") -> None:
    """Raise InvalidTransition unless `old → new` is in `table`."""
    if new not in table.get(old, []):
        raise InvalidTransition(f"The {label} cannot change from {old} to {new}.")


def move(
    obj: models.Model,
    table: TransitionTable,
    new: str,
    *,
    field: str = "status",
    label: str = "status",
    **changes: Any,
) -> None:
    """`apply_transition` without the audit event, for the core's own bookkeeping rows (a
    bulk job's progress, an outbound email's delivery): the machine moving its own work along
    is not a state change of the partner's business, and those rows were never audited (AC-4
    would bury the real changes under one event per email). Checks `old → new` against
    `table`, sets the status and `changes`, saves just those fields. Not for business rows."""
    old = getattr(obj, field)
    check_transition(table, old, new, label=label)
    setattr(obj, field, new)
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.save(update_fields=[field, *changes])


def apply_transition(
    obj: models.Model,
    table: TransitionTable,
    new: str,
    *,
    actor: User | None,
    operation: str,
    partner: Partner | None = None,
    customer: Customer | None = None,
    detail: str = "",
    label: str = "status",
    field: str = "status",
    at: datetime | None = None,
    recorded_states: tuple[str, str] | None = None,
    **changes: Any,
) -> AuditEvent:
    """Move `obj` to `new`: check `old → new` against `table`, set the status and the other
    `changes`, save just those fields, and record the audit event (old → new, or the
    `recorded_states` when the event names the change otherwise). The caller runs this inside
    its transaction, holding the row lock."""
    old = getattr(obj, field)
    check_transition(table, old, new, label=label)
    setattr(obj, field, new)
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.save(update_fields=[field, *changes])
    old_state, new_state = recorded_states or (old, new)
    return audit.record(
        actor=actor,
        operation=operation,
        partner=partner,
        customer=customer,
        obj=obj,
        old_state=old_state,
        new_state=new_state,
        detail=detail,
        at=at,
    )


def apply_transition_many(
    objs: Iterable[models.Model],
    table: TransitionTable,
    new: str,
    *,
    actor: User | None,
    operation: str,
    partner_of: Callable[[Any], Partner | None] | None = None,
    customer_of: Callable[[Any], Customer | None] | None = None,
    detail: str | Callable[[Any], str] = "",
    label: str = "status",
    field: str = "status",
    at: datetime | None = None,
    **changes: Any,
) -> list[AuditEvent]:
    """The set-based `apply_transition`: move every row of `objs` (one model, locked by the
    caller) to `new`. Each row's `old → new` is checked against `table` first (the first that
    can't move raises InvalidTransition and nothing changes); then one UPDATE sets the status
    and `changes`, and one insert writes an audit event per row (`partner_of(obj)` and
    `customer_of(obj)` name its partner and customer; `detail` is a string, or `detail(obj)`
    says it per row). Returns the events."""
    objs = list(objs)
    if not objs:
        return []
    olds = [getattr(obj, field) for obj in objs]
    for old in olds:
        check_transition(table, old, new, label=label)
    type(objs[0])._default_manager.filter(pk__in=[obj.pk for obj in objs]).update(
        **{field: new}, **changes
    )
    events = []
    for obj, old in zip(objs, olds, strict=True):
        setattr(obj, field, new)
        for name, value in changes.items():
            setattr(obj, name, value)
        events.append(
            audit.build(
                actor=actor,
                operation=operation,
                partner=partner_of(obj) if partner_of else None,
                customer=customer_of(obj) if customer_of else None,
                obj=obj,
                old_state=old,
                new_state=new,
                detail=detail(obj) if callable(detail) else detail,
                at=at,
            )
        )
    return audit.record_many(events)
