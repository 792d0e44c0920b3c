"""Life after the move: the end state of the journey (IR-1, IR-3, CU-4, CU-5, TX-2)."""

import pytest
from django.urls import reverse

from core import clock
from core.models import (
    AuditEvent,
    CustomerRelationship,
    RelationshipKind,
    RelationshipOrigin,
    Role,
)
from core.services import clock_advance
from customers import services as customer_services
from customers.exceptions import NotDirectBillCustomer
from customers.indirect import relationships_become_indirect
from customers.models import McaMethod, Subscription
from enrollment.models import DirectBillEnrollment, DirectBillStatus
from tests import factories as f
from transfers import readiness, services
from transfers.models import TransferRequest

from .conftest import direct_customer, link_provider


def _own(partner, customer) -> CustomerRelationship:
    return CustomerRelationship.objects.active().get(partner=partner, customer=customer)


@pytest.fixture
def move(db):
    """Contoso-like reseller with two customers served by its provider: one with a single
    subscription, one with two."""
    source = f.PartnerFactory(legal_name="Contoso Test")
    f.DirectBillEnrollmentFactory(partner=source)
    target = f.ProviderFactory(legal_name="Fabrikam Test")
    f.DirectBillEnrollmentFactory(partner=target)
    one = direct_customer(source, target, company_name="Adatum One")
    two = direct_customer(source, target, company_name="Bellows Two")
    sub = f.SubscriptionFactory(customer=one, billing_partner=source, offer_name="M365 BP")
    f.SubscriptionFactory(customer=two, billing_partner=source, offer_name="M365 E3")
    f.SubscriptionFactory(customer=two, billing_partner=source, offer_name="Visio")
    return {
        "source": source,
        "target": target,
        "one": one,
        "two": two,
        "sub": sub,
        "agent": f.UserFactory(partner=source, roles=[Role.ADMIN_AGENT]),
        "global": f.UserFactory(partner=source, roles=[Role.GLOBAL_ADMIN]),
        "target_agent": f.UserFactory(partner=target, roles=[Role.ADMIN_AGENT]),
    }


def _transfer(world, customer, subscription_ids):
    transfer = services.transfer_create(
        actor=world["target_agent"],
        customer=customer,
        source_partner_id=world["source"].partner_id,
        customer_email=customer.email,
    )
    return services.transfer_submit(
        actor=world["agent"], transfer=transfer, subscription_ids=subscription_ids
    )


@pytest.mark.rule("IR-1")
@pytest.mark.rule("CU-5")
def test_ir1_customer_turns_indirect_when_its_last_direct_subscription_is_transferred(client, move):
    source, one = move["source"], move["one"]
    assert _own(source, one).kind == RelationshipKind.DIRECT
    transfer = _transfer(move, one, [move["sub"].pk])
    rel = _own(source, one)
    assert rel.kind == RelationshipKind.INDIRECT_RESELLER and rel.became_indirect_at
    event = AuditEvent.objects.get(operation="relationship.become_indirect", customer=one)
    assert (event.old_state, event.new_state) == ("direct", "indirect_reseller")
    # Every page says so: the list and its filter, the home page counts, the customer page.
    client.force_login(move["agent"])
    listing = client.get(reverse("customer_list")).content.decode()
    assert "Indirect via Fabrikam Test" in listing
    only_indirect = client.get(reverse("customer_list"), {"type": "indirect_reseller"})
    assert "Adatum One" in only_indirect.content.decode()
    assert "Bellows Two" not in only_indirect.content.decode()
    home = client.get(reverse("home"))
    assert home.context["relationship_counts"] == {"total": 2, "direct": 1, "indirect": 1}
    page = client.get(reverse("customer_detail", args=[one.pk])).content.decode()
    assert "Add products" not in page  # CU-5
    assert "Subscriptions billed by your provider" in page
    # IR-3: the source's history says Transferred, to whom and by which request.
    assert 'data-testid="transferred"' in page
    assert reverse("transfer_detail", args=[transfer.pk]) in page
    # CU-5: direct-bill purchase is refused now, and nothing is bought.
    count = Subscription.objects.count()
    with pytest.raises(NotDirectBillCustomer):
        customer_services.subscription_purchase(
            actor=move["agent"], customer=one, offer_id="CFQ7TTC0LCHC:0002", quantity=1
        )
    assert Subscription.objects.count() == count


