"""Reseller relationship extension: MV-1..MV-6 and MCA-3 around it, service and pages."""

from datetime import timedelta

import pytest
from django.core import mail
from django.http import Http404
from django.urls import reverse

from core import clock
from core.exceptions import RoleRequired
from core.models import (
    AuditEvent,
    CustomerRelationship,
    Notification,
    RelationshipKind,
    RelationshipOrigin,
    Role,
)
from core.roles import customer_for, customers_of
from core.services import clock_advance
from customers.mca import mca_valid_for
from customers.models import McaMethod
from relationships.exceptions import (
    ExtensionAlreadyExists,
    ExtensionBillToNotConfirmed,
    ExtensionConsentInFuture,
    ExtensionConsentMissing,
    ExtensionCustomerNotDirect,
    ExtensionEnrollmentRequired,
    ExtensionProviderNotAccepted,
)
from relationships.models import PartnershipStatus, RelationshipExtension
from relationships.services.extension import relationship_extend
from tests import factories as f

pytestmark = pytest.mark.django_db


class World:
    """A transitioning direct-bill partner with an Admin agent, an accepted provider and a
    direct-bill customer."""

    def __init__(self):
        self.reseller = f.PartnerFactory(legal_name="Contoso Test")
        f.DirectBillEnrollmentFactory(partner=self.reseller, status="restricted")
        f.IndirectEnrollmentFactory(partner=self.reseller)
        self.agent = f.UserFactory(partner=self.reseller, roles=[Role.ADMIN_AGENT])
        self.provider = f.ProviderFactory(legal_name="Fabrikam Test")
        self.provider_admin = f.UserFactory(
            partner=self.provider, roles=[Role.GLOBAL_ADMIN, Role.ADMIN_AGENT]
        )
        f.PartnershipFactory(provider=self.provider, reseller=self.reseller)
        self.customer = f.CustomerFactory(company_name="Adatum Test", contact_name="Ada IT")
        f.RelationshipFactory(customer=self.customer, partner=self.reseller)

    def kwargs(self, **over):
        base = {
            "actor": self.agent,
            "customer": self.customer,
            "provider": self.provider,
            "consent_given_by": "Ada Lovelace, CIO",
            "consent_given_on": clock.today(),
            "consent_method": "Signed letter by email",
            "bill_to_sharing_confirmed": True,
        }
        return {**base, **over}


@pytest.fixture
def world():
    return World()


def snapshot():
    return (
        RelationshipExtension.objects.count(),
        CustomerRelationship.objects.count(),
        Notification.objects.count(),
        AuditEvent.objects.filter(outcome="success").count(),
    )


def provider_relationship(w):
    return CustomerRelationship.objects.filter(customer=w.customer, partner=w.provider).first()


# --- the allowed path -----------------------------------------------------------------------


@pytest.mark.rule("MV-2")
@pytest.mark.rule("MV-4")
@pytest.mark.rule("MV-5")
def test_mv2_mv4_mv5_extension_creates_provider_relationship_without_admin_and_bill_to(
    world, django_capture_on_commit_callbacks
):
    """MV-2/MV-4/MV-5: an Admin agent of an enrolled partner extends a direct-bill customer to
    an accepted provider: the provider gets a relationship with the bill-to copy and no admin
    privileges, the consent is recorded, the provider's admins are told, the audit names the
    customer."""
    with django_capture_on_commit_callbacks(execute=True):
        extension = relationship_extend(**world.kwargs())
    assert extension.reseller == world.reseller and extension.provider == world.provider
    assert extension.consent_given_by == "Ada Lovelace, CIO"
    assert extension.consent_method == "Signed letter by email"
    assert extension.bill_to_sharing_confirmed is True
    rel = provider_relationship(world)
    assert rel.kind == RelationshipKind.INDIRECT_PROVIDER
    assert rel.origin == RelationshipOrigin.EXTENSION
    assert rel.reseller == world.reseller
    assert rel.has_admin_privileges is False
    assert rel.bill_to_copy == world.customer.bill_to()
    assert rel.bill_to_copy["companyName"] == "Adatum Test"
    # The direct relationship stays.
    assert (
        CustomerRelationship.objects.active()
        .filter(customer=world.customer, partner=world.reseller, kind="direct")
        .exists()
    )
    events = AuditEvent.objects.filter(operation="relationship.extend", outcome="success")
    assert {e.partner for e in events} == {world.reseller, world.provider}
    assert all(e.customer == world.customer for e in events)
    assert Notification.objects.filter(user=world.provider_admin).count() == 1
    assert any(world.provider_admin.email in m.to for m in mail.outbox)
    assert "Adatum Test" in mail.outbox[-1].body


