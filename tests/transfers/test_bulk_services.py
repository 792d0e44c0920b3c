"""The set-based services behind the bulk transfer jobs (TR-2): `transfer_create_many` and
`transfer_submit_many` apply the single services' rules to each request of a set, change
nothing for the refused ones, and tell each party once."""

import threading

import pytest
from django.db import connection

from core.exceptions import RoleRequired, RuleViolation
from core.models import AuditEvent, Notification, OutboundEmail, Outcome, Role
from customers.models import McaMethod, Subscription, SubscriptionStatus
from tests import factories as f
from transfers import services
from transfers.exceptions import (
    McaNotValidForTarget,
    NoRelationshipWithTarget,
    NotTransferSource,
    PartnerOfRecordInvalid,
    TransferAlreadyOpen,
    TransferNotFound,
    TransferNotPending,
)
from transfers.models import TransferLineItem, TransferRequest, TransferStatus

from .conftest import direct_customer, link_provider


@pytest.fixture
def pair(db):
    """A transitioning reseller, its provider, three ready customers with a base subscription
    and an add-on each, and the Admin agents of both."""
    reseller = f.PartnerFactory(legal_name="Reseller Co")
    f.DirectBillEnrollmentFactory(partner=reseller)
    provider = f.ProviderFactory(legal_name="Provider Co")
    ready = []
    for name in ("Alpha", "Bravo", "Charlie"):
        customer = direct_customer(reseller, provider, company_name=name)
        base = f.SubscriptionFactory(customer=customer, billing_partner=reseller, quantity=7)
        f.SubscriptionFactory(customer=customer, billing_partner=reseller, parent=base)
        ready.append(customer)
    return {
        "reseller": reseller,
        "provider": provider,
        "ready": ready,
        "reseller_agent": f.UserFactory(partner=reseller, roles=[Role.ADMIN_AGENT]),
        "provider_agent": f.UserFactory(partner=provider, roles=[Role.ADMIN_AGENT]),
    }


def _doorbells(callbacks):
    """The on-commit callbacks that ring a worker (`core.queue.enqueue`)."""
    return [cb for cb in callbacks if getattr(cb, "__qualname__", "").startswith("enqueue.")]


def _create_many(pair, customers, **over):
    kwargs = {
        "actor": pair["provider_agent"],
        "source": pair["reseller"],
        "customers": customers,
        "partner_of_record": pair["reseller"],
        **over,
    }
    return services.transfer_create_many(**kwargs)


@pytest.mark.rule("TR-2")
@pytest.mark.rule("TR-3")
def test_create_many_creates_for_ready_customers_and_refuses_the_rest(
    pair, django_capture_on_commit_callbacks
):
    reseller, provider = pair["reseller"], pair["provider"]
    no_provider = direct_customer(reseller, company_name="No Provider")
    already = pair["ready"][2]
    first = _create_many(pair, [already])[already.pk]
    other_reseller = f.PartnerFactory()
    elsewhere = direct_customer(other_reseller, company_name="Elsewhere")
    link_provider(elsewhere, provider, other_reseller)
    f.RelationshipFactory(customer=elsewhere, partner=reseller)
    Notification.objects.all().delete()
    OutboundEmail.objects.all().delete()

    with django_capture_on_commit_callbacks() as doorbells:
        outcomes = _create_many(pair, [*pair["ready"][:2], no_provider, already, elsewhere])

    created = [outcomes[c.pk] for c in pair["ready"][:2]]
    assert all(isinstance(t, TransferRequest) and t.status == "pending" for t in created)
    assert {t.partner_of_record_id for t in created} == {reseller.pk}  # TR-1
    assert isinstance(outcomes[no_provider.pk], NoRelationshipWithTarget)
    assert isinstance(outcomes[already.pk], TransferAlreadyOpen)
    assert isinstance(outcomes[elsewhere.pk], PartnerOfRecordInvalid)  # not its reseller
    assert "(" + other_reseller.legal_name + ")" in outcomes[elsewhere.pk].message
    assert TransferRequest.objects.count() == 3  # the two new ones and the earlier one
    assert TransferRequest.objects.filter(customer=already).get() == first
    # Audit: both sides of each new request; one refused event per refused customer.
    created_events = AuditEvent.objects.filter(
        operation="transfer.create", outcome=Outcome.SUCCESS, object_id__in=[t.pk for t in created]
    )
    assert created_events.count() == 4
    refused = AuditEvent.objects.filter(operation="transfer.create", outcome=Outcome.REFUSED)
    assert set(refused.values_list("customer_id", flat=True)) == {
        no_provider.pk,
        already.pk,
        elsewhere.pk,
    }
    # One notification (and its email) to the source for the set; an email to each customer and
    # one summary to the target: two doorbells, however many customers.
    note = Notification.objects.get(user__partner=reseller)
    assert note.subject == "2 transfer requests from Provider Co" and "Alpha, Bravo" in note.body
    emails = OutboundEmail.objects.all()
    assert sorted(e.to[0] for e in emails if e.partner_id is None) == sorted(
        c.email for c in pair["ready"][:2]
    )
    summary = emails.get(partner=provider)
    assert summary.subject == "2 transfer requests created" and "/transfers/" in summary.body
    assert emails.get(partner=reseller).subject == note.subject
    assert len(_doorbells(doorbells)) == 2


