"""`sweep.each_due_chunk` (issue 18): the set-based sweepers' loop pages through the due rows by
primary key and hands each chunk, locked in its own transaction, to the handler; rows another
sweep holds (skip locked) or that stopped being due are passed over, and it stops when none
is left."""

from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from django.db import transaction

from core import sweep
from core.models import Customer
from tests import factories as f
from tests.locks import RowLock


def _customers(n):
    return [f.CustomerFactory(company_name=f"Due {i:02d}") for i in range(n)]


def _due(customers):
    return Customer.objects.filter(pk__in=[c.pk for c in customers], company_name__startswith="Due")


def _mark_done(chunks):
    def handle(rows):
        chunks.append([row.pk for row in rows])
        Customer.objects.filter(pk__in=[row.pk for row in rows]).update(company_name="Done")

    return handle


@pytest.mark.django_db
def test_each_due_chunk_hands_over_chunks_in_key_order_until_none_is_left():
    customers = _customers(7)
    chunks = []
    assert sweep.each_due_chunk(_due(customers), _mark_done(chunks), batch=3) == 7
    assert [len(c) for c in chunks] == [3, 3, 1]
    assert sum(chunks, []) == sorted(c.pk for c in customers)
    assert not _due(customers).exists()
    assert sweep.each_due_chunk(_due(customers), _mark_done(chunks), batch=3) == 0
    assert len(chunks) == 3  # nothing due: the handler is not called


@pytest.mark.django_db
def test_each_due_chunk_stops_after_an_exact_multiple_and_counts_what_the_handler_says():
    customers = _customers(6)
    calls = []

    def handle(rows):
        calls.append(len(rows))
        Customer.objects.filter(pk__in=[r.pk for r in rows]).update(company_name="Done")
        return 1  # the handler says how many it really handled

    assert sweep.each_due_chunk(_due(customers), handle, batch=3) == 2
    assert calls == [3, 3]


@pytest.mark.django_db
def test_each_due_chunk_commits_each_chunk_so_a_killed_sweep_resumes():
    customers = _customers(5)
    chunks = []
    done = _mark_done(chunks)

    def die_in_second_chunk(rows):
        done(rows)
        if len(chunks) == 2:
            raise RuntimeError("worker killed")

    with pytest.raises(RuntimeError):
        sweep.each_due_chunk(_due(customers), die_in_second_chunk, batch=2)
    assert _due(customers).count() == 3  # the first chunk stays done, the second rolled back
    chunks.clear()
    assert sweep.each_due_chunk(_due(customers), done, batch=2) == 3
    assert sum(chunks, []) == sorted(c.pk for c in customers)[2:]


@pytest.mark.django_db
def test_each_due_chunk_passes_over_a_row_that_stopped_being_due(monkeypatch):
    customers = _customers(4)
    gone = customers[1]
    real_atomic = transaction.atomic

    @contextmanager
    def atomic_after_someone_else_finished_one():
        # Between reading the page's keys and locking the chunk, another sweep handles a row.
        Customer.objects.filter(pk=gone.pk).update(company_name="Done elsewhere")
        with real_atomic():
            yield

    monkeypatch.setattr(
        sweep, "transaction", SimpleNamespace(atomic=atomic_after_someone_else_finished_one)
    )
    chunks = []
    assert sweep.each_due_chunk(_due(customers), _mark_done(chunks), batch=10) == 3
    assert chunks == [sorted(c.pk for c in customers if c.pk != gone.pk)]
    assert Customer.objects.get(pk=gone.pk).company_name == "Done elsewhere"


@pytest.mark.django_db(transaction=True)
def test_each_due_chunk_skips_a_row_another_sweep_holds_and_the_next_sweep_takes_it():
    customers = _customers(5)
    held = customers[2]
    chunks = []
    with RowLock(held.pk):
        assert sweep.each_due_chunk(_due(customers), _mark_done(chunks), batch=2) == 4
    assert held.pk not in sum(chunks, [])
    assert list(_due(customers)) == [held]  # still due, not lost
    chunks.clear()
    assert sweep.each_due_chunk(_due(customers), _mark_done(chunks), batch=2) == 1
    assert chunks == [[held.pk]]