@pytest.mark.rule("MV-6")
def test_mv6_provider_appears_on_customers_partner_relationships(world, client):
    """MV-6: after the extension the provider appears as a partner of the customer."""
    admin = f.CustomerAdminFactory(customer=world.customer)
    client.force_login(admin)
    assert "Fabrikam Test" not in client.get(reverse("home")).content.decode()
    relationship_extend(**world.kwargs())
    page = client.get(reverse("home")).content.decode()
    assert "Fabrikam Test" in page and "Indirect provider" in page
    assert "for Contoso Test" in page
    page = client.get(reverse("partner_relationships")).content.decode()
    assert "Fabrikam Test" in page


@pytest.mark.rule("MV-1")
def test_mv1_provider_can_order_only_after_the_extension(world):
    """MV-1: the provider's order for the customer is refused before the extension and
    accepted after it (through the customers app's ordering service)."""
    from customers.catalog import OFFERS
    from customers.exceptions import NoProviderRelationship
    from customers.models import Subscription
    from customers.services import order_submit

    offer_id = next(o.offer_id for o in OFFERS.values() if not o.is_add_on)
    with pytest.raises(NoProviderRelationship) as info:
        order_submit(
            actor=world.provider_admin, customer=world.customer, offer_id=offer_id, quantity=2
        )
    assert info.value.rule == "MV-1"
    assert not Subscription.objects.filter(customer=world.customer).exists()
    relationship_extend(**world.kwargs())
    order_submit(actor=world.provider_admin, customer=world.customer, offer_id=offer_id, quantity=2)
    sub = Subscription.objects.get(customer=world.customer)
    assert sub.billing_partner == world.provider and sub.partner_of_record == world.reseller


@pytest.mark.rule("MV-1")
def test_mv1_provider_can_reach_customer_only_after_extension(world):
    """MV-1: before the relationship exists the provider cannot act for the customer (the
    customer is "not found" for it, so no order can be placed); afterwards it can.
    Proved against core.roles.customer_for, the gate every ordering page uses."""
    with pytest.raises(Http404):
        customer_for(world.provider, world.customer.pk)
    assert world.customer not in customers_of(world.provider)
    relationship_extend(**world.kwargs())
    assert customer_for(world.provider, world.customer.pk) == world.customer
    assert world.customer in customers_of(world.provider)


# --- refusals: nothing changes ---------------------------------------------------------------


def assert_refused(world, exc_class, message_part, **over):
    before = snapshot()
    with pytest.raises(exc_class) as info:
        relationship_extend(**world.kwargs(**over))
    assert message_part in str(info.value)
    assert snapshot() == before
    assert provider_relationship(world) is None
    refused = AuditEvent.objects.filter(operation="relationship.extend", outcome="refused").last()
    assert refused is not None and info.value.code in refused.detail
    return info.value


@pytest.mark.rule("AC-1")
@pytest.mark.rule("MV-2")
@pytest.mark.parametrize("roles", [[Role.SALES_AGENT], [Role.BILLING_ADMIN]])
def test_mv2_only_admin_agent_may_extend(world, roles):
    """MV-2/AC-1: only an Admin agent (or a Global admin, who has its permissions) may extend."""
    other = f.UserFactory(partner=world.reseller, roles=roles)
    error = assert_refused(world, RoleRequired, "Admin agent", actor=other)
    assert error.code == "role_required"


@pytest.mark.rule("MV-2")
def test_mv2_partner_without_completed_indirect_enrollment_is_refused(world):
    """MV-2: the partner must have completed indirect reseller enrollment (EN-7)."""
    from enrollment.models import IndirectResellerEnrollment

    IndirectResellerEnrollment.objects.filter(partner=world.reseller).delete()
    error = assert_refused(world, ExtensionEnrollmentRequired, "indirect reseller enrollment")
    assert error.code == "extension_indirect_enrollment_required" and error.rule == "MV-2"


