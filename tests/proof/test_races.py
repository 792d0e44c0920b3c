"""Races for every "at most one" rule the feature tests don't already race.

Already covered elsewhere (not repeated here): EN-3 with 2 threads
(tests/enrollment/test_async.py), two extensions of one customer with 2 threads
(tests/relationships/test_extension_bulk.py), two sources submitting one transfer, two
requests claiming one subscription, submit vs cancel, submit vs the expiry sweep
(tests/transfers/test_concurrency.py).

Here, N threads (each its own database connection, closed at the end) call the service at the
same moment behind a barrier. Each test proves: exactly one winner, every other thread refused
cleanly (a RuleViolation) or handed the same object (EN-3's idempotency), no deadlock (bounded
join), no other exception (which a page would turn into a 500), and the database holds one row.
"""

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection

from core import clock
from core.exceptions import RuleViolation
from core.models import CustomerRelationship, RelationshipKind, Role
from customers.models import McaMethod
from enrollment.models import IndirectResellerEnrollment
from enrollment.services.indirect import indirect_enrollment_submit
from relationships import links
from relationships.models import (
    CustomerInvitation,
    InvitationKind,
    InvitationStatus,
    PartnershipStatus,
    ProviderPartnership,
    RelationshipExtension,
)
from relationships.services import extension as extension_services
from relationships.services import invitations as invitation_services
from relationships.services import partnerships as partnership_services
from tests import factories as f
from transfers import services as transfer_services
from transfers.models import TransferRequest

pytestmark = pytest.mark.django_db(transaction=True)
N = 4


def race(funcs, timeout=30):
    """Run each callable in its own thread and connection, released together by a barrier.

    Returns [("ok", value) | ("refused", RuleViolation) | ("error", exception)]; fails on a
    thread still running after `timeout` seconds (a deadlock)."""
    barrier = threading.Barrier(len(funcs))
    results = [None] * len(funcs)

    def run(i, func):
        try:
            barrier.wait(timeout=10)
            results[i] = ("ok", func())
        except RuleViolation as refusal:
            results[i] = ("refused", refusal)
        except Exception as error:  # a page would answer 500: reported by the assertion
            results[i] = ("error", error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(i, fn), daemon=True) for i, fn in enumerate(funcs)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), "deadlock: a thread never finished"
    errors = [r for r in results if r is None or r[0] == "error"]
    assert not errors, errors
    return results


def one_winner(results):
    winners = [value for kind, value in results if kind == "ok"]
    assert len(winners) == 1, results
    return winners[0]


@pytest.mark.rule("EN-3")
def test_en3_four_concurrent_submits_yield_one_enrollment_and_the_same_object():
    partner = f.PartnerFactory()
    f.DirectBillEnrollmentFactory(partner=partner, status="restricted")
    admins = [f.UserFactory(partner=partner, roles=[Role.GLOBAL_ADMIN]) for _ in range(N)]

    def submit(admin):
        return lambda: indirect_enrollment_submit(
            actor=admin,
            partner=partner,
            legal_name=partner.legal_name,
            primary_contact_email="race@form.example",
        )

    results = race([submit(a) for a in admins])
    assert all(kind == "ok" for kind, _ in results), results
    assert len({e.pk for _, e in results}) == 1
    assert sorted(e.created for _, e in results) == [False] * (N - 1) + [True]
    assert IndirectResellerEnrollment.objects.filter(partner=partner).count() == 1


@pytest.mark.rule("PV-2")
def test_pv2_concurrent_invites_of_one_reseller_make_one_open_partnership():
    provider = f.ProviderFactory()
    reseller = f.PartnerFactory()
    admins = [f.UserFactory(partner=provider, roles=[Role.ADMIN_AGENT]) for _ in range(N)]
    results = race(
        [
            (
                lambda a=a: partnership_services.partnership_invite(
                    actor=a, partner_id=reseller.partner_id
                )
            )
            for a in admins
        ]
    )
    one_winner(results)
    assert sum(kind == "refused" for kind, _ in results) == N - 1
    assert ProviderPartnership.objects.filter(provider=provider, reseller=reseller).count() == 1


