"""MV-7: "New relationship" on the Customers list invites an existing customer; when the
customer accepts, the partner becomes its reseller of record."""

import pytest
from django.urls import reverse
from django.utils import timezone

from core.exceptions import RoleRequired
from core.models import (
    AuditEvent,
    CustomerRelationship,
    Outcome,
    RelationshipKind,
    RelationshipOrigin,
    Role,
)
from relationships import links
from relationships.exceptions import InvitationRefused, LinkUsed, LinkWrongAudience
from relationships.models import CustomerInvitation, InvitationKind, InvitationStatus
from relationships.services import invitation_drafts as drafts
from relationships.services import invitations as svc
from tests import factories as f
from tests.relationships import factories as rf

pytestmark = pytest.mark.django_db


class World:
    """Direct Co (direct-bill, Active) that served Adatum before: the relationship ended."""

    def __init__(self):
        self.partner = f.PartnerFactory(legal_name="Direct Co")
        f.DirectBillEnrollmentFactory(partner=self.partner)
        self.agent = rf.admin_agent(self.partner)
        self.admin = f.CustomerAdminFactory(
            customer__company_name="Adatum Corp", customer__tenant__domain="adatum.example"
        )
        self.customer = self.admin.customer
        self.ended = f.RelationshipFactory(
            partner=self.partner, customer=self.customer, ended_at=timezone.now()
        )

    def relationships(self):
        return list(
            CustomerRelationship.objects.filter(customer=self.customer).values_list(
                "pk", "partner_id", "kind", "ended_at"
            )
        )


@pytest.fixture
def w():
    return World()


@pytest.mark.rule("MV-7")
def test_mv7_new_relationship_with_an_existing_customer_makes_partner_reseller_of_record(client, w):
    """MV-7: Customers list › New relationship › the customer's domain › templated email with
    a unique link (edit, Done) › the customer's admin accepts › reseller of record."""
    client.force_login(w.agent)
    listing = client.get(reverse("customer_list")).content.decode()
    assert 'data-testid="new-relationship"' in listing
    new = reverse("customer_invitation_new") + "?kind=direct"
    assert "New relationship" in client.get(new).content.decode()
    response = client.post(new, {"kind": "direct", "domain": " Adatum.Example "})
    invitation = CustomerInvitation.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("customer_invitation_draft", args=[invitation.pk])
    assert invitation.kind == InvitationKind.DIRECT and invitation.customer == w.customer
    link = drafts.link_url(invitation)
    assert link in invitation.message and "reseller of record" in invitation.message
    edited = f"Hello Adatum, as discussed: {link}"
    client.post(response.url, {"message": edited, "action": "done"})
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING and invitation.message == edited

    client.force_login(w.admin)
    page = client.get(links.path_for(links.CUSTOMER, invitation.pk)).content.decode()
    assert "Direct Co becomes your reseller of record" in page
    response = client.post(links.path_for(links.CUSTOMER, invitation.pk), {"action": "accept"})
    assert response.status_code == 302
    rel = CustomerRelationship.objects.active().get(customer=w.customer)
    assert (rel.partner, rel.kind, rel.origin) == (
        w.partner,
        RelationshipKind.DIRECT,
        RelationshipOrigin.INVITATION,
    )
    assert rel.has_admin_privileges and rel.pk != w.ended.pk
    w.ended.refresh_from_db()
    assert w.ended.ended_at is not None  # the old relationship stays ended, as history
    client.force_login(w.agent)
    assert ">Adatum Corp</a>" in client.get(reverse("customer_list")).content.decode()


@pytest.mark.rule("MV-7")
def test_mv7_refused_for_a_current_customer_an_unknown_domain_or_the_wrong_role(client, w):
    """MV-7: refusals say why and create nothing."""
    served = rf.direct_customer(w.partner, customer__tenant__domain="served.example")
    before = w.relationships()
    with pytest.raises(InvitationRefused, match=f"{served} is already your customer"):
        drafts.customer_invitation_create(
            actor=w.agent, kind=InvitationKind.DIRECT, domain="served.example"
        )
    with pytest.raises(InvitationRefused, match="No customer tenant has the domain nope.example"):
        drafts.customer_invitation_create(
            actor=w.agent, kind=InvitationKind.DIRECT, domain="nope.example"
        )
    sales = f.UserFactory(partner=w.partner, roles=[Role.SALES_AGENT])
    with pytest.raises(RoleRequired):
        drafts.customer_invitation_create(
            actor=sales, kind=InvitationKind.DIRECT, domain="adatum.example"
        )
    client.force_login(sales)
    response = client.post(
        reverse("customer_invitation_new") + "?kind=direct",
        {"kind": "direct", "domain": "adatum.example"},
    )
    assert response.status_code == 403
    client.force_login(w.agent)
    response = client.post(
        reverse("customer_invitation_new") + "?kind=direct",
        {"kind": "direct", "domain": "nope.example"},
        follow=True,
    )
    assert "No customer tenant has the domain nope.example" in response.content.decode()
    assert not CustomerInvitation.objects.exists()
    assert w.relationships() == before
    assert (
        AuditEvent.objects.filter(
            operation="customer_invitation.create", outcome=Outcome.REFUSED
        ).count()
        == 4
    )


@pytest.mark.rule("MV-7")
@pytest.mark.rule("PV-3")
def test_mv7_link_for_another_customer_tampered_or_used_changes_nothing(client, w):
    """MV-7/PV-3: only the named customer's admins may accept, once; a tampered link is a
    clear page; each refusal leaves the relationships as they were."""
    invitation = drafts.customer_invitation_create(
        actor=w.agent, kind=InvitationKind.DIRECT, domain="adatum.example"
    )
    token = rf.token(links.CUSTOMER, invitation.pk)
    before = w.relationships()
    intruder = f.CustomerAdminFactory()
    with pytest.raises(LinkWrongAudience):
        svc.customer_invitation_accept(actor=intruder, token=token)
    client.force_login(w.admin)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = client.post(
        reverse("customer_invitation_link", args=[tampered]), {"action": "accept"}
    )
    assert response.status_code == 400 and "not valid" in response.content.decode()
    assert w.relationships() == before
    assert not CustomerRelationship.objects.filter(customer=intruder.customer).exists()

    svc.customer_invitation_accept(actor=w.admin, token=token)
    after = w.relationships()
    with pytest.raises(LinkUsed):
        svc.customer_invitation_accept(actor=w.admin, token=token)
    assert client.get(reverse("customer_invitation_link", args=[token])).status_code == 410
    assert w.relationships() == after
    # Once it is a customer again, another New relationship for it is refused.
    with pytest.raises(InvitationRefused, match="already your customer"):
        drafts.customer_invitation_create(
            actor=w.agent, kind=InvitationKind.DIRECT, domain="adatum.example"
        )