@pytest.mark.rule("MV-2")
def test_mv2_approved_but_agreement_not_accepted_is_refused(world):
    """MV-2: an enrollment approved but whose agreement is not accepted is not complete."""
    from enrollment.models import IndirectResellerEnrollment

    IndirectResellerEnrollment.objects.filter(partner=world.reseller).delete()
    f.IndirectEnrollmentFactory(partner=world.reseller, status="approved")
    assert_refused(world, ExtensionEnrollmentRequired, "accept the indirect reseller agreement")


@pytest.mark.rule("MV-2")
def test_mv2_indirect_customer_is_refused(world):
    """MV-2: an indirect reseller customer cannot be extended."""
    indirect = f.CustomerFactory(company_name="Indirect Co")
    f.RelationshipFactory(
        customer=indirect,
        partner=world.reseller,
        kind=RelationshipKind.INDIRECT_RESELLER,
        origin=RelationshipOrigin.INVITATION,
        has_admin_privileges=False,
    )
    error = assert_refused(
        world,
        ExtensionCustomerNotDirect,
        "Indirect Co is not one of your direct-bill customers",
        customer=indirect,
    )
    assert error.code == "extension_customer_not_direct"
    assert not CustomerRelationship.objects.filter(customer=indirect, partner=world.provider)


@pytest.mark.rule("MV-2")
def test_mv2_customer_of_another_partner_is_refused(world):
    """MV-2/AC-2: a customer the partner has no relationship with is refused."""
    stranger = f.CustomerFactory(company_name="Stranger Co")
    f.RelationshipFactory(customer=stranger)
    assert_refused(world, ExtensionCustomerNotDirect, "Stranger Co", customer=stranger)


@pytest.mark.rule("MV-2")
@pytest.mark.parametrize(
    "status", [PartnershipStatus.INVITED, PartnershipStatus.REVOKED, PartnershipStatus.ENDED]
)
def test_mv2_provider_without_accepted_partnership_is_refused(world, status):
    """MV-2: only toward a provider whose partnership invitation the partner accepted."""
    other = f.ProviderFactory(legal_name="Northwind Test")
    f.PartnershipFactory(provider=other, reseller=world.reseller, status=status)
    error = assert_refused(
        world,
        ExtensionProviderNotAccepted,
        "haven't accepted a partnership invitation from Northwind Test",
        provider=other,
    )
    assert error.code == "extension_provider_not_accepted"


@pytest.mark.rule("MV-2")
def test_mv2_provider_with_no_partnership_at_all_is_refused(world):
    assert_refused(world, ExtensionProviderNotAccepted, "accepted", provider=f.ProviderFactory())


@pytest.mark.rule("MV-2")
def test_mv2_a_non_provider_partner_is_refused(world):
    assert_refused(world, ExtensionProviderNotAccepted, "accepted", provider=f.PartnerFactory())


@pytest.mark.rule("MV-3")
@pytest.mark.parametrize(
    "over",
    [
        {"consent_given_by": ""},
        {"consent_given_by": "   "},
        {"consent_method": ""},
        {"consent_given_on": None},
    ],
)
def test_mv3_missing_consent_is_refused(world, over):
    """MV-3: without the consent record (who, when, how) the extension is refused."""
    error = assert_refused(world, ExtensionConsentMissing, "consent", **over)
    assert error.code == "extension_consent_missing" and error.rule == "MV-3"


@pytest.mark.rule("MV-3")
def test_mv3_consent_dated_in_the_future_is_refused(world):
    """MV-3: the consent date cannot be after today by the simulation clock."""
    error = assert_refused(
        world,
        ExtensionConsentInFuture,
        "can't be in the future",
        consent_given_on=clock.today() + timedelta(days=1),
    )
    assert error.code == "extension_consent_in_future"


@pytest.mark.rule("MV-3")
def test_mv3_consent_date_follows_the_simulation_clock(world, staff):
    """MV-3: a date tomorrow in real time is accepted once the simulation clock passed it."""
    tomorrow = clock.today() + timedelta(days=1)
    clock_advance(actor=staff, delta=timedelta(days=2))
    extension = relationship_extend(**world.kwargs(consent_given_on=tomorrow))
    assert extension.consent_given_on == tomorrow


@pytest.mark.rule("MV-4")
@pytest.mark.parametrize("value", [False, None, "yes"])
def test_mv4_bill_to_sharing_must_be_confirmed(world, value):
    """MV-4: the partner must consent to sharing the bill-to information."""
    error = assert_refused(
        world, ExtensionBillToNotConfirmed, "bill-to", bill_to_sharing_confirmed=value
    )
    assert error.code == "extension_bill_to_not_confirmed" and error.rule == "MV-4"