@pytest.mark.rule("PV-2")
@pytest.mark.rule("PV-3")
def test_pv2_concurrent_accepts_of_one_link_accept_once():
    provider = f.ProviderFactory()
    reseller = f.PartnerFactory()
    f.IndirectEnrollmentFactory(partner=reseller)
    partnership = f.PartnershipFactory(
        provider=provider, reseller=reseller, status=PartnershipStatus.INVITED, accepted_at=None
    )
    token = links.make_token(links.PARTNERSHIP, partnership.pk)
    admins = [f.UserFactory(partner=reseller, roles=[Role.GLOBAL_ADMIN]) for _ in range(N)]
    results = race(
        [
            (lambda a=a: partnership_services.partnership_accept(actor=a, token=token))
            for a in admins
        ]
    )
    one_winner(results)
    partnership.refresh_from_db()
    assert partnership.status == PartnershipStatus.ACCEPTED
    from core.models import AuditEvent

    accepts = AuditEvent.objects.filter(operation="partnership.accept", outcome="success")
    assert accepts.count() == 2  # one per side, not one per thread


def _indirect_setup():
    provider = f.ProviderFactory()
    reseller = f.PartnerFactory()
    f.IndirectEnrollmentFactory(partner=reseller)
    f.PartnershipFactory(provider=provider, reseller=reseller)
    customer = f.CustomerFactory()
    f.RelationshipFactory(customer=customer, partner=reseller)  # a direct-bill customer
    f.McaAcceptanceFactory(customer=customer, method=McaMethod.ADMIN_CENTER)
    return provider, reseller, customer


def _pending_invitation(reseller, provider, kind=InvitationKind.INDIRECT):
    now = clock.now()
    invitation = CustomerInvitation.objects.create(
        partner=reseller,
        kind=kind,
        provider=provider if kind == InvitationKind.INDIRECT else None,
        message="Hello",
        created_by=f.UserFactory(partner=reseller),
        created_at=now,
        expires_at=now + timedelta(days=30),
    )
    invitation.status = InvitationStatus.PENDING  # the partner pressed Done (draft → pending)
    invitation.save(update_fields=["status"])
    return invitation


@pytest.mark.rule("CU-1")
@pytest.mark.rule("CU-2")
def test_cu2_concurrent_accepts_of_two_invitations_make_one_relationship_per_partner():
    """The customer's admins accept two indirect invitations (same reseller and provider) at
    once: one active relationship with each partner; the other acceptance refused or merged —
    never an IntegrityError."""
    provider, reseller, _ = _indirect_setup()
    customer = f.CustomerFactory()
    admins = [f.CustomerAdminFactory(customer=customer) for _ in range(N)]
    tokens = [
        links.make_token(links.CUSTOMER, _pending_invitation(reseller, provider).pk)
        for _ in range(N)
    ]
    race(
        [
            (lambda a=a, t=t: invitation_services.customer_invitation_accept(actor=a, token=t))
            for a, t in zip(admins, tokens, strict=True)
        ]
    )
    active = CustomerRelationship.objects.active().filter(customer=customer)
    assert active.filter(partner=reseller).count() == 1
    assert active.filter(partner=provider).count() == 1


@pytest.mark.rule("MV-7")
def test_mv7_concurrent_accepts_of_two_direct_invitations_make_one_relationship():
    partner = f.PartnerFactory()
    f.DirectBillEnrollmentFactory(partner=partner)
    customer = f.CustomerFactory()
    admins = [f.CustomerAdminFactory(customer=customer) for _ in range(N)]
    tokens = [
        links.make_token(
            links.CUSTOMER, _pending_invitation(partner, None, InvitationKind.DIRECT).pk
        )
        for _ in range(N)
    ]
    results = race(
        [
            (lambda a=a, t=t: invitation_services.customer_invitation_accept(actor=a, token=t))
            for a, t in zip(admins, tokens, strict=True)
        ]
    )
    one_winner(results)
    assert (
        CustomerRelationship.objects.active().filter(customer=customer, partner=partner).count()
        == 1
    )


