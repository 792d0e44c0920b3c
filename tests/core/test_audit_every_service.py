"""AC-4, generated over the services: every function decorated with `@audit.refusals` (found by
walking the apps, tests/services_index.py) has a recipe that calls it successfully, and that
call must change state and write a success AuditEvent naming the decorator's operation.

A new service without a recipe fails `test_every_service_has_a_recipe` with its name, so the
table can't silently miss one. PENDING lists the services whose recipe is still to be written
(each is covered by its own app's tests, not yet by this generated check); it may only shrink.
"""

import datetime

import pytest

from api import services as api_services
from api.models import ApiToken
from customers import services as customer_services
from customers.catalog import M365_BP
from customers.models import Subscription
from enrollment import services as enrollment_services
from enrollment.models import DirectBillEnrollment, IndirectResellerEnrollment, SupportRequest
from partnerportal.models import AuditEvent, Customer, Outcome, Role
from relationships import links
from relationships.models import CustomerInvitation, GdapRelationship
from relationships.services import gdap as gdap_services
from relationships.services import invitations as invitation_services
from relationships.services import partnerships as partnership_services
from tests import factories as f
from tests.services_index import audited_services
from transfers import services as transfer_services
from transfers.models import TransferRequest

RECIPES = {}

PENDING = {
    "customers.order_requests.order_request_decline",
    "customers.services.license_assign",
    "customers.services.order_request_create",
    "customers.services.order_submit",
    "customers.services.subscription_migrate_to_new_commerce",
    "relationships.services.extension.extension_bulk_start",
    "relationships.services.extension.relationship_extend_many",
    "transfers.services.lifecycle.transfer_cancel",
    "transfers.services.submit.transfer_submit",
}


def recipe(service: str):
    """Register a recipe: it builds what the service needs, calls it, and asserts the state
    changed."""

    def register(func):
        RECIPES[service] = func
        return func

    return register


def _partner_and_admin():
    partner = f.PartnerFactory()
    f.DirectBillEnrollmentFactory(partner=partner)
    admin = f.UserFactory(partner=partner, roles=[Role.GLOBAL_ADMIN, Role.ADMIN_AGENT])
    return partner, admin


def _customer_of(partner):
    customer = f.CustomerFactory()
    f.RelationshipFactory(customer=customer, partner=partner)
    return customer


@recipe("api.services.token_create")
def _token_create():
    _partner, admin = _partner_and_admin()
    token, _raw = api_services.token_create(actor=admin, name="ci")
    assert ApiToken.objects.filter(pk=token.pk).exists()


@recipe("api.services.token_revoke")
def _token_revoke():
    _partner, admin = _partner_and_admin()
    token, _raw = api_services.token_create(actor=admin, name="ci")
    api_services.token_revoke(actor=admin, token=token)
    token.refresh_from_db()
    assert token.revoked_at is not None


@recipe("customers.services.customer_create")
def _customer_create():
    _partner, admin = _partner_and_admin()
    customer = customer_services.customer_create(
        actor=admin, company_name="Audited Ltd", domain="audited-ltd", email="it@audited.example"
    )
    assert Customer.objects.filter(pk=customer.pk).exists()


@recipe("customers.services.service_request_create")
def _service_request_create():
    partner, admin = _partner_and_admin()
    request = customer_services.service_request_create(
        actor=admin, customer=_customer_of(partner), title="Broken", description="Help"
    )
    assert request.pk is not None


@recipe("customers.services.service_request_close")
def _service_request_close():
    partner, admin = _partner_and_admin()
    request = customer_services.service_request_create(
        actor=admin, customer=_customer_of(partner), title="Broken", description="Help"
    )
    customer_services.service_request_close(actor=admin, service_request=request)
    request.refresh_from_db()
    assert request.status == "closed"


@recipe("customers.services.customer_user_create")
def _customer_user_create():
    partner, admin = _partner_and_admin()
    customer = _customer_of(partner)
    f.ActiveGdapFactory(partner=partner, customer=customer, roles=["user_administrator"])
    user = customer_services.customer_user_create(
        actor=admin,
        customer=customer,
        display_name="New User",
        email=f"new@{customer.tenant.domain}",
    )
    assert user.pk is not None