@pytest.mark.rule("MV-2")
def test_extending_twice_to_the_same_provider_is_refused_clearly(world):
    """Idempotent: a second extension to the same provider changes nothing."""
    relationship_extend(**world.kwargs())
    before = snapshot()
    with pytest.raises(ExtensionAlreadyExists) as info:
        relationship_extend(**world.kwargs())
    assert str(info.value) == "Adatum Test already has a relationship with Fabrikam Test."
    assert info.value.code == "extension_already_exists"
    assert snapshot() == before


@pytest.mark.rule("MV-2")
def test_provider_already_serving_the_customer_by_invitation_is_refused(world):
    f.RelationshipFactory(
        customer=world.customer,
        partner=world.provider,
        kind=RelationshipKind.INDIRECT_PROVIDER,
        origin=RelationshipOrigin.INVITATION,
        reseller=world.reseller,
        has_admin_privileges=False,
    )
    with pytest.raises(ExtensionAlreadyExists):
        relationship_extend(**world.kwargs())
    assert not RelationshipExtension.objects.exists()


def test_extension_to_a_second_provider_is_allowed(world):
    second = f.ProviderFactory(legal_name="Second Provider")
    f.PartnershipFactory(provider=second, reseller=world.reseller)
    relationship_extend(**world.kwargs())
    relationship_extend(**world.kwargs(provider=second))
    assert CustomerRelationship.objects.filter(customer=world.customer).count() == 3


# --- MCA-3 around the extension ---------------------------------------------------------------


@pytest.mark.rule("MCA-3")
def test_mca3_attestation_by_direct_bill_partner_is_not_valid_for_provider(world):
    """MCA-3: an attestation by the direct-bill partner is not retained for the provider after
    the extension; the provider must attest again."""
    f.McaAcceptanceFactory(
        customer=world.customer, method=McaMethod.ATTESTATION, partner=world.reseller
    )
    assert mca_valid_for(customer=world.customer, partner=world.reseller)
    extension = relationship_extend(**world.kwargs())
    assert extension.mca_valid_for_provider is False
    assert not mca_valid_for(customer=world.customer, partner=world.provider)
    # still the partner's own attestation
    assert mca_valid_for(customer=world.customer, partner=world.reseller)
    event = AuditEvent.objects.get(
        operation="relationship.extend", partner=world.reseller, outcome="success"
    )
    assert "MCA not valid for the provider" in event.detail
    # The provider attests itself: now valid for it.
    f.McaAcceptanceFactory(
        customer=world.customer, method=McaMethod.ATTESTATION, partner=world.provider
    )
    assert mca_valid_for(customer=world.customer, partner=world.provider)


@pytest.mark.rule("MCA-3")
def test_mca3_admin_center_acceptance_is_kept_for_provider(world):
    """MCA-3: an acceptance in the admin center holds for the provider after the extension."""
    f.McaAcceptanceFactory(customer=world.customer, method=McaMethod.ADMIN_CENTER)
    extension = relationship_extend(**world.kwargs())
    assert extension.mca_valid_for_provider is True
    assert mca_valid_for(customer=world.customer, partner=world.provider)


@pytest.mark.rule("MCA-3")
def test_mca3_page_warns_that_attestation_is_not_retained(world, client):
    f.McaAcceptanceFactory(
        customer=world.customer, method=McaMethod.ATTESTATION, partner=world.reseller
    )
    client.force_login(world.agent)
    url = reverse("relationship_extend", args=[world.customer.pk])
    page = client.get(url).content.decode()
    assert "MCA must be attested again or accepted by the customer" in page
    response = client.post(url, form_data(world), follow=True)
    assert "your attestation isn&#x27;t retained" in response.content.decode()


# --- pages ------------------------------------------------------------------------------------


