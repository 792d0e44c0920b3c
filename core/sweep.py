"""The periodic sweep: fires every deadline that business time has passed (AC-3).

Apps register their sweepers with `@sweeper`; each is a function `(now) -> int` that finds due
rows by timestamp, locks them (skip locked), and calls the same service a person would. The
database is the source of truth, so a sweep may run twice, late or concurrently: each sweeper
is idempotent. `each_due` hands a sweeper's service one locked row per transaction;
`each_due_chunk` hands it a chunk of locked rows per transaction, for set-based sweepers.
"""

import logging
from collections.abc import Callable
from datetime import datetime

from django.db import transaction

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


def each_due(due, handle: Callable, *, batch: int = 500) -> int:
    """Call `handle(row)` for each row of the `due` queryset, each in its own short transaction
    with the row locked, working through the due rows a batch of primary keys at a time
    (keyset order: the whole set is never held, nothing is read twice) until none is left.
    The row is read again under the lock through the same filter, so a row another sweep holds
    (skip locked) or that stopped being due is passed over; a sweep killed part-way leaves
    what it did committed and the next sweep finds only the rest. Returns how many rows were
    handled (a handler returning False does not count)."""
    handled = 0
    last = None
    while True:
        page = due.order_by("pk") if last is None else due.filter(pk__gt=last).order_by("pk")
        pks = list(page.values_list("pk", flat=True)[:batch])
        for pk in pks:
            with transaction.atomic():
                row = due.select_for_update(skip_locked=True, of=("self",)).filter(pk=pk).first()
                if row is not None and handle(row) is not False:
                    handled += 1
        if len(pks) < batch:
            return handled
        last = pks[-1]


def each_due_chunk(due, handle_chunk: Callable[[list], int | None], *, batch: int = 500) -> int:
    """The set-based `each_due`: page through the due rows of `due` a `batch` of primary keys
    at a time (keyset order), and per chunk open one transaction, lock the chunk's rows that
    are still due (read again through the same filter, `skip_locked`: a row another sweep
    holds or that stopped being due is passed over) and call `handle_chunk(rows)` once with
    them, until no due row is left. A sweep killed part-way leaves its committed chunks done;
    the next sweep finds only the rest. Returns how many rows were handled (the rows passed,
    or what `handle_chunk` returns when it returns a count)."""
    handled = 0
    last = None
    while True:
        page = due.order_by("pk") if last is None else due.filter(pk__gt=last).order_by("pk")
        pks = list(page.values_list("pk", flat=True)[:batch])
        if not pks:
            return handled
        with transaction.atomic():
            rows = list(
                due.select_for_update(skip_locked=True, of=("self",))
                .filter(pk__in=pks)
                .order_by("pk")
            )
            if rows:
                count = handle_chunk(rows)
                handled += len(rows) if count is None else count
        if len(pks) < batch:
            return handled
        last = pks[-1]
