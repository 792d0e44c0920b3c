"""Sweeps at scale (issue 18): when a clock jump makes many term ends fall due at once, the
sweep works them off in chunks, each committed on its own; a sweep interrupted part-way leaves
its finished chunks done and the next one does only the rest, never one twice; and a sweep
with nothing due costs the same few queries whatever the size of the book."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import clock, sweep
from core.models import AuditEvent
from core.services import clock_advance
from core.sweep import each_due
from customers import lifecycle, terms
from customers.models import Subscription
from tests import factories as f


def _subs(direct, n, *, ends_in_days):
    return [
        f.SubscriptionFactory(
            customer=direct.customer,
            billing_partner=direct.partner,
            term_duration="P1M",
            commitment_end_date=clock.today() + timedelta(days=ends_in_days),
            auto_renew=True,
            created_at=clock.now() - timedelta(days=300),
        )
        for _ in range(n)
    ]


def _renewals(sub):
    return AuditEvent.objects.filter(operation="subscription.renew", object_id=str(sub.pk)).count()


@pytest.mark.rule("NC-1")
def test_nc1_interrupted_sweep_resumes_without_renewing_twice(direct, monkeypatch):
    monkeypatch.setattr(lifecycle, "CHUNK", 2)
    subs = _subs(direct, 5, ends_in_days=1)
    old_end = subs[0].commitment_end_date
    clock_advance(actor=None, delta=timedelta(days=3))
    told = []
    real_tell = lifecycle._tell_partners

    def die_in_second_chunk(changes):
        told.append(changes)
        if len(told) == 2:
            raise RuntimeError("worker killed")  # inside the chunk's transaction
        real_tell(changes)

    monkeypatch.setattr(lifecycle, "_tell_partners", die_in_second_chunk)
    fired = sweep.run_sweep()
    assert fired["customers.tasks.renew_or_expire_terms"] == -1  # the sweeper died…
    assert sum(_renewals(s) for s in subs) == 2  # …after its first chunk was committed
    monkeypatch.setattr(lifecycle, "_tell_partners", real_tell)
    sweep.run_sweep()
    sweep.run_sweep()
    renewed_end = terms.term_end(old_end + timedelta(days=1), "P1M")
    for sub in subs:
        sub.refresh_from_db()
        assert _renewals(sub) == 1 and sub.commitment_end_date == renewed_end


def test_each_due_works_through_every_batch_and_resumes_after_a_failure(direct):
    subs = _subs(direct, 7, ends_in_days=30)
    due = Subscription.objects.filter(pk__in=[s.pk for s in subs], quantity__lt=100)
    seen, kill_at = [], [4]

    def bump(row):
        seen.append(row.pk)
        if len(seen) == kill_at[0]:
            raise RuntimeError("worker killed")
        Subscription.objects.filter(pk=row.pk).update(quantity=100)

    with pytest.raises(RuntimeError):
        each_due(due, bump, batch=2)  # more rows than one batch: the keyset moves on
    assert due.count() == 4  # three handled and committed, the fourth rolled back
    seen.clear()
    kill_at[0] = None
    assert each_due(due, bump, batch=2) == 4  # only the rest, across batches
    assert len(seen) == 4 and due.count() == 0
    assert each_due(due, bump, batch=2) == 0


def test_sweep_with_nothing_due_costs_the_same_at_any_size(direct):
    sweep.run_sweep()
    with CaptureQueriesContext(connection) as small:
        sweep.run_sweep()
    _subs(direct, 30, ends_in_days=40)
    with CaptureQueriesContext(connection) as bigger:
        fired = sweep.run_sweep()
    assert sum(n for n in fired.values() if n > 0) == 0
    assert len(bigger.captured_queries) == len(small.captured_queries)