@pytest.mark.rule("MV-2")
@pytest.mark.rule("CU-2")
def test_extension_races_an_indirect_invitation_accept_for_the_same_provider():
    """The reseller extends its customer to the provider while the customer accepts an
    indirect invitation naming the same provider: one active provider relationship, clean
    refusals. Several rounds (a fresh customer each), since a deadlock needs an interleaving."""
    provider, reseller, _ = _indirect_setup()
    agents = [f.UserFactory(partner=reseller, roles=[Role.ADMIN_AGENT]) for _ in range(2)]
    for _round in range(5):
        customer = f.CustomerFactory()
        f.RelationshipFactory(customer=customer, partner=reseller)
        admins = [f.CustomerAdminFactory(customer=customer) for _ in range(2)]
        tokens = [
            links.make_token(links.CUSTOMER, _pending_invitation(reseller, provider).pk)
            for _ in range(2)
        ]

        def extend(agent, customer=customer):
            return lambda: extension_services.relationship_extend(
                actor=agent,
                customer=customer,
                provider=provider,
                consent_given_by="Pat Customer, CIO",
                consent_given_on=clock.today(),
                consent_method="Email from the CIO",
                bill_to_sharing_confirmed=True,
            )

        race(
            [extend(a) for a in agents]
            + [
                (lambda a=a, t=t: invitation_services.customer_invitation_accept(actor=a, token=t))
                for a, t in zip(admins, tokens, strict=True)
            ]
        )
        active = CustomerRelationship.objects.active().filter(customer=customer)
        assert active.filter(partner=provider).count() == 1
        assert RelationshipExtension.objects.filter(customer=customer).count() <= 1
        assert active.filter(partner=reseller, kind=RelationshipKind.DIRECT).count() == 1


@pytest.mark.rule("TR-3")
def test_tr3_concurrent_creates_make_one_pending_request_per_pair():
    source = f.PartnerFactory()
    f.DirectBillEnrollmentFactory(partner=source)
    target = f.PartnerFactory()
    f.DirectBillEnrollmentFactory(partner=target)
    customer = f.CustomerFactory()
    f.RelationshipFactory(customer=customer, partner=source)
    f.RelationshipFactory(customer=customer, partner=target)
    agents = [f.UserFactory(partner=target, roles=[Role.ADMIN_AGENT]) for _ in range(N)]
    results = race(
        [
            (
                lambda a=a: transfer_services.transfer_create(
                    actor=a,
                    customer=customer,
                    source_partner_id=source.partner_id,
                    customer_email=customer.email,
                )
            )
            for a in agents
        ]
    )
    one_winner(results)
    assert TransferRequest.objects.filter(customer=customer, status="pending").count() == 1


@pytest.mark.rule("AP-1")
def test_concurrent_retries_with_one_request_id_act_once_and_replay_the_first_response(settings):
    """A client retries POST /v1/customers with the same MS-RequestId while the first attempt
    is still running (N at once): one customer is created and every attempt gets the same 201
    body, the others marked as replays."""
    from django.test import Client

    from api import services as api_services
    from core.models import Customer
    from tests.api.test_operations import customer_body

    settings.API_THROTTLE_ENABLED = False
    partner = f.DirectBillEnrollmentFactory().partner
    _, token = api_services.api_token_create(
        actor=f.UserFactory(partner=partner, roles=[Role.GLOBAL_ADMIN]), name="race"
    )
    body = customer_body("retried.example")
    headers = {"Authorization": f"Bearer {token}", "MS-RequestId": "retry-7"}

    def post():
        response = Client().post(
            "/v1/customers", body, content_type="application/json", headers=headers
        )
        return response.status_code, response.json(), response.get("MS-Idempotent-Replay")

    results = race([post] * N)
    responses = [value for _, value in results]
    assert {(status, json.dumps(data, sort_keys=True)) for status, data, _ in responses} == {
        (201, json.dumps(responses[0][1], sort_keys=True))
    }, responses
    assert sorted(replay or "" for *_, replay in responses) == [""] + ["true"] * (N - 1)
    assert Customer.objects.filter(tenant__domain="retried.example").count() == 1