def form_data(world, **over):
    data = {
        "provider": world.provider.pk,
        "consent_given_by": "Ada Lovelace, CIO",
        "consent_given_on": clock.today().isoformat(),
        "consent_method": "Phone call on Monday",
        "bill_to_sharing_confirmed": "on",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.rule("MV-2")
@pytest.mark.rule("MV-5")
def test_page_extends_customer_and_shows_summary(world, client):
    client.force_login(world.agent)
    url = reverse("relationship_extend", args=[world.customer.pk])
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert (
        "The provider gets no admin privileges; if it needs GDAP, send an indirect reseller "
        "invitation instead" in html
    )
    assert "Fabrikam Test" in html and "1 Main Street" in html
    response = client.post(url, form_data(world))
    assert response.status_code == 302 and response.url == url
    assert provider_relationship(world).has_admin_privileges is False
    html = client.get(url).content.decode()
    assert "now has a reseller relationship with Adatum Test" in html
    assert "Extension" in html


@pytest.mark.rule("MV-2")
def test_page_offers_only_accepted_providers(world, client):
    invited = f.ProviderFactory(legal_name="Invited Only")
    f.PartnershipFactory(provider=invited, reseller=world.reseller, status="invited")
    client.force_login(world.agent)
    url = reverse("relationship_extend", args=[world.customer.pk])
    assert "Invited Only" not in client.get(url).content.decode()
    response = client.post(url, form_data(world, provider=invited.pk))
    assert response.status_code == 200
    assert "Choose one of the providers whose invitation you accepted" in response.content.decode()
    assert not RelationshipExtension.objects.exists()


@pytest.mark.rule("MV-3")
@pytest.mark.rule("MV-4")
@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"bill_to_sharing_confirmed": None}, "Confirm that you consent to share"),
        ({"consent_given_on": "2999-01-01"}, "can&#x27;t be in the future"),
        ({"consent_given_by": ""}, "This field is required"),
        ({"consent_given_on": "not-a-date"}, "Enter a valid date"),
    ],
)
def test_page_refusals_show_reason_and_change_nothing(world, client, over, message):
    client.force_login(world.agent)
    url = reverse("relationship_extend", args=[world.customer.pk])
    response = client.post(url, form_data(world, **over))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not RelationshipExtension.objects.exists() and provider_relationship(world) is None


@pytest.mark.rule("MV-2")
def test_page_for_indirect_customer_explains_and_refuses(world, client):
    indirect = f.CustomerFactory(company_name="Indirect Co")
    f.RelationshipFactory(
        customer=indirect,
        partner=world.reseller,
        kind=RelationshipKind.INDIRECT_RESELLER,
        origin=RelationshipOrigin.INVITATION,
    )
    client.force_login(world.agent)
    url = reverse("relationship_extend", args=[indirect.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="extension-blockers"' in page
    assert 'data-testid="extension-not-offered"' in page  # no button for what is refused
    response = client.post(url, form_data(world))
    assert "not one of your direct-bill customers" in response.content.decode()
    assert not RelationshipExtension.objects.exists()


@pytest.mark.rule("MV-2")
def test_page_when_not_enrolled_explains_and_refuses(world, client):
    from enrollment.models import IndirectResellerEnrollment

    IndirectResellerEnrollment.objects.filter(partner=world.reseller).delete()
    client.force_login(world.agent)
    url = reverse("relationship_extend", args=[world.customer.pk])
    html = client.get(url).content.decode()
    assert "complete indirect reseller enrollment" in html
    response = client.post(url, form_data(world))
    assert "complete indirect reseller enrollment" in response.content.decode()
    assert not RelationshipExtension.objects.exists()


@pytest.mark.rule("AC-1")
@pytest.mark.rule("AC-2")
def test_page_roles_and_isolation(world, client):
    url = reverse("relationship_extend", args=[world.customer.pk])
    client.force_login(f.UserFactory(partner=world.reseller, roles=[Role.SALES_AGENT]))
    assert client.get(url).status_code == 403
    assert client.post(url, form_data(world)).status_code == 403
    client.force_login(f.CustomerAdminFactory(customer=world.customer))
    assert client.get(url).status_code == 403
    # Another partner's Admin agent: the customer is not found.
    client.force_login(f.UserFactory(roles=[Role.ADMIN_AGENT]))
    assert client.get(url).status_code == 404
    assert client.post(url, form_data(world)).status_code == 404
    client.force_login(world.agent)
    assert client.get(reverse("relationship_extend", args=[999999])).status_code == 404
    assert client.post(url, {"provider": "abc", "consent_given_on": "x"}).status_code == 200
    assert not RelationshipExtension.objects.exists()
    client.logout()
    assert client.get(url).status_code == 302  # to sign-in
