"""Model-based test of the program rules: a Hypothesis state machine drives the SERVICE
functions with random sequences of actions by random actors (right and wrong roles, right and
wrong partners, customers' admins, staff) and checks the invariants after every step.

Actions: restrict/reactivate direct-bill (staff), enroll as indirect reseller, the system's
decision (task or sweep), staff approval, agreement acceptance, a provider inviting a reseller
and the reseller accepting, relationship extension, MCA attestation, transfer create / submit /
cancel, closing direct-bill, moving the simulation clock, and the sweep. The world includes a
partner one step from the end of the journey (its customer extended, MCA valid for the
provider): `finish_transition` requests and submits its transfers and closes, as the bulk
jobs and the Global admin would, so every example can reach completed transfers and the close.
Refusals (RuleViolation, or the not-found/permission errors the pages turn into 404/403) are
expected; any other exception is a bug.

Invariants (after every step):
- every active/suspended subscription has a billing partner and is not also transferred away:
  along each `transferred_from` chain at most one subscription is live (never billed twice);
- no subscription is claimed by two open transfer requests;
- a subscription created by a transfer came from an eligible one (new commerce license-based
  or Azure plan, not a trial) of a customer related to the new billing partner;
- every state change has its success audit event (each row whose status changed, or that was
  created, has an audit event naming it in that state) and the number of success audit
  events grew at least by the number of successful transitions;
- no status outside its transition table (every *_TRANSITIONS table vs. its column);
- the end state (IR-1, TR-10, TR-11): no live add-on on a partner that no longer bills its
  base; no partner with a Closed direct-bill enrollment, and no partner that is only an
  indirect reseller, bills a live subscription; every customer of a closed partner is its
  indirect customer.

Profiles: "ci" (default, bounded for `make test`) and "nightly" (hundreds of examples):

    HYPOTHESIS_PROFILE=nightly DATABASE_URL=... .venv/bin/pytest \
        tests/proof/test_model_based.py -p no:cacheprovider -s

(`HYPOTHESIS_MAX_EXAMPLES=N` overrides the profile's number of examples; `-s` prints how many
calls of each service succeeded, to see the sequences reach deep states.)

Each example builds a fresh small world inside a savepoint of the test's transaction and rolls
it back in teardown, so examples don't see each other.
"""

import os
from collections import Counter
from datetime import timedelta

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import connection, transaction
from django.http import Http404
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from core import clock
from core.exceptions import RuleViolation
from core.models import (
    AuditEvent,
    CustomerRelationship,
    Outcome,
    RelationshipKind,
    RelationshipOrigin,
    Role,
)
from core.services import clock_advance
from core.sweep import run_sweep
from customers import services as customer_services
from customers.models import (
    SUBSCRIPTION_TRANSITIONS,
    McaAcceptance,
    McaMethod,
    ProductType,
    Subscription,
    SubscriptionStatus,
)
from enrollment.models import (
    DIRECT_BILL_TRANSITIONS,
    INDIRECT_TRANSITIONS,
    DirectBillEnrollment,
    IndirectResellerEnrollment,
    IndirectStatus,
)
from enrollment.services.decision import indirect_enrollment_approve, indirect_enrollment_decide
from enrollment.services.direct_bill import (
    direct_bill_close,
    direct_bill_reactivate,
    direct_bill_restrict,
)
from enrollment.services.indirect import (
    indirect_enrollment_accept_agreement,
    indirect_enrollment_submit,
)
from relationships import links
from relationships.models import PARTNERSHIP_TRANSITIONS, ProviderPartnership
from relationships.services import extension as extension_services
from relationships.services import partnerships as partnership_services
from tests import factories as f
from transfers import selectors as transfer_selectors
from transfers import services as transfer_services
from transfers.models import TRANSFER_TRANSITIONS, TransferLineItem, TransferRequest

