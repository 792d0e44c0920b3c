"""One allowed-transition table per state machine feeds the Python check in services
(`core.fsm`) and the database's guards, so a status cannot jump even from raw SQL:

- `fsm_trigger`: UPDATEs move only along the table (pgtrigger.FSM);
- `status_check`: a CHECK constraint that the status is one of the table's states;
- `initial_state_trigger`: INSERTs start only in the states the services create rows in.

Models import these helpers (this module imports nothing of the core, so models never wait
on the audit log that `core.fsm` records into).
"""

from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

import pgtrigger
from django.db import models
from pgtrigger import utils as pgtrigger_utils

# `<MODEL>_TRANSITIONS`: each state (a member of the model's TextChoices) → the states it may
# move to.
TransitionTable: TypeAlias = Mapping[Any, Sequence[Any]]


def transitions(table: TransitionTable) -> list[tuple[str, str]]:
    return [(source, target) for source, targets in table.items() for target in targets]


def states(table: TransitionTable) -> list[str]:
    """Every state the table names, in order of first appearance."""
    seen = dict.fromkeys(table)
    for targets in table.values():
        seen.update(dict.fromkeys(targets))
    return [str(state) for state in seen]


def fsm_trigger(table: TransitionTable, *, field: str = "status", name: str) -> pgtrigger.FSM:
    return pgtrigger.FSM(name=name, field=field, transitions=transitions(table))


def status_check(
    table: TransitionTable, *, field: str = "status", name: str
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
    table: TransitionTable,
    initial: Sequence[str],
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
