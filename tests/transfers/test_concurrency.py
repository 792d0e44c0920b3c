"""Races with real threads and separate database connections: two sources submitting, submit
racing cancel, submit racing the expiry sweep. Exactly one outcome; no subscription billed
twice or lost."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction

from core.exceptions import RuleViolation
from customers.models import Subscription
from tests import factories as f
from transfers import services
from transfers.models import TransferLineItem, TransferRequest

from .conftest import link_provider

pytestmark = pytest.mark.django_db(transaction=True)


def race(*funcs, hold=None):
    """Run each function in its own thread (own DB connection), released together.

    `hold` (a queryset) is locked by the test's own connection while the threads start, so
    they really queue on the same rows; the lock is released after they are all waiting."""
    barrier = threading.Barrier(len(funcs) + 1)
    results = [None] * len(funcs)

    def run(i, func):
        try:
            barrier.wait()
            results[i] = ("ok", func())
        except RuleViolation as refusal:
            results[i] = ("refused", refusal)
        except Exception as error:  # a 500 would be a bug: surface it
            results[i] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(funcs)]
    for t in threads:
        t.start()
    if hold is not None:
        with transaction.atomic():
            list(hold.select_for_update())
            barrier.wait()
            time.sleep(0.5)  # every thread is now blocked on the held rows
    else:
        barrier.wait()
    for t in threads:
        t.join(30)
    assert all(r is not None and r[0] != "error" for r in results), results
    return results


def _assert_each_billed_once(customer, subs):
    for sub in subs:
        sub.refresh_from_db()
        moved = Subscription.objects.filter(transferred_from=sub).count()
        live = (sub.status in ("active", "suspended")) + moved
        assert live == 1, f"{sub} billed {live} times"


@pytest.mark.rule("TR-7")
@pytest.mark.rule("TR-4")
def test_two_source_agents_submit_the_same_request(setup, create):
    transfer = create()
    second_agent = f.UserFactory(partner=setup.source, roles=["admin_agent"])
    ids = [setup.base.pk, setup.azure.pk]
    results = race(
        lambda: services.transfer_submit(
            actor=setup.source_agent, transfer=transfer.pk, subscription_ids=ids
        ),
        lambda: services.transfer_submit(
            actor=second_agent, transfer=transfer.pk, subscription_ids=ids
        ),
        hold=TransferRequest.objects.filter(pk=transfer.pk),
    )
    assert sorted(r[0] for r in results) == ["ok", "refused"]
    assert TransferLineItem.objects.count() == 3
    _assert_each_billed_once(setup.customer, [setup.base, setup.add_on, setup.azure])


@pytest.mark.rule("TR-7")
def test_two_requests_race_for_one_subscription(setup, create):
    """Two targets' requests, both submitted at once with the same subscription: one wins."""
    first = create()
    northwind = f.ProviderFactory()
    link_provider(setup.customer, northwind, setup.source)
    f.McaAcceptanceFactory(customer=setup.customer)
    second = create(actor=f.UserFactory(partner=northwind, roles=["admin_agent"]))
    ids = [setup.base.pk]
    results = race(
        lambda: services.transfer_submit(
            actor=setup.source_agent, transfer=first.pk, subscription_ids=ids
        ),
        lambda: services.transfer_submit(
            actor=setup.source_agent, transfer=second.pk, subscription_ids=ids
        ),
        hold=Subscription.objects.filter(pk=setup.base.pk),
    )
    assert sorted(r[0] for r in results) == ["ok", "refused"]
    statuses = sorted(TransferRequest.objects.values_list("status", flat=True))
    assert statuses == ["complete", "pending"]
    assert TransferLineItem.objects.filter(subscription=setup.base).count() == 1
    _assert_each_billed_once(setup.customer, [setup.base, setup.add_on])


@pytest.mark.rule("TR-7")
def test_submit_races_cancel(setup, create):
    transfer = create()
    results = race(
        lambda: services.transfer_submit(
            actor=setup.source_agent, transfer=transfer.pk, subscription_ids=[setup.base.pk]
        ),
        lambda: services.transfer_cancel(actor=setup.target_agent, transfer=transfer.pk),
        hold=TransferRequest.objects.filter(pk=transfer.pk),
    )
    assert sorted(r[0] for r in results) == ["ok", "refused"]
    transfer.refresh_from_db()
    setup.base.refresh_from_db()
    if transfer.status == "complete":
        assert setup.base.status == "deleted"
    else:
        assert transfer.status == "cancelled"
        assert setup.base.status == "active" and not TransferLineItem.objects.exists()
    _assert_each_billed_once(setup.customer, [setup.base, setup.add_on])


@pytest.mark.rule("TR-7")
def test_submit_races_the_expiry_sweep(setup, create):
    """The sweep runs at a time past the deadline while the source submits just before it."""
    transfer = create()
    sweep_time = transfer.expires_at + timedelta(seconds=1)
    results = race(
        lambda: services.transfer_submit(
            actor=setup.source_agent, transfer=transfer.pk, subscription_ids=[setup.base.pk]
        ),
        lambda: services.expire_due(sweep_time),
        hold=TransferRequest.objects.filter(pk=transfer.pk),
    )
    submit_outcome, expired_count = results[0], results[1][1]
    transfer.refresh_from_db()
    if transfer.status == "complete":
        assert submit_outcome[0] == "ok" and expired_count == 0
    else:
        assert transfer.status == "expired"
        assert submit_outcome[0] == "refused" and expired_count == 1
        assert not TransferLineItem.objects.exists()
    _assert_each_billed_once(setup.customer, [setup.base, setup.add_on])
