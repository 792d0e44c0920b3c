"""IR-4: a customer may have several indirect resellers through the same provider, each with its
own relationship, and several providers; each reseller sees only its own (AC-2)."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from core import clock
from core.models import (
    AuditEvent,
    CustomerRelationship,
    Outcome,
    RelationshipKind,
    RelationshipOrigin,
    Role,
)
from relationships import links
from relationships.exceptions import ExtensionAlreadyExists, InvitationRefused
from relationships.models import InvitationKind, RelationshipExtension
from relationships.services import invitation_drafts as drafts
from relationships.services import invitations as svc
from relationships.services.extension import relationship_extend
from tests import factories as f
from tests.relationships import factories as rf

pytestmark = pytest.mark.django_db


class World:
    """Fabrikam (provider) with two resellers, Contoso and Northwind, and the customer Adatum."""

    def __init__(self):
        self.provider = f.ProviderFactory(legal_name="Fabrikam Distribution")
        self.r1 = rf.reseller(legal_name="Contoso Cloud")
        self.r2 = rf.reseller(legal_name="Northwind Partners")
        for reseller in (self.r1, self.r2):
            rf.accepted(self.provider, reseller)
        self.agent1 = rf.admin_agent(self.r1)
        self.agent2 = rf.admin_agent(self.r2)
        self.admin = f.CustomerAdminFactory(customer__company_name="Adatum Corp")
        self.customer = self.admin.customer

    def invite_and_accept(self, agent, **kwargs):
        invitation = drafts.customer_invitation_create(
            actor=agent, kind=InvitationKind.INDIRECT, provider=self.provider, **kwargs
        )
        return svc.customer_invitation_accept(
            actor=self.admin, token=rf.token(links.CUSTOMER, invitation.pk)
        )

    def provider_rels(self):
        return CustomerRelationship.objects.active().filter(
            customer=self.customer, partner=self.provider
        )


@pytest.fixture
def w():
    return World()


def _extend(agent, customer, provider):
    return relationship_extend(
        actor=agent,
        customer=customer,
        provider=provider,
        consent_given_by="Ada, CIO",
        consent_given_on=clock.today(),
        consent_method="Signed letter",
        bill_to_sharing_confirmed=True,
    )


def _snapshot():
    return (
        CustomerRelationship.objects.count(),
        RelationshipExtension.objects.count(),
        AuditEvent.objects.filter(outcome=Outcome.SUCCESS).count(),
    )


@pytest.mark.rule("IR-4")
def test_ir4_two_resellers_through_one_provider_by_invitations(w):
    """IR-4: the second reseller's invitation naming the same provider gives the provider a
    second relationship, for that reseller; the first one is untouched."""
    w.invite_and_accept(w.agent1)
    first = w.provider_rels().get()
    w.invite_and_accept(w.agent2)
    rels = CustomerRelationship.objects.active().filter(customer=w.customer)
    assert {(r.partner_id, r.kind, r.reseller_id) for r in rels} == {
        (w.r1.pk, RelationshipKind.INDIRECT_RESELLER, None),
        (w.r2.pk, RelationshipKind.INDIRECT_RESELLER, None),
        (w.provider.pk, RelationshipKind.INDIRECT_PROVIDER, w.r1.pk),
        (w.provider.pk, RelationshipKind.INDIRECT_PROVIDER, w.r2.pk),
    }
    assert all(r.has_admin_privileges and r.origin == RelationshipOrigin.INVITATION for r in rels)
    assert w.provider_rels().get(reseller=w.r1) == first


@pytest.mark.rule("IR-4")
@pytest.mark.rule("MV-2")
def test_ir4_extension_for_a_second_reseller_is_not_blocked(client, w):
    """IR-4: a provider already serving the customer for another reseller doesn't make this
    reseller's extension "already existing"; the same reseller twice still is refused."""
    for partner in (w.r1, w.r2):
        f.DirectBillEnrollmentFactory(partner=partner)
        f.RelationshipFactory(customer=w.customer, partner=partner)
    _extend(w.agent1, w.customer, w.provider)
    extension = _extend(w.agent2, w.customer, w.provider)
    assert extension.relationship.reseller == w.r2
    assert {r.reseller_id for r in w.provider_rels()} == {w.r1.pk, w.r2.pk}
    assert RelationshipExtension.objects.filter(customer=w.customer).count() == 2
    # The provider's customer page shows both direct-bill resellers it serves the customer for;
    # each reseller's shows only itself and the provider.
    detail = reverse("customer_detail", args=[w.customer.pk])
    client.force_login(f.UserFactory(partner=w.provider, roles=[Role.ADMIN_AGENT]))
    page = client.get(detail).content.decode()
    assert "<strong>Contoso Cloud</strong> — Direct-bill reseller" in page
    assert "<strong>Northwind Partners</strong> — Direct-bill reseller" in page
    client.force_login(w.agent1)
    page = client.get(detail).content.decode()
    assert "Fabrikam Distribution</strong> — Indirect provider for Contoso Cloud" in page
    assert "Northwind Partners" not in page
    before = _snapshot()
    with pytest.raises(ExtensionAlreadyExists, match="already has a relationship with Fabrikam"):
        _extend(w.agent2, w.customer, w.provider)
    assert _snapshot() == before