def test_create_many_refusal_for_every_customer_is_raised_and_writes_nothing(pair):
    sales = f.UserFactory(partner=pair["provider"], roles=[Role.SALES_AGENT])
    with pytest.raises(RoleRequired):
        _create_many(pair, pair["ready"], actor=sales)
    assert not TransferRequest.objects.exists()
    assert not Notification.objects.exists() and not OutboundEmail.objects.exists()


@pytest.mark.rule("TR-2")
@pytest.mark.rule("TR-6")
@pytest.mark.rule("MCA-4")
def test_submit_many_moves_ready_requests_and_refuses_the_rest(
    pair, django_capture_on_commit_callbacks
):
    reseller, provider = pair["reseller"], pair["provider"]
    no_mca = direct_customer(reseller, provider, mca=False, company_name="No MCA")
    f.McaAcceptanceFactory(customer=no_mca, method=McaMethod.ATTESTATION, partner=reseller)
    kept = f.SubscriptionFactory(customer=no_mca, billing_partner=reseller)
    outcomes = _create_many(pair, [*pair["ready"], no_mca])
    transfers = {pk: t.pk for pk, t in outcomes.items()}
    cancelled = pair["ready"][2]
    services.transfer_cancel(actor=pair["provider_agent"], transfer=transfers[cancelled.pk])
    incoming = TransferRequest.objects.create(  # the reseller is this request's target
        customer=pair["ready"][0],
        source=provider,
        target=reseller,
        customer_email=pair["ready"][0].email,
        created_by=pair["reseller_agent"],
        created_at=outcomes[cancelled.pk].created_at,
        expires_at=outcomes[cancelled.pk].expires_at,
    )
    Notification.objects.all().delete()
    OutboundEmail.objects.all().delete()
    ids = [*transfers.values(), incoming.pk, 999_999]

    with django_capture_on_commit_callbacks() as doorbells:
        done = services.transfer_submit_many(actor=pair["reseller_agent"], transfer_ids=ids)

    for customer in pair["ready"][:2]:
        transfer = done[transfers[customer.pk]]
        assert isinstance(transfer, TransferRequest) and transfer.status == "complete"
        old = Subscription.objects.filter(customer=customer, billing_partner=reseller)
        assert set(old.values_list("status", flat=True)) == {SubscriptionStatus.DELETED}
        new = Subscription.objects.filter(customer=customer, billing_partner=provider)
        base = new.get(parent=None)
        assert base.quantity == 7 and base.partner_of_record == reseller  # TR-6, TR-1
        assert new.get(parent__isnull=False).parent == base  # the add-on follows its base
        assert TransferLineItem.objects.filter(request=transfer).count() == 2
    assert isinstance(done[transfers[no_mca.pk]], McaNotValidForTarget)
    assert isinstance(done[transfers[cancelled.pk]], TransferNotPending)
    assert isinstance(done[incoming.pk], NotTransferSource)
    assert isinstance(done[999_999], TransferNotFound)
    kept.refresh_from_db()
    assert kept.status == "active" and kept.billing_partner == reseller  # refused: unchanged
    assert TransferRequest.objects.get(pk=transfers[no_mca.pk]).status == "pending"
    assert TransferRequest.objects.filter(status="complete").count() == 2
    moved = AuditEvent.objects.filter(operation="subscription.transfer")
    assert moved.count() == 4
    completed = AuditEvent.objects.filter(operation="transfer.complete")
    assert completed.count() == 4  # the source's and the target's, per request
    refused = AuditEvent.objects.filter(operation="transfer.submit", outcome=Outcome.REFUSED)
    assert refused.count() == 4
    # The target hears once; each customer gets its own email; one doorbell.
    note = Notification.objects.get(user__partner=provider)
    assert note.subject == "2 transfers complete from Reseller Co"
    assert OutboundEmail.objects.filter(partner=None).count() == 2
    assert OutboundEmail.objects.filter(partner=reseller).count() == 1
    assert OutboundEmail.objects.filter(partner=provider).count() == 1
    assert len(_doorbells(doorbells)) == 1


