"""The database itself enforces the transfer state machine and TR-7's "a subscription is in at
most one open request", even for raw SQL."""

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from tests import factories as f
from transfers.models import TransferStatus


@pytest.mark.rule("TR-7")
@pytest.mark.parametrize(
    "end", [TransferStatus.COMPLETE, TransferStatus.EXPIRED, TransferStatus.CANCELLED]
)
def test_tr7_fsm_trigger_ended_request_cannot_reopen_from_raw_sql(setup, create, end):
    transfer = create()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE transfers_transferrequest SET status = %s WHERE id = %s", [end, transfer.pk]
        )
    with (
        pytest.raises(DatabaseError, match="Invalid transition"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE transfers_transferrequest SET status = 'pending' WHERE id = %s",
            [transfer.pk],
        )
    transfer.refresh_from_db()
    assert transfer.status == end


@pytest.mark.rule("TR-7")
def test_tr7_fsm_trigger_complete_cannot_become_cancelled(setup, create):
    transfer = create()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE transfers_transferrequest SET status = 'complete' WHERE id = %s", [transfer.pk]
        )
    with (
        pytest.raises(DatabaseError, match="Invalid transition"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE transfers_transferrequest SET status = 'cancelled' WHERE id = %s",
            [transfer.pk],
        )


def _insert_line(request_id, subscription_id, claims=True):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO transfers_transferlineitem "
            "(request_id, subscription_id, claims_subscription, status, error) "
            "VALUES (%s, %s, %s, 'complete', '')",
            [request_id, subscription_id, claims],
        )


@pytest.mark.rule("TR-7")
def test_tr7_unique_index_one_open_request_per_subscription_raw_insert(setup, create):
    """Two requests (from two targets) cannot both claim one subscription."""
    first = create()
    other_target = f.ProviderFactory()
    from .conftest import link_provider

    link_provider(setup.customer, other_target, setup.source)
    agent = f.UserFactory(partner=other_target, roles=["admin_agent"])
    second = create(actor=agent)
    _insert_line(first.pk, setup.base.pk)
    with (
        pytest.raises(IntegrityError, match="one_open_transfer_per_subscription"),
        transaction.atomic(),
    ):
        _insert_line(second.pk, setup.base.pk)
    # A released (non-claiming) line does not block, and another subscription is fine.
    _insert_line(second.pk, setup.azure.pk)
    with transaction.atomic():
        _insert_line(second.pk, setup.trial.pk, claims=False)
        _insert_line(first.pk, setup.trial.pk)


@pytest.mark.rule("TR-7")
def test_tr7_source_and_target_differ_check_constraint(setup, create):
    transfer = create()
    with (
        pytest.raises(IntegrityError, match="transfer_source_not_target"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE transfers_transferrequest SET source_id = target_id WHERE id = %s",
            [transfer.pk],
        )


@pytest.mark.rule("TR-7")
def test_tr7_one_pending_request_per_pair_raw_insert(setup, create):
    transfer = create()
    with (
        pytest.raises(IntegrityError, match="one_pending_transfer_per_pair"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "INSERT INTO transfers_transferrequest (customer_id, source_id, target_id, "
            "customer_email, target_product_types, transfer_type, status, created_by_id, "
            "created_at, expires_at) SELECT customer_id, source_id, target_id, "
            "customer_email, target_product_types, transfer_type, 'pending', created_by_id, "
            "created_at, expires_at FROM transfers_transferrequest WHERE id = %s",
            [transfer.pk],
        )
