"""Transfer services: every rule's allowed path and refusal, and that a refusal changed nothing."""

from datetime import timedelta

import pytest

from core import sweep
from core.exceptions import RoleRequired
from core.models import AuditEvent, Notification, OutboundEmail, Role
from core.services import clock_advance
from customers.models import McaAcceptance, McaMethod, ProductType, Subscription
from tests import factories as f
from transfers import selectors, services
from transfers.exceptions import (
    CustomerEmailMismatch,
    InvalidProductTypes,
    McaNotValidForTarget,
    NoRelationshipWithTarget,
    NothingSelected,
    NotTransferSource,
    NotTransferTarget,
    PartnerOfRecordInvalid,
    SandboxTransfer,
    SourceIsTarget,
    SourcePartnerNotFound,
    SubscriptionNotEligible,
    TooManyLineItems,
    TransferAlreadyOpen,
    TransferNotPending,
)
from transfers.models import TransferLineItem, TransferRequest, TransferStatus

from .conftest import direct_customer, link_provider


def _recipients(subject_contains=""):
    rows = OutboundEmail.objects.filter(subject__icontains=subject_contains)
    return {address for e in rows for address in e.to}


def _snapshot(customer):
    return sorted(
        Subscription.objects.filter(customer=customer).values_list(
            "pk", "status", "billing_partner_id"
        )
    )


# --- create ------------------------------------------------------------------------------------


@pytest.mark.rule("TR-4")
def test_tr4_target_creates_request_and_source_is_notified(setup, create):
    """TR-4: the target's Admin agent creates it; source notified by email, in-portal, audit."""
    transfer = create()
    assert transfer.status == TransferStatus.PENDING
    assert transfer.api_status == "Active"
    assert transfer.source == setup.source and transfer.target == setup.target
    assert transfer.transfer_type == "NewCommerce"
    assert transfer.expires_at - transfer.created_at == timedelta(days=30)
    assert Notification.objects.filter(
        user=setup.source_agent, url__contains="/transfers/"
    ).exists()
    assert {setup.source_agent.email, setup.customer.email} <= _recipients("request")
    for partner in (setup.source, setup.target):
        assert AuditEvent.objects.filter(
            partner=partner, operation="transfer.create", outcome="success"
        ).exists()


@pytest.mark.rule("TR-1")
def test_tr1_partner_of_record_defaults_to_the_customers_reseller(setup, create):
    """TR-1: a provider target gets the reseller as partner of record."""
    assert create().partner_of_record == setup.source


@pytest.mark.rule("TR-1")
def test_tr1_partner_of_record_must_be_the_customers_reseller(setup, create):
    other = f.PartnerFactory()
    with pytest.raises(PartnerOfRecordInvalid, match="indirect reseller"):
        create(partner_of_record=other.partner_id)
    assert not TransferRequest.objects.exists()


@pytest.mark.rule("TR-4")
def test_tr4_customer_email_must_match(setup, create):
    with pytest.raises(CustomerEmailMismatch, match="doesn't match"):
        create(customer_email="someone@else.example")
    assert not TransferRequest.objects.exists()
    assert AuditEvent.objects.filter(operation="transfer.create", outcome="refused").exists()


@pytest.mark.rule("TR-4")
def test_tr4_only_an_admin_agent_creates(setup, create):
    sales = f.UserFactory(partner=setup.target, roles=[Role.SALES_AGENT])
    with pytest.raises(RoleRequired):
        create(actor=sales)
    assert not TransferRequest.objects.exists()


@pytest.mark.rule("TR-7")
def test_tr7_source_must_exist_and_differ_from_target(setup, create):
    with pytest.raises(SourcePartnerNotFound, match="9999999"):
        create(source_partner_id="9999999")
    with pytest.raises(SourceIsTarget, match="must be different"):
        create(source_partner_id=setup.target.partner_id)
    assert not TransferRequest.objects.exists()