@pytest.mark.rule("IR-1")
def test_ir1_customer_with_a_direct_subscription_left_stays_direct_bill(move):
    source, two = move["source"], move["two"]
    first = Subscription.objects.filter(customer=two).order_by("offer_name").first()
    _transfer(move, two, [first.pk])
    rel = _own(source, two)
    assert rel.kind == RelationshipKind.DIRECT and rel.became_indirect_at is None
    assert not AuditEvent.objects.filter(operation="relationship.become_indirect").exists()
    # The last one moves: now it is indirect.
    rest = Subscription.objects.get(customer=two, billing_partner=source, status="active")
    _transfer(move, two, [rest.pk])
    assert _own(source, two).kind == RelationshipKind.INDIRECT_RESELLER


@pytest.mark.rule("IR-1")
def test_ir1_no_provider_means_no_change(move):
    """A customer without a provider serving it for the partner is not indirect, whatever it
    has left; the service changes nothing and audits nothing."""
    source = move["source"]
    alone = direct_customer(source, company_name="Alone")
    assert relationships_become_indirect(actor=None, partner=source) == 0
    assert _own(source, alone).kind == RelationshipKind.DIRECT
    assert not AuditEvent.objects.filter(operation="relationship.become_indirect").exists()


@pytest.mark.rule("IR-1")
@pytest.mark.rule("TX-1")
def test_ir1_provider_created_customer_is_never_counted_as_direct_bill(move):
    """CU-3: a customer the provider created naming the reseller is indirect from the start:
    not on the Transition checklist, not blocking the close, not "direct" anywhere."""
    source, target = move["source"], move["target"]
    born = f.CustomerFactory(company_name="Born Indirect")
    f.RelationshipFactory(
        customer=born,
        partner=source,
        kind=RelationshipKind.INDIRECT_RESELLER,
        origin=RelationshipOrigin.PROVIDER_CREATED,
    )
    link_provider(born, target, source)  # no MCA at all: it must not block TX-1
    totals = readiness.totals(source)
    assert totals["customers"] == 2
    assert born.pk not in set(readiness.readiness(source).values_list("pk", flat=True))
    assert not any("Customer Agreement" in r for r in readiness.blocking_reasons(source))


def _ready_to_close(world):
    """Move every direct-bill subscription of the world by transfer."""
    for customer in (world["one"], world["two"]):
        ids = list(
            Subscription.objects.filter(
                customer=customer, billing_partner=world["source"], status="active"
            ).values_list("pk", flat=True)
        )
        _transfer(world, customer, ids)


@pytest.mark.rule("IR-1")
@pytest.mark.rule("TX-2")
def test_ir1_tx2_closing_on_the_programs_page_ends_everything_at_once(client, move):
    """The partner's own Programs page (not only the Transition page) runs the same close:
    every customer indirect (IR-1), sandbox gone and trials ended (TX-2), in one step."""
    source = move["source"]
    leftover = direct_customer(source, move["target"], company_name="Coho Nothing Billed")
    sandbox = f.SandboxFactory(partner=source, created_by=move["global"])
    trial = f.SubscriptionFactory(customer=leftover, billing_partner=source, is_trial=True)
    _ready_to_close(move)
    # The customer that never had a paid subscription is still direct-bill until the close.
    assert _own(source, leftover).kind == RelationshipKind.DIRECT
    client.force_login(move["global"])
    client.post(reverse("direct_bill_close"), {"reason": "Transition complete"})
    assert DirectBillEnrollment.objects.get(partner=source).status == DirectBillStatus.CLOSED
    kinds = set(
        CustomerRelationship.objects.active().filter(partner=source).values_list("kind", flat=True)
    )
    assert kinds == {RelationshipKind.INDIRECT_RESELLER}
    sandbox.refresh_from_db()
    trial.refresh_from_db()
    assert sandbox.deleted_at is not None and trial.status == "expired"
    # The Transition page shows the transition done, not next steps.
    page = client.get(reverse("transition")).content.decode()
    assert "Transition complete" in page and "Next steps" not in page