@pytest.mark.rule("IR-4")
@pytest.mark.rule("MV-8")
def test_ir4_indirect_invitation_after_another_resellers_extension(w):
    """IR-4/MV-8: Northwind (direct-bill) invites its customer naming Fabrikam although
    Fabrikam already serves it for Contoso; refused only when Fabrikam serves it for
    Northwind already, and the refusal changes nothing."""
    w.invite_and_accept(w.agent1)
    f.RelationshipFactory(customer=w.customer, partner=w.r2)  # Northwind's direct customer
    w.invite_and_accept(w.agent2, customer=w.customer)
    rel = w.provider_rels().get(reseller=w.r2)
    assert rel.has_admin_privileges
    before = _snapshot()
    with pytest.raises(InvitationRefused, match="Fabrikam Distribution already serves Adatum"):
        drafts.customer_invitation_create(
            actor=w.agent2, kind=InvitationKind.INDIRECT, provider=w.provider, customer=w.customer
        )
    assert _snapshot() == before
    assert AuditEvent.objects.filter(
        operation="customer_invitation.create", outcome=Outcome.REFUSED
    ).exists()


@pytest.mark.rule("IR-4")
def test_ir4_same_reseller_twice_through_one_provider_refused_by_the_database(w):
    """IR-4's backstop: one active relationship per (customer, provider, reseller), and one per
    (customer, partner) for any relationship naming no reseller."""
    w.invite_and_accept(w.agent1)
    before = _snapshot()
    with pytest.raises(IntegrityError), transaction.atomic():
        f.RelationshipFactory(
            customer=w.customer,
            partner=w.provider,
            kind=RelationshipKind.INDIRECT_PROVIDER,
            reseller=w.r1,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        f.RelationshipFactory(
            customer=w.customer, partner=w.r1, kind=RelationshipKind.INDIRECT_RESELLER
        )
    assert _snapshot() == before
    # Accepting a second invitation of the same reseller naming the same provider adds nothing.
    w.invite_and_accept(w.agent1)
    assert w.provider_rels().count() == 1
    assert CustomerRelationship.objects.filter(customer=w.customer).count() == 2


@pytest.mark.rule("IR-4")
def test_ir4_several_providers_for_one_customer(client, w):
    """IR-4: Contoso through Fabrikam and Northwind through another provider, side by side."""
    other = f.ProviderFactory(legal_name="Litware Distribution")
    rf.accepted(other, w.r2)
    w.invite_and_accept(w.agent1)
    invitation = drafts.customer_invitation_create(
        actor=w.agent2, kind=InvitationKind.INDIRECT, provider=other
    )
    svc.customer_invitation_accept(actor=w.admin, token=rf.token(links.CUSTOMER, invitation.pk))
    providers = CustomerRelationship.objects.active().filter(
        customer=w.customer, kind=RelationshipKind.INDIRECT_PROVIDER
    )
    assert {(r.partner_id, r.reseller_id) for r in providers} == {
        (w.provider.pk, w.r1.pk),
        (other.pk, w.r2.pk),
    }
    # Northwind through both providers: its list names them both, on its one row.
    w.invite_and_accept(w.agent2)
    assert w.provider_rels().filter(reseller=w.r2).exists()
    client.force_login(w.agent2)
    listing = client.get(reverse("customer_list")).content.decode()
    assert listing.count(">Adatum Corp</a>") == 1
    assert "Indirect via Fabrikam Distribution, Litware Distribution" in listing


@pytest.mark.rule("IR-4")
@pytest.mark.rule("MV-6")
def test_ir4_customer_partner_relationships_page_shows_the_provider_for_each_reseller(client, w):
    """MV-6: the customer sees the provider once for each reseller it serves it for."""
    w.invite_and_accept(w.agent1)
    w.invite_and_accept(w.agent2)
    client.force_login(w.admin)
    page = client.get(reverse("partner_relationships")).content.decode()
    assert "Indirect provider for Contoso Cloud" in page
    assert "Indirect provider for Northwind Partners" in page


@pytest.mark.rule("IR-4")
@pytest.mark.rule("AC-2")
def test_ir4_each_reseller_sees_only_its_own_and_the_provider_sees_both(client, w):
    w.invite_and_accept(w.agent1)
    w.invite_and_accept(w.agent2)
    outsider = rf.reseller(legal_name="Outsider Reseller")
    rf.accepted(w.provider, outsider)
    detail = reverse("customer_detail", args=[w.customer.pk])
    for agent, mine, other in ((w.agent1, w.r1, w.r2), (w.agent2, w.r2, w.r1)):
        client.force_login(agent)
        listing = client.get(reverse("customer_list")).content.decode()
        assert listing.count(">Adatum Corp</a>") == 1
        assert "Indirect via Fabrikam Distribution" in listing
        page = client.get(detail).content.decode()
        assert mine.legal_name in page and "Fabrikam Distribution" in page
        assert other.legal_name not in page  # nothing of the other reseller
    client.force_login(rf.admin_agent(outsider))
    assert client.get(detail).status_code == 404
    provider_agent = f.UserFactory(partner=w.provider, roles=[Role.ADMIN_AGENT])
    client.force_login(provider_agent)
    listing = client.get(reverse("customer_list")).content.decode()
    assert listing.count(">Adatum Corp</a>") == 2  # one row per reseller, each labelled
    assert "Indirect provider for Contoso Cloud" in listing
    assert "Indirect provider for Northwind Partners" in listing
    page = client.get(detail).content.decode()
    assert "for Contoso Cloud, Northwind Partners" in page
    assert 'data-testid="order-reseller"' in page  # the order names its partner of record