@pytest.mark.rule("TR-3")
def test_tr3_customer_needs_a_relationship_with_the_target(setup, create):
    """TR-3: refused without a relationship with the target; allowed once it exists."""
    lonely = direct_customer(setup.source)
    with pytest.raises(NoRelationshipWithTarget, match="reseller relationship"):
        create(customer=lonely, customer_email=lonely.email)
    assert not TransferRequest.objects.exists()
    link_provider(lonely, setup.target, setup.source)
    assert create(customer=lonely, customer_email=lonely.email).status == "pending"


@pytest.mark.rule("TR-8")
@pytest.mark.parametrize("side", ["source", "target"])
def test_tr8_sandbox_accounts_cannot_transfer(setup, create, side):
    partner = getattr(setup, side)
    partner.is_sandbox = True
    partner.save()
    with pytest.raises(SandboxTransfer, match="sandbox"):
        create()
    assert not TransferRequest.objects.exists()


@pytest.mark.rule("TR-5")
def test_tr5_product_types_must_be_transferable(setup, create):
    with pytest.raises(InvalidProductTypes, match="legacy"):
        create(target_product_types=[ProductType.LEGACY_LICENSE])
    assert create(target_product_types=[ProductType.AZURE_PLAN]).target_product_types == [
        "azure_plan"
    ]


@pytest.mark.rule("TR-7")
def test_tr7_one_pending_request_per_customer_and_pair(setup, create):
    create()
    with pytest.raises(TransferAlreadyOpen):
        create()
    assert TransferRequest.objects.count() == 1


# --- eligibility -------------------------------------------------------------------------------


@pytest.mark.rule("TR-5")
def test_tr5_tr6_eligibility_lists_each_reason(setup, create):
    rows = {r["subscription"].pk: r for r in selectors.eligibility(transfer=create())}
    assert rows[setup.base.pk]["eligible"] and rows[setup.base.pk]["add_ons"] == [setup.add_on]
    assert rows[setup.azure.pk]["eligible"]
    assert "migrate it to new commerce" in rows[setup.legacy.pk]["reason"]
    assert "Trial" in rows[setup.trial.pk]["reason"]
    assert "Only active" in rows[setup.suspended.pk]["reason"]
    assert "moves with its base" in rows[setup.add_on.pk]["reason"]


# --- submit ------------------------------------------------------------------------------------


@pytest.mark.rule("TR-4")
@pytest.mark.rule("TR-6")
@pytest.mark.rule("TR-1")
def test_tr4_tr6_submit_moves_subscriptions_with_add_ons_unchanged(setup, create):
    """TR-4/TR-6/TR-1: each selected subscription (with its add-on) is recreated on the target's
    billing account with the same quantity, term, term end, billing and auto-renew; the reseller
    is partner of record; the old one ends."""
    transfer = create()
    services.transfer_submit(
        actor=setup.source_agent,
        transfer=transfer,
        subscription_ids=[setup.base.pk, setup.azure.pk],
    )
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.COMPLETE and transfer.completed_at
    assert transfer.lines.count() == 3
    for old in (setup.base, setup.add_on, setup.azure):
        old.refresh_from_db()
        assert old.status == "deleted" and old.ended_at
        new = Subscription.objects.get(transferred_from=old)
        assert new.billing_partner == setup.target
        assert new.partner_of_record == setup.source
        assert new.status == "active"
        for field in (
            "offer_id",
            "quantity",
            "term_duration",
            "billing_cycle",
            "commitment_end_date",
            "auto_renew",
            "product_type",
        ):
            assert getattr(new, field) == getattr(old, field), field
    new_add_on = Subscription.objects.get(transferred_from=setup.add_on)
    assert new_add_on.parent == Subscription.objects.get(transferred_from=setup.base)
    recipients = _recipients("complete")
    assert setup.source_agent.email in recipients
    assert setup.target_agent.email in recipients
    assert setup.customer.email in recipients
    assert AuditEvent.objects.filter(operation="transfer.complete").count() == 2


