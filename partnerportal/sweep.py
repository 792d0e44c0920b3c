"""The periodic sweep: fires every deadline that business time has passed (AC-3).

Apps register their sweepers with `@sweeper`; each is a function `(now) -> int` that finds due
rows by timestamp, locks them (skip locked), and calls the same service a person would. The
database is the source of truth, so a sweep may run twice, late or concurrently: each sweeper
is idempotent.
"""

import logging
from collections.abc import Callable
from datetime import datetime

from . import clock

log = logging.getLogger(__name__)

_sweepers: list[tuple[str, Callable[[datetime], int]]] = []


def sweeper(func: Callable[[datetime], int]):
    name = f"{func.__module__}.{func.__qualname__}"
    if name not in {n for n, _ in _sweepers}:
        _sweepers.append((name, func))
    return func


def registered() -> list[str]:
    return [name for name, _ in _sweepers]


def run_sweep() -> dict[str, int]:
    """Run every sweeper once at the current business time; returns what each fired."""
    at = clock.now()
    fired = {}
    for name, func in _sweepers:
        try:
            fired[name] = func(at)
        except Exception:  # one broken sweeper must not stop the others
            log.exception("sweeper %s failed", name)
            fired[name] = -1
    return fired


def each_due(due, handle: Callable, *, limit: int = 500) -> int:
    """Call `handle(row)` for each row of the `due` queryset, each in its own transaction with
    the row locked. The row is read again under the lock through the same filter, so a row
    another sweep holds (skip locked) or that stopped being due is passed over. Returns how
    many rows were handled (a handler returning False does not count)."""
    from django.db import transaction

    handled = 0
    for pk in list(due.values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            row = due.select_for_update(skip_locked=True, of=("self",)).filter(pk=pk).first()
            if row is not None and handle(row) is not False:
                handled += 1
    return handled