def test_submit_many_refuses_a_legacy_only_customer_with_nothing_selected(pair):
    reseller, provider = pair["reseller"], pair["provider"]
    legacy_only = direct_customer(reseller, provider, company_name="Legacy Only")
    f.SubscriptionFactory(
        customer=legacy_only, billing_partner=reseller, product_type="legacy_license"
    )
    transfer = _create_many(pair, [legacy_only])[legacy_only.pk]
    outcome = services.transfer_submit_many(
        actor=pair["reseller_agent"], transfer_ids=[transfer.pk]
    )[transfer.pk]
    assert isinstance(outcome, RuleViolation) and outcome.code == "nothing_selected"
    transfer.refresh_from_db()
    assert transfer.status == "pending" and not TransferLineItem.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.rule("TR-7")
def test_submit_many_racing_a_cancel_has_one_outcome_per_request(pair):
    """The source's bulk submit and the target's cancel of the same requests, on two
    connections at once: each request ends either complete or cancelled, never both, and no
    thread fails."""
    transfers = list(_create_many(pair, pair["ready"]).values())
    barrier, results = threading.Barrier(2), {}

    def on_own_connection(name, call):
        def run():
            try:
                barrier.wait(10)
                results[name] = call()
            except RuleViolation as refusal:
                results[name] = refusal
            finally:
                connection.close()

        return threading.Thread(target=run)

    threads = [
        on_own_connection(
            "submit",
            lambda: services.transfer_submit_many(
                actor=pair["reseller_agent"], transfer_ids=[t.pk for t in transfers]
            ),
        ),
        on_own_connection(
            "cancel",
            lambda: services.transfer_cancel(actor=pair["provider_agent"], transfer=transfers[1]),
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not any(t.is_alive() for t in threads), "deadlock"
    contested = TransferRequest.objects.get(pk=transfers[1].pk)
    if isinstance(results["cancel"], RuleViolation):
        assert contested.status == TransferStatus.COMPLETE
        assert isinstance(results["submit"][contested.pk], TransferRequest)
    else:
        assert contested.status == TransferStatus.CANCELLED
        assert isinstance(results["submit"][contested.pk], TransferNotPending)
        assert not TransferLineItem.objects.filter(request=contested).exists()
    assert TransferRequest.objects.filter(status="complete").count() in (2, 3)