@pytest.mark.rule("TR-5")
@pytest.mark.parametrize("which", ["legacy", "trial", "suspended"])
def test_tr5_tr6_ineligible_selection_is_refused_and_nothing_moves(setup, create, which):
    transfer = create()
    before = _snapshot(setup.customer)
    bad = getattr(setup, which)
    with pytest.raises(SubscriptionNotEligible) as refusal:
        services.transfer_submit(
            actor=setup.source_agent,
            transfer=transfer,
            subscription_ids=[setup.base.pk, bad.pk],
        )
    assert bad.offer_name in str(refusal.value)
    assert _snapshot(setup.customer) == before
    transfer.refresh_from_db()
    assert transfer.status == "pending" and not transfer.lines.exists()


@pytest.mark.rule("TR-5")
def test_tr5_legacy_refusal_says_to_migrate_first(setup, create):
    with pytest.raises(SubscriptionNotEligible, match="migrate it to new commerce"):
        services.transfer_submit(
            actor=setup.source_agent, transfer=create(), subscription_ids=[setup.legacy.pk]
        )


@pytest.mark.rule("TR-6")
def test_tr6_an_add_on_alone_is_refused(setup, create):
    transfer = create()
    with pytest.raises(SubscriptionNotEligible, match="select the base"):
        services.transfer_submit(
            actor=setup.source_agent, transfer=transfer, subscription_ids=[setup.add_on.pk]
        )
    setup.add_on.refresh_from_db()
    assert setup.add_on.status == "active"


@pytest.mark.rule("TR-6")
def test_tr6_at_most_25_subscriptions(setup, create):
    extra = [
        f.SubscriptionFactory(customer=setup.customer, billing_partner=setup.source)
        for _ in range(24)
    ]
    transfer = create()
    before = _snapshot(setup.customer)
    with pytest.raises(TooManyLineItems, match="at most 25"):
        # 24 + base + its add-on = 26
        services.transfer_submit(
            actor=setup.source_agent,
            transfer=transfer,
            subscription_ids=[s.pk for s in extra] + [setup.base.pk],
        )
    assert _snapshot(setup.customer) == before
    services.transfer_submit(
        actor=setup.source_agent, transfer=transfer, subscription_ids=[s.pk for s in extra]
    )
    assert TransferRequest.objects.get().lines.count() == 24


@pytest.mark.rule("TR-6")
def test_tr6_product_type_filter_of_the_request(setup, create):
    transfer = create(target_product_types=[ProductType.AZURE_PLAN])
    with pytest.raises(SubscriptionNotEligible, match="product types"):
        services.transfer_submit(
            actor=setup.source_agent, transfer=transfer, subscription_ids=[setup.base.pk]
        )


@pytest.mark.rule("MCA-4")
def test_mca4_completion_refused_while_mca_not_valid_for_target(setup, create):
    """MCA-4: an attestation by the reseller is not valid for the provider (MCA-3); the
    transfer completes once the provider attests."""
    McaAcceptance.objects.filter(customer=setup.customer).delete()
    f.McaAcceptanceFactory(
        customer=setup.customer, method=McaMethod.ATTESTATION, partner=setup.source
    )
    transfer = create()
    before = _snapshot(setup.customer)
    with pytest.raises(McaNotValidForTarget, match="Customer Agreement"):
        services.transfer_submit(
            actor=setup.source_agent, transfer=transfer, subscription_ids=[setup.base.pk]
        )
    assert _snapshot(setup.customer) == before
    assert AuditEvent.objects.filter(operation="transfer.submit", outcome="refused").exists()
    f.McaAcceptanceFactory(
        customer=setup.customer, method=McaMethod.ATTESTATION, partner=setup.target
    )
    services.transfer_submit(
        actor=setup.source_agent, transfer=transfer, subscription_ids=[setup.base.pk]
    )
    transfer.refresh_from_db()
    assert transfer.status == "complete"