@pytest.mark.rule("TX-2")
@pytest.mark.rule("IR-1")
def test_tx2_support_closing_in_the_admin_runs_the_same_close(client, move):
    source = move["source"]
    sandbox = f.SandboxFactory(partner=source, created_by=move["global"])
    staff = f.StaffFactory()
    client.force_login(staff)
    url = reverse("admin:enrollment_directbillenrollment_changelist")
    ids = [str(DirectBillEnrollment.objects.get(partner=source).pk)]
    # Refused while subscriptions are left: nothing changes.
    client.post(url, {"action": "close", "_selected_action": ids, "apply": "1", "reason": "x"})
    assert DirectBillEnrollment.objects.get(partner=source).status == DirectBillStatus.ACTIVE
    sandbox.refresh_from_db()
    assert sandbox.deleted_at is None
    assert _own(source, move["one"]).kind == RelationshipKind.DIRECT
    _ready_to_close(move)
    client.post(
        url, {"action": "close", "_selected_action": ids, "apply": "1", "reason": "Requested"}
    )
    assert DirectBillEnrollment.objects.get(partner=source).status == DirectBillStatus.CLOSED
    sandbox.refresh_from_db()
    assert sandbox.deleted_at is not None
    assert not CustomerRelationship.objects.active().filter(partner=source, kind="direct").exists()


@pytest.mark.rule("IR-3")
def test_ir3_target_gets_the_same_term_end_and_source_never_shows_deleted(client, move):
    transfer = _transfer(move, move["one"], [move["sub"].pk])
    old = Subscription.objects.get(pk=move["sub"].pk)
    new = Subscription.objects.get(transferred_from=old)
    assert new.commitment_end_date == old.commitment_end_date
    assert new.billing_partner == move["target"] and new.partner_of_record == move["source"]
    client.force_login(move["agent"])
    page = client.get(reverse("customer_detail", args=[move["one"].pk])).content.decode()
    history = page[page.index('data-testid="direct-history"') :]
    assert "Transferred" in history and "Fabrikam Test" in history
    assert f"transfer #{transfer.pk}" in history
    assert ">Deleted<" not in history
    assert TransferRequest.objects.get(pk=transfer.pk).status == "complete"


@pytest.mark.rule("IR-1")
def test_ir1_a_cancelled_subscription_is_history_not_transferred(move):
    """A subscription ended without a transfer keeps its own status on the history."""
    source, one = move["source"], move["one"]
    Subscription.objects.filter(pk=move["sub"].pk).update(status="deleted", ended_at=clock.now())
    f.McaAcceptanceFactory(customer=one, method=McaMethod.ADMIN_CENTER)
    from customers.selectors import customer_page

    subs = customer_page(partner=source, customer=one)["subscriptions"]
    assert [s.successor for s in subs] == [None]


@pytest.mark.rule("IR-1")
@pytest.mark.rule("NC-2")
def test_ir1_cancelling_the_last_direct_subscription_makes_the_customer_indirect(move):
    """A customer served by the provider whose last direct-bill subscription is cancelled
    (inside the NC-2 window) is indirect from then on; one left keeps it direct."""
    source, two = move["source"], move["two"]
    first, second = Subscription.objects.filter(customer=two).order_by("offer_name")
    Subscription.objects.filter(customer=two).update(term_started_at=clock.now())
    customer_services.subscription_cancel(actor=move["agent"], subscription=first)
    assert _own(source, two).kind == RelationshipKind.DIRECT
    customer_services.subscription_cancel(actor=move["agent"], subscription=second)
    rel = _own(source, two)
    assert rel.kind == RelationshipKind.INDIRECT_RESELLER and rel.became_indirect_at


@pytest.mark.rule("IR-1")
@pytest.mark.rule("NC-1")
def test_ir1_expiry_at_term_end_makes_the_customer_indirect(move):
    from datetime import timedelta

    from core import sweep

    source, one = move["source"], move["one"]
    Subscription.objects.filter(pk=move["sub"].pk).update(
        auto_renew=False, commitment_end_date=clock.today() + timedelta(days=1)
    )
    alone = direct_customer(source, company_name="No Provider Yet")
    f.SubscriptionFactory(
        customer=alone,
        billing_partner=source,
        auto_renew=False,
        commitment_end_date=clock.today() + timedelta(days=1),
    )
    clock_advance(actor=None, delta=timedelta(days=3))
    sweep.run_sweep()
    assert Subscription.objects.get(pk=move["sub"].pk).status == "expired"
    assert _own(source, one).kind == RelationshipKind.INDIRECT_RESELLER
    # Without a provider serving it, a customer with nothing left stays direct-bill.
    assert _own(source, alone).kind == RelationshipKind.DIRECT
