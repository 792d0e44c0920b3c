"""One allowed-transition table per state machine feeds the Python check in services and the
database's guards, so a status cannot jump even from raw SQL:

- `fsm_trigger`: UPDATEs move only along the table (pgtrigger.FSM);
- `status_check`: a CHECK constraint that the status is one of the table's states;
- `initial_state_trigger`: INSERTs start only in the states the services create rows in.
"""

from collections.abc import Callable
from typing import Any

import pgtrigger
from django.db import models
from pgtrigger import utils as pgtrigger_utils

from .exceptions import InvalidTransition


def transitions(table: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(source, target) for source, targets in table.items() for target in targets]


def states(table: dict[str, list[str]]) -> list[str]:
    """Every state the table names, in order of first appearance."""
    seen = dict.fromkeys(table)
    for targets in table.values():
        seen.update(dict.fromkeys(targets))
    return [str(state) for state in seen]


def fsm_trigger(table: dict[str, list[str]], *, field: str = "status", name: str) -> pgtrigger.FSM:
    return pgtrigger.FSM(name=name, field=field, transitions=transitions(table))


def status_check(
    table: dict[str, list[str]], *, field: str = "status", name: str
) -> models.CheckConstraint:
    """A CHECK constraint: `field` holds one of the table's states, nothing else."""
    return models.CheckConstraint(condition=models.Q(**{f"{field}__in": states(table)}), name=name)


class InitialState(pgtrigger.Trigger):
    """Refuses an INSERT whose status is not one of `states` (unless `allow` holds for the new
    row), with SQLSTATE check_violation, so Django raises IntegrityError as for a CHECK."""

    when = pgtrigger.Before
    operation = pgtrigger.Insert

    def __init__(self, *, name: str, field: str, states: list[str], allow=None):
        self.field = field
        self.states = states
        self.allow = allow
        condition = ~pgtrigger.Q(**{f"new__{field}__in": states})
        if allow is not None:
            condition &= ~allow
        super().__init__(name=name, condition=condition)

    def get_func(self, model):
        column = pgtrigger_utils.quote(model._meta.get_field(self.field).column)
        return self.format_sql(
            f"""
            RAISE EXCEPTION USING
                ERRCODE = 'check_violation',
                MESSAGE = format(
                    'pgtrigger: a new row of %s cannot start in {self.field} "%s"',
                    TG_TABLE_NAME, NEW.{column}
                );
            """
        )


def initial_state_trigger(
    table: dict[str, list[str]],
    initial: list[str],
    *,
    field: str = "status",
    name: str,
    allow: pgtrigger.Q | None = None,
) -> InitialState:
    """The INSERT side of the state machine: a row starts in one of `initial` (states of
    `table`), or in another state of the table where `allow` (a pgtrigger.Q on `new__` fields)
    holds, e.g. a transfer's successor keeping its predecessor's status."""
    unknown = set(map(str, initial)) - set(states(table))
    if unknown:
        raise ValueError(f"Initial states {sorted(unknown)} are not in the transition table.")
    return InitialState(name=name, field=field, states=[str(s) for s in initial], allow=allow)


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
    recorded_states: tuple[str, str] | None = None,
    **changes,
):
    """Move `obj` to `new`: check `old → new` against `table`, set the status and the other
    `changes`, save just those fields, and record the audit event (old → new, or the
    `recorded_states` when the event names the change otherwise). The caller runs this inside
    its transaction, holding the row lock."""
    from . import audit

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
    objs,
    table,
    new: str,
    *,
    actor,
    operation: str,
    partner_of=None,
    customer_of=None,
    detail: str | Callable[[Any], str] = "",
    label: str = "status",
    field: str = "status",
    at=None,
    **changes,
):
    """The set-based `apply_transition`: move every row of `objs` (one model, locked by the
    caller) to `new`. Each row's `old → new` is checked against `table` first (the first that
    can't move raises InvalidTransition and nothing changes); then one UPDATE sets the status
    and `changes`, and one insert writes an audit event per row (`partner_of(obj)` and
    `customer_of(obj)` name its partner and customer; `detail` is a string, or `detail(obj)`
    says it per row). Returns the events."""
    from . import audit

    objs = list(objs)
    if not objs:
        return []
    olds = [getattr(obj, field) for obj in objs]
    for old in olds:
        check_transition(table, old, new, label=label)
    type(objs[0]).objects.filter(pk__in=[obj.pk for obj in objs]).update(**{field: new}, **changes)
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