@pytest.mark.rule("TR-4")
def test_tr4_only_the_source_submits(setup, create):
    transfer = create()
    with pytest.raises(NotTransferSource):
        services.transfer_submit(
            actor=setup.target_agent, transfer=transfer, subscription_ids=[setup.base.pk]
        )
    with pytest.raises(NothingSelected):
        services.transfer_submit(actor=setup.source_agent, transfer=transfer, subscription_ids=[])
    transfer.refresh_from_db()
    assert transfer.status == "pending"


@pytest.mark.rule("TR-4")
def test_tr4_subscription_of_another_customer_is_refused(setup, create):
    stranger = f.SubscriptionFactory(billing_partner=setup.source)
    with pytest.raises(SubscriptionNotEligible, match="don't belong"):
        services.transfer_submit(
            actor=setup.source_agent, transfer=create(), subscription_ids=[stranger.pk]
        )
    stranger.refresh_from_db()
    assert stranger.status == "active"


@pytest.mark.rule("TR-7")
def test_tr7_a_completed_request_cannot_be_submitted_again(setup, create):
    transfer = create()
    services.transfer_submit(
        actor=setup.source_agent, transfer=transfer, subscription_ids=[setup.azure.pk]
    )
    with pytest.raises(TransferNotPending, match="complete"):
        services.transfer_submit(
            actor=setup.source_agent, transfer=transfer, subscription_ids=[setup.base.pk]
        )
    setup.base.refresh_from_db()
    assert setup.base.status == "active"


# --- cancel ------------------------------------------------------------------------------------


@pytest.mark.rule("TR-7")
def test_tr7_only_the_target_cancels_only_while_pending(setup, create):
    transfer = create()
    with pytest.raises(NotTransferTarget, match="target"):
        services.transfer_cancel(actor=setup.source_agent, transfer=transfer)
    transfer.refresh_from_db()
    assert transfer.status == "pending"
    services.transfer_cancel(actor=setup.target_agent, transfer=transfer)
    transfer.refresh_from_db()
    assert transfer.status == "cancelled" and transfer.cancelled_at
    with pytest.raises(TransferNotPending):
        services.transfer_cancel(actor=setup.target_agent, transfer=transfer)
    with pytest.raises(TransferNotPending, match="cancelled"):
        services.transfer_submit(
            actor=setup.source_agent, transfer=transfer, subscription_ids=[setup.base.pk]
        )
    setup.base.refresh_from_db()
    assert setup.base.status == "active"


# --- expiry ------------------------------------------------------------------------------------


@pytest.mark.rule("TR-7")
def test_tr7_sweep_expires_after_30_days_and_expired_cannot_be_reused(setup, create, staff):
    transfer = create()
    clock_advance(actor=staff, delta=timedelta(days=29))
    sweep.run_sweep()
    transfer.refresh_from_db()
    assert transfer.status == "pending"
    clock_advance(actor=staff, delta=timedelta(days=2))  # 31 days after creation
    fired = sweep.run_sweep()
    assert fired["transfers.tasks.expire_transfer_requests"] == 1
    transfer.refresh_from_db()
    assert transfer.status == "expired" and transfer.expired_at
    assert setup.customer.email in _recipients("expired")
    assert sweep.run_sweep()["transfers.tasks.expire_transfer_requests"] == 0  # idempotent
    with pytest.raises(TransferNotPending, match="new request"):
        services.transfer_submit(
            actor=setup.source_agent, transfer=transfer, subscription_ids=[setup.base.pk]
        )
    # A new request can be created for the same customer.
    assert create().status == "pending"


@pytest.mark.rule("TR-7")
def test_tr7_past_due_request_refuses_submit_even_before_the_sweep(setup, create, staff):
    transfer = create()
    clock_advance(actor=staff, delta=timedelta(days=31))
    with pytest.raises(TransferNotPending, match="expired"):
        services.transfer_submit(
            actor=setup.source_agent, transfer=transfer, subscription_ids=[setup.base.pk]
        )
    assert not TransferLineItem.objects.exists()
