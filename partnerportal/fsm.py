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