@recipe("customers.services.subscription_suspend")
def _subscription_suspend():
    partner, admin = _partner_and_admin()
    sub = f.SubscriptionFactory(customer=_customer_of(partner), billing_partner=partner)
    customer_services.subscription_suspend(actor=admin, subscription=sub)
    sub.refresh_from_db()
    assert sub.status == "suspended"


@recipe("customers.services.subscription_set_auto_renew")
def _subscription_set_auto_renew():
    partner, admin = _partner_and_admin()
    sub = f.SubscriptionFactory(customer=_customer_of(partner), billing_partner=partner)
    enabled = not sub.auto_renew
    customer_services.subscription_set_auto_renew(actor=admin, subscription=sub, enabled=enabled)
    sub.refresh_from_db()
    assert sub.auto_renew is enabled


@recipe("customers.services.mca_attest")
def _mca_attest():
    partner, admin = _partner_and_admin()
    customer = _customer_of(partner)
    customer_services.mca_attest(
        actor=admin,
        customer=customer,
        signatory_name="Pat Signer",
        signatory_email=f"pat@{customer.tenant.domain}",
        accepted_on=datetime.date.today() - datetime.timedelta(days=1),
    )
    assert customer.mca_acceptances.exists()


@recipe("enrollment.services.partner_profile_confirm")
def _partner_profile_confirm():
    partner, admin = _partner_and_admin()
    partner.profile_confirmed_on = None
    partner.save(update_fields=["profile_confirmed_on"])
    enrollment_services.partner_profile_confirm(actor=admin, partner=partner)
    partner.refresh_from_db()
    assert partner.profile_confirmed_on is not None


@recipe("enrollment.services.sandbox_create")
def _sandbox_create():
    partner, admin = _partner_and_admin()
    sandbox = enrollment_services.sandbox_create(actor=admin, partner=partner)
    assert sandbox.pk is not None


@recipe("enrollment.services.support_request_create")
def _support_request_create():
    partner, admin = _partner_and_admin()
    enrollment_services.support_request_create(
        actor=admin, partner=partner, topic="other", message="Please call"
    )
    assert SupportRequest.objects.filter(partner=partner).exists()


@recipe("enrollment.services.support_request_close")
def _support_request_close():
    partner, _admin = _partner_and_admin()
    request = f.SupportRequestFactory(partner=partner)
    enrollment_services.support_request_close(
        actor=f.StaffFactory(), request_id=request.pk, resolution="Done"
    )
    request.refresh_from_db()
    assert request.status == "closed"


@recipe("enrollment.services.direct_bill_restrict")
def _direct_bill_restrict():
    partner, _admin = _partner_and_admin()
    enrollment_services.direct_bill_restrict(actor=f.StaffFactory(), partner=partner, reason="x")
    assert DirectBillEnrollment.objects.get(partner=partner).status == "restricted"


@recipe("relationships.services.invitations.invitation_create")
def _invitation_create():
    _partner, admin = _partner_and_admin()
    invitation = invitation_services.invitation_create(actor=admin, kind="direct")
    assert CustomerInvitation.objects.filter(pk=invitation.pk).exists()