settings.register_profile(
    "ci",
    max_examples=20,
    stateful_step_count=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "nightly",
    max_examples=500,
    stateful_step_count=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

TABLES = (
    (Subscription, SUBSCRIPTION_TRANSITIONS),
    (DirectBillEnrollment, DIRECT_BILL_TRANSITIONS),
    (IndirectResellerEnrollment, INDIRECT_TRANSITIONS),
    (ProviderPartnership, PARTNERSHIP_TRANSITIONS),
    (TransferRequest, TRANSFER_TRANSITIONS),
)
ELIGIBLE_TYPES = {ProductType.LICENSE, ProductType.AZURE_PLAN}
DONE = Counter()  # successful calls per service, printed with -s
REACHED = Counter()  # examples that ended with completed transfers / a closed enrollment
REFUSALS = (RuleViolation, ObjectDoesNotExist, PermissionDenied, Http404)


def _in_creation_order(subscription_ids) -> list[str]:
    """The ids as strings in an order that doesn't depend on the random UUIDs or the heap, so
    that Hypothesis draws the same subscription when it replays a sequence."""
    rows = Subscription.objects.filter(pk__in=list(subscription_ids)).order_by(
        "created_at", "customer_id", "billing_partner_id", "offer_name", "quantity", "status"
    )
    return [str(pk) for pk in rows.values_list("pk", flat=True)]


def _allowed(table) -> set:
    return {str(s) for s in table} | {str(t) for targets in table.values() for t in targets}


class PortalMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self._build_world()

    def teardown(self):
        REACHED["completed transfers"] += TransferRequest.objects.filter(status="complete").exists()
        REACHED["closed"] += DirectBillEnrollment.objects.filter(status="closed").exists()
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- the world ---------------------------------------------------------------------------

    def _build_world(self):
        self.staff = f.StaffFactory()
        self.reseller = f.PartnerFactory(legal_name="Contoso Model")
        f.DirectBillEnrollmentFactory(partner=self.reseller)
        self.other = f.PartnerFactory(legal_name="Other Model")
        f.DirectBillEnrollmentFactory(partner=self.other)
        self.provider = f.ProviderFactory(legal_name="Fabrikam Model")
        # The other partner is already an indirect reseller of the provider (a shorter path to
        # extension and transfer); the reseller must walk the whole way.
        f.IndirectEnrollmentFactory(partner=self.other)
        f.PartnershipFactory(provider=self.provider, reseller=self.other)
        # A partner near the end of the journey: restricted, an active indirect reseller of the
        # provider, its one customer extended with an MCA valid for the provider.
        self.finisher = f.PartnerFactory(legal_name="Woodgrove Model")
        f.DirectBillEnrollmentFactory(partner=self.finisher, status="restricted")
        f.IndirectEnrollmentFactory(partner=self.finisher)
        f.PartnershipFactory(provider=self.provider, reseller=self.finisher)
        self.partners = [self.reseller, self.other, self.provider, self.finisher]
        users = []
        for partner in self.partners:
            for roles in ([Role.GLOBAL_ADMIN], [Role.ADMIN_AGENT], [Role.SALES_AGENT]):
                users.append(f.UserFactory(partner=partner, roles=roles))
        self.customers = []
        for i in range(3):
            owner = self.reseller if i < 2 else self.other
            customer = f.CustomerFactory(company_name=f"Model Customer {i}")
            f.RelationshipFactory(customer=customer, partner=owner)
            if i == 1:  # also served by the other partner: it can ask for a transfer (TR-3)
                f.RelationshipFactory(customer=customer, partner=self.other)
            if i < 2:  # customer 2 needs an attestation first (MCA-2)
                f.McaAcceptanceFactory(customer=customer, method=McaMethod.ADMIN_CENTER)
            sub = lambda c=customer, o=owner, **kw: f.SubscriptionFactory(  # noqa: E731
                customer=c, billing_partner=o, **kw
            )
            base = sub()
            sub(parent=base, offer_name="Add-on", billing_cycle="monthly")
            sub(
                product_type=ProductType.AZURE_PLAN,
                term_duration="",
                billing_cycle="none",
                commitment_end_date=None,
                auto_renew=False,
            )
            sub(product_type=ProductType.LEGACY_LICENSE)
            sub(is_trial=True)
            self.customers.append(customer)
            users.append(f.CustomerAdminFactory(customer=customer))
        ready = f.CustomerFactory(company_name="Model Customer Ready")
        f.RelationshipFactory(customer=ready, partner=self.finisher)
        f.RelationshipFactory(
            customer=ready,
            partner=self.provider,
            kind=RelationshipKind.INDIRECT_PROVIDER,
            origin=RelationshipOrigin.EXTENSION,
            reseller=self.finisher,
            has_admin_privileges=False,
        )
        f.McaAcceptanceFactory(customer=ready, method=McaMethod.ADMIN_CENTER)
        base = f.SubscriptionFactory(customer=ready, billing_partner=self.finisher)
        f.SubscriptionFactory(
            customer=ready,
            billing_partner=self.finisher,
            parent=base,
            offer_name="Add-on",
            billing_cycle="monthly",
        )
        f.SubscriptionFactory(  # TR-11: a suspended add-on moves with its base too
            customer=ready,
            billing_partner=self.finisher,
            parent=base,
            offer_name="Suspended add-on",
            billing_cycle="monthly",
            status=SubscriptionStatus.SUSPENDED,
        )
        self.customers.append(ready)
        users.append(f.CustomerAdminFactory(customer=ready))
        self.actors = [*users, self.staff]
        self.initial = {
            (model, pk): status
            for model, _ in TABLES
            for pk, status in model.objects.values_list("pk", "status")
        }
        self.audit_start = AuditEvent.objects.filter(outcome=Outcome.SUCCESS).count()
        self.transitions = 0

    def _actor(self, data, *preferred):
        """Half the time a plausible actor, else anyone (wrong roles, partners, customers)."""
        plausible = [u for u in self.actors if any(p(u) for p in preferred)]
        choices = st.sampled_from(self.actors)
        if plausible:
            choices = st.sampled_from(plausible) | choices
        return data.draw(choices)

    def _pick(self, data, preferred, everything):
        """Half the time one of `preferred`, else any of `everything`."""
        choices = st.sampled_from(everything)
        if preferred:
            choices = st.sampled_from(preferred) | choices
        return data.draw(choices)

    def _agents_of(self, *partners):
        ids = {p.pk for p in partners}
        return [u for u in self.actors if u.partner_id in ids and Role.ADMIN_AGENT in u.roles]

    def _call(self, fn, **kwargs):
        """Call a service in its own savepoint; a refusal is fine and returns None."""
        try:
            with transaction.atomic():
                result = fn(**kwargs)
        except REFUSALS:
            return None
        event(f"done: {fn.__name__}")
        DONE[fn.__name__] += 1
        return result

    def _did(self, result):
        if result is not None:
            self.transitions += 1
        return result

    def _did_some(self, outcomes):
        """A set-based service: count the items it did (refused ones are in the dict too)."""
        for outcome in (outcomes or {}).values():
            if not isinstance(outcome, Exception):
                self.transitions += 1

    # --- actions -----------------------------------------------------------------------------

    @rule(data=st.data())
    def restrict(self, data):
        actor = self._actor(data, lambda u: u.is_staff)
        partner = self._pick(data, [self.reseller], self.partners)
        self._did(
            self._call(
                direct_bill_restrict,
                actor=actor,
                partner=partner,
                reason="Model-based test",
            )
        )

    @rule(data=st.data())
    def reactivate(self, data):
        actor = self._actor(data, lambda u: u.is_staff)
        partner = data.draw(st.sampled_from(self.partners))
        self._did(
            self._call(
                direct_bill_reactivate,
                actor=actor,
                partner=partner,
                reason="Model-based test",
            )
        )

    @rule(data=st.data(), same_name=st.booleans())
    def enroll(self, data, same_name):
        actor = self._actor(data, lambda u: Role.GLOBAL_ADMIN in u.roles)
        partner = self._pick(
            data, [p for p in self.partners if p.pk == actor.partner_id], self.partners
        )
        result = self._call(
            indirect_enrollment_submit,
            actor=actor,
            partner=partner,
            legal_name=partner.legal_name if same_name else "Another Name Ltd",
            primary_contact_email="form@model.example",
        )
        if result is not None and result.created:
            self.transitions += 1

    @rule()
    def decide(self):
        """What the worker's task does (its message may also be lost: see `sweep`)."""
        for pk in IndirectResellerEnrollment.objects.filter(
            status=IndirectStatus.SUBMITTED
        ).values_list("pk", flat=True):
            self._did(self._call(indirect_enrollment_decide, enrollment_id=pk))

    @rule(data=st.data())
    def approve(self, data):
        actor = self._actor(data, lambda u: u.is_staff)
        ids = list(IndirectResellerEnrollment.objects.order_by("pk").values_list("pk", flat=True))
        if ids:
            pk = data.draw(st.sampled_from(ids))
            self._did(self._call(indirect_enrollment_approve, actor=actor, enrollment_id=pk))

    @rule(data=st.data())
    def accept_agreement(self, data):
        actor = self._actor(data, lambda u: Role.GLOBAL_ADMIN in u.roles)
        partner = self._pick(
            data, [p for p in self.partners if p.pk == actor.partner_id], self.partners
        )
        self._did(self._call(indirect_enrollment_accept_agreement, actor=actor, partner=partner))

    @rule(data=st.data())
    def invite_reseller(self, data):
        actor = self._actor(data, lambda u: u.partner_id == self.provider.pk)
        partner = data.draw(st.sampled_from(self.partners))
        self._did(
            self._call(
                partnership_services.partnership_invite, actor=actor, partner_id=partner.partner_id
            )
        )

    @rule(data=st.data())
    def accept_partnership(self, data):
        partnerships = list(ProviderPartnership.objects.order_by("pk"))
        if partnerships:
            partnership = data.draw(st.sampled_from(partnerships))
            actor = self._actor(
                data,
                lambda u: u.partner_id == partnership.reseller_id and Role.GLOBAL_ADMIN in u.roles,
            )
            token = links.make_token(links.PARTNERSHIP, partnership.pk)
            self._did(self._call(partnership_services.partnership_accept, actor=actor, token=token))

    @rule(data=st.data())
    def extend(self, data):
        c0, c1, c2 = self.customers[:3]
        plausible = [
            (agent, customer, self.provider)
            for owner, served in ((self.reseller, (c0, c1)), (self.other, (c2,)))
            for agent in self._agents_of(owner)
            for customer in served
        ]
        anything = st.tuples(
            st.sampled_from(self.actors),
            st.sampled_from(self.customers),
            st.sampled_from(self.partners),
        )
        actor, customer, provider = data.draw(st.sampled_from(plausible) | anything)
        self._did(
            self._call(
                extension_services.relationship_extend,
                actor=actor,
                customer=customer,
                provider=provider,
                consent_given_by="Pat Customer, CIO",
                consent_given_on=clock.today(),
                consent_method="Email from the CIO",
                bill_to_sharing_confirmed=True,
            )
        )

    @rule(data=st.data())
    def extend_many(self, data):
        """The bulk job's set-based extension over any subset of the customers."""
        actor = self._pick(data, self._agents_of(self.reseller, self.other), self.actors)
        customers = data.draw(st.lists(st.sampled_from(self.customers), unique=True))
        provider = data.draw(st.sampled_from([self.provider, *self.partners]))
        self._did_some(
            self._call(
                extension_services.relationship_extend_many,
                actor=actor,
                customer_ids=[c.pk for c in customers],
                provider=provider,
                consent_given_by="Pat Customer, CIO",
                consent_given_on=clock.today(),
                consent_method="Email from the CIO",
                bill_to_sharing_confirmed=True,
            )
        )

    @rule(data=st.data())
    def attest(self, data):
        actor = self._actor(data, lambda u: Role.ADMIN_AGENT in u.roles)
        customer = data.draw(st.sampled_from(self.customers))
        before = McaAcceptance.objects.count()
        result = self._call(
            customer_services.mca_attest,
            actor=actor,
            customer=customer,
            signatory_name="Pat Signer",
            signatory_email=customer.email,
            accepted_on=clock.today(),
        )
        # The same attestation again returns the one on record: no change, nothing audited.
        if McaAcceptance.objects.count() > before:
            self._did(result)

    @rule(data=st.data())
    def transfer_create(self, data):
        c0, c1, c2 = self.customers[:3]
        plausible = [(a, c, self.reseller) for a in self._agents_of(self.other) for c in (c0, c1)]
        plausible += [(a, c2, self.other) for a in self._agents_of(self.provider)]
        plausible += [
            (a, c, self.reseller) for a in self._agents_of(self.provider) for c in (c0, c1)
        ]
        anything = st.tuples(
            st.sampled_from(self.actors),
            st.sampled_from(self.customers),
            st.sampled_from(self.partners),
        )
        actor, customer, source = data.draw(st.sampled_from(plausible) | anything)
        self._did(
            self._call(
                transfer_services.transfer_create,
                actor=actor,
                customer=customer,
                source_partner_id=source.partner_id,
                customer_email=customer.email,
            )
        )

    @rule(data=st.data())
    def transfer_create_many(self, data):
        """The bulk "request all" job's set-based create over any subset of the customers."""
        actor = self._pick(data, self._agents_of(self.provider, self.other), self.actors)
        source = data.draw(st.sampled_from(self.partners))
        customers = data.draw(st.lists(st.sampled_from(self.customers), unique=True))
        self._did_some(
            self._call(
                transfer_services.transfer_create_many,
                actor=actor,
                source=source,
                customers=customers,
                partner_of_record=data.draw(st.sampled_from([None, self.reseller])),
            )
        )

    @rule(data=st.data())
    def transfer_submit_many(self, data):
        """The bulk "submit all" job's set-based submit over any subset of the requests."""
        transfers = list(TransferRequest.objects.order_by("pk").values_list("pk", flat=True))
        if not transfers:
            return
        actor = self._pick(data, self._agents_of(self.reseller, self.other), self.actors)
        chosen = data.draw(st.lists(st.sampled_from(transfers), min_size=1, unique=True))
        self._did_some(
            self._call(transfer_services.transfer_submit_many, actor=actor, transfer_ids=chosen)
        )

    @rule(data=st.data())
    def transfer_submit(self, data):
        transfers = list(TransferRequest.objects.order_by("pk"))
        if not transfers:
            return
        pending = [t for t in transfers if t.status == "pending"]
        transfer = self._pick(data, pending, transfers)
        actor = self._pick(data, self._agents_of(transfer.source), self.actors)
        scope = data.draw(st.sampled_from(["eligible", "eligible", "customer", "any"]))
        if scope == "eligible":  # what the page offers (the invariant re-checks eligibility)
            sub_ids = _in_creation_order(transfer_selectors.eligible_base_ids(transfer=transfer))
        else:
            subs = Subscription.objects.all()
            if scope == "customer":
                subs = subs.filter(customer_id=transfer.customer_id)
            sub_ids = _in_creation_order(subs.values_list("pk", flat=True))
        if not sub_ids:
            return
        chosen = data.draw(st.lists(st.sampled_from(sub_ids), max_size=6, unique=True))
        self._did(
            self._call(
                transfer_services.transfer_submit,
                actor=actor,
                transfer=transfer,
                subscription_ids=chosen,
            )
        )

    @rule(data=st.data())
    def transfer_submit_as_offered(self, data):
        """The source's agent submits a pending request with (some of) what the page offers."""
        pending = list(TransferRequest.objects.filter(status="pending").order_by("pk"))
        if not pending:
            return
        transfer = data.draw(st.sampled_from(pending))
        offered = _in_creation_order(transfer_selectors.eligible_base_ids(transfer=transfer))
        agents = self._agents_of(transfer.source)
        if not offered or not agents:
            return
        self._did(
            self._call(
                transfer_services.transfer_submit,
                actor=data.draw(st.sampled_from(agents)),
                transfer=transfer,
                subscription_ids=data.draw(
                    st.lists(st.sampled_from(offered), min_size=1, unique=True)
                ),
            )
        )

    @rule(data=st.data())
    def transfer_cancel(self, data):
        transfers = list(TransferRequest.objects.order_by("pk"))
        if transfers:
            actor = self._actor(data, lambda u: Role.ADMIN_AGENT in u.roles)
            transfer = data.draw(st.sampled_from(transfers))
            self._did(self._call(transfer_services.transfer_cancel, actor=actor, transfer=transfer))

    @rule(data=st.data())
    def close(self, data):
        actor = self._actor(data, lambda u: u.is_staff or Role.GLOBAL_ADMIN in u.roles)
        partner = self._pick(
            data, [p for p in self.partners if p.pk == actor.partner_id], self.partners
        )
        self._did(
            self._call(
                direct_bill_close,
                actor=actor,
                partner=partner,
                reason="Model-based test",
            )
        )

    @rule()
    def finish_transition(self):
        """The end of the journey for the partner near it, as its people do it: the provider
        requests transfers for all its customers (bulk), the partner submits them all (bulk),
        its Global admin closes direct-bill. Any step may be refused by what came before."""
        finisher, provider = self.finisher, self.provider
        customers = list(
            CustomerRelationship.objects.active()
            .filter(partner=finisher)
            .values_list("customer_id", flat=True)
        )
        self._did_some(
            self._call(
                transfer_services.transfer_create_many,
                actor=self._agents_of(provider)[0],
                source=finisher,
                customers=[c for c in self.customers if c.pk in customers],
                partner_of_record=finisher,
            )
        )
        pending = TransferRequest.objects.filter(source=finisher, status="pending")
        self._did_some(
            self._call(
                transfer_services.transfer_submit_many,
                actor=self._agents_of(finisher)[0],
                transfer_ids=list(pending.values_list("pk", flat=True)),
            )
        )
        global_admin = next(
            u for u in self.actors if u.partner_id == finisher.pk and Role.GLOBAL_ADMIN in u.roles
        )
        self._did(
            self._call(
                direct_bill_close,
                actor=global_admin,
                partner=finisher,
                reason="Transition complete",
            )
        )

    @rule(days=st.integers(min_value=1, max_value=20))
    def advance_clock(self, days):
        clock_advance(actor=self.staff, delta=timedelta(days=days))

    @rule()
    def sweep(self):
        fired = run_sweep()
        broken = [name for name, count in fired.items() if count == -1]
        assert not broken, f"sweepers failed: {broken}"

    # --- invariants --------------------------------------------------------------------------

    @invariant()
    def transaction_usable(self):
        assert not connection.needs_rollback, "a service broke the transaction"

    @invariant()
    def never_billed_twice(self):
        live = (SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED)
        for sub in Subscription.objects.filter(status__in=live):
            assert sub.billing_partner_id is not None, sub
        subs = {s.pk: s for s in Subscription.objects.all()}
        for sub in subs.values():
            chain, cursor = [], sub
            while cursor is not None:  # walk to the root of the transfer chain
                chain.append(cursor)
                cursor = subs.get(cursor.transferred_from_id)
            root = chain[-1]
            family, todo = [], [root]
            while todo:
                node = todo.pop()
                family.append(node)
                todo.extend(s for s in subs.values() if s.transferred_from_id == node.pk)
            alive = [s for s in family if s.status in live]
            assert len(alive) <= 1, f"billed twice: {alive}"

    @invariant()
    def one_open_request_per_subscription(self):
        claimed = list(
            TransferLineItem.objects.filter(request__status="pending").values_list(
                "subscription_id", flat=True
            )
        )
        assert len(claimed) == len(set(claimed)), claimed

    @invariant()
    def transfers_only_moved_eligible_subscriptions(self):
        for new in Subscription.objects.filter(transferred_from__isnull=False).select_related(
            "transferred_from"
        ):
            old = new.transferred_from
            assert old.product_type in ELIGIBLE_TYPES, old
            assert not old.is_trial, old
            assert CustomerRelationship.objects.filter(
                customer_id=old.customer_id, partner_id=new.billing_partner_id
            ).exists(), f"{new} moved to a partner unrelated to the customer"
            assert TransferRequest.objects.filter(
                customer_id=old.customer_id, target_id=new.billing_partner_id, status="complete"
            ).exists(), f"{new} has no completed request"

    @invariant()
    def add_ons_stay_with_their_base(self):
        """TR-11: a live add-on is billed by the partner that bills its live base."""
        live = (SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED)
        for add_on in Subscription.objects.filter(
            parent__isnull=False, status__in=live
        ).select_related("parent"):
            base = add_on.parent
            assert base.status in live and base.billing_partner_id == add_on.billing_partner_id, (
                f"add-on left behind: {add_on} on {add_on.billing_partner_id}, "
                f"base {base.status} on {base.billing_partner_id}"
            )

    @invariant()
    def only_transacting_partners_bill(self):
        """TR-10/TX-2: a closed direct-bill partner, or a partner that is only an indirect
        reseller, bills nothing live."""
        live = (SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED)
        for partner in self.partners:
            direct = DirectBillEnrollment.objects.filter(partner=partner).first()
            transacting = partner.is_indirect_provider or (
                direct is not None and direct.status in ("active", "restricted")
            )
            if not transacting:
                billed = Subscription.objects.filter(billing_partner=partner, status__in=live)
                assert not billed.exists(), f"{partner} bills {list(billed)}"

    @invariant()
    def customers_of_a_closed_partner_are_indirect(self):
        """IR-1: once direct-bill closed, none of the partner's customers is direct-bill."""
        closed = DirectBillEnrollment.objects.filter(status="closed").values("partner_id")
        direct = CustomerRelationship.objects.active().filter(
            partner_id__in=closed, kind=RelationshipKind.DIRECT
        )
        assert not direct.exists(), f"direct-bill after close: {list(direct)}"

    @invariant()
    def statuses_in_their_tables(self):
        for model, table in TABLES:
            allowed = _allowed(table)
            found = set(model.objects.values_list("status", flat=True))
            assert found <= allowed, (model.__name__, found - allowed)

    @invariant()
    def every_state_change_audited(self):
        success = AuditEvent.objects.filter(outcome=Outcome.SUCCESS)
        assert success.count() - self.audit_start >= self.transitions
        audited = set(success.values_list("object_type", "object_id", "new_state"))
        transferred = set(
            success.filter(operation="subscription.transfer").values_list("object_id", flat=True)
        )
        for model, _ in TABLES:
            for row in model.objects.all():
                status = row.status
                if self.initial.get((model, row.pk)) == status:
                    continue  # part of the world, unchanged
                if model is Subscription and row.transferred_from_id is not None:
                    assert str(row.transferred_from_id) in transferred, row
                    continue
                assert (model.__name__, str(row.pk), status) in audited, (
                    f"{model.__name__} {row.pk} is {status} without an audit event"
                )


@pytest.mark.django_db
@pytest.mark.rule("TR-4")
@pytest.mark.rule("EN-3")
def test_rules_hold_under_random_sequences_of_actions():
    profile = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
    if os.environ.get("HYPOTHESIS_MAX_EXAMPLES"):  # e.g. a bounded soak between the two
        profile = settings(profile, max_examples=int(os.environ["HYPOTHESIS_MAX_EXAMPLES"]))
    DONE.clear()
    REACHED.clear()
    run_state_machine_as_test(PortalMachine, settings=profile)
    print("successful service calls:", dict(DONE), "examples reaching:", dict(REACHED))
    # The examples reached the end of the journey, not only its start.
    assert REACHED["completed transfers"] and REACHED["closed"], dict(REACHED)


@pytest.mark.django_db
def test_the_invariants_catch_violations():
    """The invariants are not vacuous: corrupting the world behind the services' back (the ORM
    directly, as a bug would) makes each one fail."""
    machine = PortalMachine()
    try:
        sub = Subscription.objects.filter(
            customer=machine.customers[0], product_type=ProductType.LICENSE, parent=None
        ).first()
        with transaction.atomic():
            copy = Subscription.objects.get(pk=sub.pk)
            copy.pk = None
            copy.transferred_from = sub
            copy.billing_partner = machine.other
            copy.save()
            with pytest.raises(AssertionError, match="billed twice"):
                machine.never_billed_twice()
            with pytest.raises(AssertionError):
                machine.transfers_only_moved_eligible_subscriptions()
            transaction.set_rollback(True)
        with transaction.atomic():
            Subscription.objects.filter(pk=sub.pk).update(status=SubscriptionStatus.SUSPENDED)
            with pytest.raises(AssertionError, match="without an audit event"):
                machine.every_state_change_audited()
            transaction.set_rollback(True)
        machine.never_billed_twice()
        machine.every_state_change_audited()
    finally:
        machine.teardown()
