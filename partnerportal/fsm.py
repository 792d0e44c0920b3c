"""One allowed-transition table per state machine feeds both the Python check in services and
the database trigger (pgtrigger.FSM), so a status cannot jump even from raw SQL."""

import pgtrigger

from .exceptions import InvalidTransition


def transitions(table: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(source, target) for source, targets in table.items() for target in targets]


def fsm_trigger(table: dict[str, list[str]], *, field: str = "status", name: str) -> pgtrigger.FSM:
    return pgtrigger.FSM(name=name, field=field, transitions=transitions(table))


def check_transition(table, old: str, new: str, *, label: str = "status") -> None:
    """Raise InvalidTransition unless `old → new` is in `table`."""
    if new not in table.get(old, []):
        raise InvalidTransition(f"The {label} cannot change from {old} to {new}.")


def apply_transition(
    obj,
    table,
    new: str,
    *,
    actor,
    operation: str,
    partner=None,
    customer=None,
    detail: str = "",
    label: str = "status",
    field: str = "status",
    at=None,
    **changes,
):
    """Move `obj` to `new`: check `old → new` against `table`, set the status and the other
    `changes`, save just those fields, and record the audit event (old → new). The caller runs
    this inside its transaction, holding the row lock."""
    from . import audit

    old = getattr(obj, field)
    check_transition(table, old, new, label=label)
    setattr(obj, field, new)
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.save(update_fields=[field, *changes])
    return audit.record(
        actor=actor,
        operation=operation,
        partner=partner,
        customer=customer,
        obj=obj,
        old_state=old,
        new_state=new,
        detail=detail,
        at=at,
    )