@recipe("relationships.services.invitations.invitation_cancel")
def _invitation_cancel():
    _partner, admin = _partner_and_admin()
    invitation = invitation_services.invitation_create(actor=admin, kind="direct")
    invitation_services.invitation_cancel(actor=admin, invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.status == "cancelled"


@recipe("relationships.services.gdap.gdap_request")
def _gdap_request():
    partner, admin = _partner_and_admin()
    gdap = gdap_services.gdap_request(
        actor=admin, customer=_customer_of(partner), roles=["directory_readers"], duration_days=30
    )
    assert GdapRelationship.objects.filter(pk=gdap.pk, status="pending").exists()


@recipe("relationships.services.gdap.gdap_terminate")
def _gdap_terminate():
    partner, admin = _partner_and_admin()
    gdap = f.ActiveGdapFactory(partner=partner, customer=_customer_of(partner))
    gdap_services.gdap_terminate(actor=admin, gdap=gdap)
    gdap.refresh_from_db()
    assert gdap.status == "terminated"


@recipe("transfers.services.create.transfer_create")
def _transfer_create():
    partner, admin = _partner_and_admin()
    customer = _customer_of(partner)
    source = f.PartnerFactory()
    f.DirectBillEnrollmentFactory(partner=source)
    f.RelationshipFactory(customer=customer, partner=source)
    f.SubscriptionFactory(customer=customer, billing_partner=source)
    f.McaAcceptanceFactory(customer=customer)
    transfer = transfer_services.transfer_create(
        actor=admin,
        customer=customer,
        source_partner_id=source.partner_id,
        customer_email=customer.email,
    )
    assert TransferRequest.objects.filter(pk=transfer.pk).exists()


@recipe("transfers.services.orphans.subscription_end_orphan")
def _subscription_end_orphan():
    partner, admin = _partner_and_admin()
    customer = _customer_of(partner)
    other = f.PartnerFactory()
    base = f.SubscriptionFactory(customer=customer, billing_partner=other)
    orphan = f.SubscriptionFactory(customer=customer, billing_partner=partner, parent=base)
    transfer_services.subscription_end_orphan(actor=admin, subscription=orphan.pk)
    assert Subscription.objects.get(pk=orphan.pk).status == "deleted"


@recipe("customers.services.subscription_purchase")
def _subscription_purchase():
    partner, admin = _partner_and_admin()
    customer = _customer_of(partner)
    f.McaAcceptanceFactory(customer=customer)
    sub = customer_services.subscription_purchase(
        actor=admin, customer=customer, offer_id=M365_BP, quantity=2
    )
    assert Subscription.objects.get(pk=sub.pk).billing_partner == partner


@recipe("customers.services.subscription_change_quantity")
def _subscription_change_quantity():
    partner, admin = _partner_and_admin()
    sub = f.SubscriptionFactory(customer=_customer_of(partner), billing_partner=partner)
    customer_services.subscription_change_quantity(actor=admin, subscription=sub, quantity=12)
    assert Subscription.objects.get(pk=sub.pk).quantity == 12


@recipe("customers.services.subscription_reactivate")
def _subscription_reactivate():
    partner, admin = _partner_and_admin()
    sub = f.SubscriptionFactory(
        customer=_customer_of(partner), billing_partner=partner, status="suspended"
    )
    customer_services.subscription_reactivate(actor=admin, subscription=sub)
    assert Subscription.objects.get(pk=sub.pk).status == "active"


@recipe("customers.services.mca_accept_in_admin_center")
def _mca_accept_in_admin_center():
    partner, _admin = _partner_and_admin()
    customer_admin = f.CustomerAdminFactory(customer=_customer_of(partner))
    customer_services.mca_accept_in_admin_center(
        actor=customer_admin, signatory_name="Ada", signatory_email=customer_admin.email
    )
    assert customer_admin.customer.mca_acceptances.exists()


@recipe("enrollment.services.direct_bill_reactivate")
def _direct_bill_reactivate():
    partner, _admin = _partner_and_admin()
    staff = f.StaffFactory()
    enrollment_services.direct_bill_restrict(actor=staff, partner=partner, reason="x")
    enrollment_services.direct_bill_reactivate(actor=staff, partner=partner, reason="Back")
    assert DirectBillEnrollment.objects.get(partner=partner).status == "active"


@recipe("enrollment.services.direct_bill_close")
def _direct_bill_close():
    partner, admin = _partner_and_admin()
    enrollment_services.direct_bill_close(actor=admin, partner=partner, reason="Moving on")
    assert DirectBillEnrollment.objects.get(partner=partner).status == "closed"


@recipe("enrollment.services.direct_bill_apply")
def _direct_bill_apply():
    partner = f.PartnerFactory(revenue_12m_usd=1_500_000)
    admin = f.UserFactory(partner=partner, roles=[Role.GLOBAL_ADMIN])
    application = enrollment_services.direct_bill_apply(actor=admin, partner=partner)
    assert application.pk is not None


@recipe("enrollment.services.direct_bill_application_approve")
def _direct_bill_application_approve():
    application = f.DirectBillApplicationFactory()
    enrollment_services.direct_bill_application_approve(
        actor=f.StaffFactory(), application_id=application.pk
    )
    assert DirectBillEnrollment.objects.get(partner=application.partner).status == "active"


@recipe("enrollment.services.direct_bill_application_reject")
def _direct_bill_application_reject():
    application = f.DirectBillApplicationFactory()
    enrollment_services.direct_bill_application_reject(
        actor=f.StaffFactory(), application_id=application.pk, reason="Too small"
    )
    application.refresh_from_db()
    assert application.status == "rejected"


@recipe("enrollment.services.indirect_enrollment_submit")
def _indirect_enrollment_submit():
    partner = f.PartnerFactory()
    admin = f.UserFactory(partner=partner, roles=[Role.GLOBAL_ADMIN])
    enrollment_services.indirect_enrollment_submit(
        actor=admin,
        partner=partner,
        legal_name=partner.legal_name,
        primary_contact_email="form@audited.example",
    )
    assert IndirectResellerEnrollment.objects.filter(partner=partner).exists()


@recipe("enrollment.services.indirect_enrollment_approve")
def _indirect_enrollment_approve():
    enrollment = f.IndirectEnrollmentFactory(
        status="submitted", decided_at=None, agreement_accepted_at=None
    )
    enrollment_services.indirect_enrollment_approve(
        actor=f.StaffFactory(), enrollment_id=enrollment.pk
    )
    enrollment.refresh_from_db()
    assert enrollment.status == "approved"


@recipe("enrollment.services.indirect_enrollment_reject")
def _indirect_enrollment_reject():
    enrollment = f.IndirectEnrollmentFactory(
        status="submitted", decided_at=None, agreement_accepted_at=None
    )
    enrollment_services.indirect_enrollment_reject(
        actor=f.StaffFactory(), enrollment_id=enrollment.pk, reason="Incomplete"
    )
    enrollment.refresh_from_db()
    assert enrollment.status == "rejected"


@recipe("enrollment.services.indirect_agreement_accept")
def _indirect_agreement_accept():
    enrollment = f.IndirectEnrollmentFactory(status="approved", agreement_accepted_at=None)
    admin = f.UserFactory(partner=enrollment.partner, roles=[Role.GLOBAL_ADMIN])
    enrollment_services.indirect_agreement_accept(actor=admin, partner=enrollment.partner)
    enrollment.refresh_from_db()
    assert enrollment.status == "active"


@recipe("enrollment.services.partner_profile_update")
def _partner_profile_update():
    partner, admin = _partner_and_admin()
    enrollment_services.partner_profile_update(
        actor=admin,
        partner=partner,
        legal_name="Renamed Ltd",
        partner_id=partner.partner_id,
        country=partner.country,
        primary_contact_email=partner.primary_contact_email,
    )
    partner.refresh_from_db()
    assert partner.legal_name == "Renamed Ltd"


@recipe("relationships.services.gdap.gdap_approve")
def _gdap_approve():
    partner, _admin = _partner_and_admin()
    gdap = f.GdapFactory(partner=partner, customer=_customer_of(partner))
    gdap_services.gdap_approve(actor=f.CustomerAdminFactory(customer=gdap.customer), gdap=gdap)
    gdap.refresh_from_db()
    assert gdap.status == "active"


@recipe("relationships.services.gdap.gdap_reject")
def _gdap_reject():
    partner, _admin = _partner_and_admin()
    gdap = f.GdapFactory(partner=partner, customer=_customer_of(partner))
    gdap_services.gdap_reject(actor=f.CustomerAdminFactory(customer=gdap.customer), gdap=gdap)
    gdap.refresh_from_db()
    assert gdap.status == "rejected"


@recipe("relationships.services.invitations.invitation_update_message")
def _invitation_update_message():
    _partner, admin = _partner_and_admin()
    invitation = invitation_services.invitation_create(actor=admin, kind="direct")
    message = f"Welcome aboard. {invitation.message}"  # it keeps the personal link
    invitation_services.invitation_update_message(
        actor=admin, invitation=invitation, message=message
    )
    invitation.refresh_from_db()
    assert invitation.message == message


@recipe("relationships.services.invitations.invitation_send")
def _invitation_send():
    _partner, admin = _partner_and_admin()
    invitation = invitation_services.invitation_create(actor=admin, kind="direct")
    invitation_services.invitation_send(actor=admin, invitation=invitation, to="it@c.example")
    invitation.refresh_from_db()
    assert invitation.sent_to == ["it@c.example"]


@recipe("relationships.services.invitations.invitation_done")
def _invitation_done():
    _partner, admin = _partner_and_admin()
    invitation = invitation_services.invitation_create(actor=admin, kind="direct")
    invitation_services.invitation_done(actor=admin, invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def _sent_invitation():
    partner, admin = _partner_and_admin()
    invitation = invitation_services.invitation_create(actor=admin, kind="direct")
    invitation_services.invitation_done(actor=admin, invitation=invitation)
    return invitation, f.CustomerAdminFactory(), links.make_token(links.CUSTOMER, invitation.pk)


@recipe("relationships.services.invitations.invitation_accept")
def _invitation_accept():
    invitation, customer_admin, token = _sent_invitation()
    invitation_services.invitation_accept(actor=customer_admin, token=token)
    invitation.refresh_from_db()
    assert invitation.status == "accepted"


@recipe("relationships.services.invitations.invitation_decline")
def _invitation_decline():
    invitation, customer_admin, token = _sent_invitation()
    invitation_services.invitation_decline(actor=customer_admin, token=token)
    invitation.refresh_from_db()
    assert invitation.status == "declined"


def _provider_admin():
    provider = f.ProviderFactory()
    f.DirectBillEnrollmentFactory(partner=provider)
    return provider, f.UserFactory(partner=provider, roles=[Role.GLOBAL_ADMIN, Role.ADMIN_AGENT])


def _reseller():
    reseller = f.PartnerFactory()
    f.IndirectEnrollmentFactory(partner=reseller)
    return reseller


@recipe("relationships.services.partnerships.partnership_invite")
def _partnership_invite():
    _provider, provider_admin = _provider_admin()
    reseller = _reseller()
    partnership = partnership_services.partnership_invite(
        actor=provider_admin, partner_id=reseller.partner_id
    )
    assert partnership.status == "invited"


@recipe("relationships.services.partnerships.partnership_accept")
def _partnership_accept():
    provider, _provider_admin_user = _provider_admin()
    reseller = _reseller()
    partnership = f.PartnershipFactory(
        provider=provider, reseller=reseller, status="invited", accepted_at=None
    )
    partnership_services.partnership_accept(
        actor=f.UserFactory(partner=reseller, roles=[Role.GLOBAL_ADMIN]),
        token=links.make_token(links.PARTNERSHIP, partnership.pk),
    )
    partnership.refresh_from_db()
    assert partnership.status == "accepted"


@recipe("relationships.services.partnerships.partnership_revoke")
def _partnership_revoke():
    provider, provider_admin = _provider_admin()
    partnership = f.PartnershipFactory(
        provider=provider, reseller=_reseller(), status="invited", accepted_at=None
    )
    partnership_services.partnership_revoke(actor=provider_admin, partnership=partnership)
    partnership.refresh_from_db()
    assert partnership.status == "revoked"


SERVICES = audited_services()


@pytest.mark.rule("AC-4")
def test_every_service_has_a_recipe():
    """AC-4: a service without a recipe (and not in PENDING) fails here, by name."""
    missing = sorted(set(SERVICES) - set(RECIPES) - PENDING)
    assert not missing, f"add an AC-4 recipe to {__name__} for: {missing}"
    stale = sorted((set(RECIPES) | PENDING) - set(SERVICES))
    assert not stale, f"these are no longer services; drop them: {stale}"
    assert not set(RECIPES) & PENDING, "a service with a recipe is no longer PENDING"


@pytest.mark.rule("AC-4")
@pytest.mark.parametrize("service", sorted(RECIPES))
def test_ac4_service_state_change_writes_its_audit_event(db, service):
    """AC-4: the successful call changes state and records a success event of its operation."""
    operation = SERVICES[service]
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    RECIPES[service]()
    events = AuditEvent.objects.filter(pk__gt=before, operation=operation)
    written = list(AuditEvent.objects.filter(pk__gt=before).values_list("operation", "outcome"))
    assert events.filter(outcome=Outcome.SUCCESS).exists(), (
        f"{service} changed state without a success audit event {operation!r}; wrote {written}"
    )
    assert not events.exclude(outcome=Outcome.SUCCESS).exists()
