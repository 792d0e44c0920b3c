"""AC-4, generated over the services: every function decorated with `@audit.refusals` (found by
walking the apps, tests/services_index.py) has a recipe that calls it successfully, and that
call must change state and write a success AuditEvent naming the decorator's operation.

A new service without a recipe fails `test_every_service_has_a_recipe` with its name, so the
table can't silently miss one.
"""

import datetime
import uuid

import pytest

from api import services as api_services
from api.models import ApiToken
from core import clock
from core import services as clock_services
from core.models import (
    AuditEvent,
    BulkJob,
    Customer,
    Outcome,
    Role,
)
from customers import nce_migrations
from customers import services as customer_services
from customers.catalog import M365_BP
from customers.models import NewCommerceMigration, OrderRequest, ProductType, Subscription
from enrollment.models import DirectBillEnrollment, IndirectResellerEnrollment, SupportRequest
from enrollment.services import support_threads
from enrollment.services.application import (
    direct_bill_application_approve,
    direct_bill_application_reject,
    direct_bill_application_submit,
)
from enrollment.services.decision import indirect_enrollment_approve, indirect_enrollment_reject
from enrollment.services.direct_bill import (
    direct_bill_close,
    direct_bill_reactivate,
    direct_bill_restrict,
)
from enrollment.services.indirect import (
    indirect_enrollment_accept_agreement,
    indirect_enrollment_submit,
)
from enrollment.services.profile import partner_profile_confirm, partner_profile_update
from enrollment.services.sandbox import sandbox_create
from enrollment.services.support import support_request_close, support_request_create
from graph import services as graph_services
from graph.models import AccessAssignment, RelationshipRequest
from relationships import links
from relationships.models import CustomerInvitation, GdapRelationship, RelationshipExtension
from relationships.services import extension as extension_services
from relationships.services import extension_bulk as extension_bulk_services
from relationships.services import gdap as gdap_services
from relationships.services import invitation_drafts as invitation_draft_services
from relationships.services import invitations as invitation_services
from relationships.services import partnerships as partnership_services
from tests import factories as f
from tests.services_index import audited_services
from transfers import services as transfer_services
from transfers.models import TransferRequest
from users import services as user_services
from users import tokens as user_tokens
from webhooks import services as webhook_services
from webhooks.models import WebhookDelivery, WebhookRegistration

RECIPES = {}

# A service whose success is recorded under another name than its refusals: submitting moves
# the subscriptions and completes the request at once, audited as "transfer.complete" (and
# "subscription.transfer" per subscription); a refused submission as "transfer.submit".
# A PATCH of a subscription is audited per change, under the operation of the single service
# that makes it (its recipe changes the seats).
SUCCESS_OPERATIONS = {
    "transfers.services.submit.transfer_submit": "transfer.complete",
    "customers.services.subscriptions.subscription_update": "subscription.change_quantity",
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


@recipe("api.services.api_token_create")
def _api_token_create():
    _partner, admin = _partner_and_admin()
    token, _raw = api_services.api_token_create(actor=admin, name="ci")
    assert ApiToken.objects.filter(pk=token.pk).exists()


@recipe("api.services.api_token_revoke")
def _api_token_revoke():
    _partner, admin = _partner_and_admin()
    token, _raw = api_services.api_token_create(actor=admin, name="ci")
    api_services.api_token_revoke(actor=admin, token=token)
    token.refresh_from_db()
    assert token.revoked_at is not None


@recipe("customers.services.customers.customer_create")
def _customer_create():
    _partner, admin = _partner_and_admin()
    customer = customer_services.customer_create(
        actor=admin, company_name="Audited Ltd", domain="audited-ltd", email="it@audited.example"
    )
    assert Customer.objects.filter(pk=customer.pk).exists()


@recipe("customers.services.tenant.service_request_create")
def _service_request_create():
    partner, admin = _partner_and_admin()
    request = customer_services.service_request_create(
        actor=admin, customer=_customer_of(partner), title="Broken", description="Help"
    )
    assert request.pk is not None


@recipe("customers.services.tenant.service_request_close")
def _service_request_close():
    partner, admin = _partner_and_admin()
    request = customer_services.service_request_create(
        actor=admin, customer=_customer_of(partner), title="Broken", description="Help"
    )
    customer_services.service_request_close(actor=admin, service_request=request)
    request.refresh_from_db()
    assert request.status == "closed"


@recipe("customers.services.tenant.customer_user_create")
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


@recipe("customers.services.subscriptions.subscription_suspend")
def _subscription_suspend():
    partner, admin = _partner_and_admin()
    sub = f.SubscriptionFactory(customer=_customer_of(partner), billing_partner=partner)
    customer_services.subscription_suspend(actor=admin, subscription=sub)
    sub.refresh_from_db()
    assert sub.status == "suspended"


@recipe("customers.services.subscriptions.subscription_auto_renew")
def _subscription_set_auto_renew():
    partner, admin = _partner_and_admin()
    sub = f.SubscriptionFactory(customer=_customer_of(partner), billing_partner=partner)
    enabled = not sub.auto_renew
    customer_services.subscription_auto_renew(actor=admin, subscription=sub, enabled=enabled)
    sub.refresh_from_db()
    assert sub.auto_renew is enabled


@recipe("customers.services.subscriptions.subscription_cancel")
def _subscription_cancel():
    partner, admin = _partner_and_admin()
    sub = f.SubscriptionFactory(
        customer=_customer_of(partner), billing_partner=partner, term_started_at=clock.now()
    )
    customer_services.subscription_cancel(actor=admin, subscription=sub)
    sub.refresh_from_db()
    assert sub.status == "deleted"


@recipe("customers.services.subscriptions.subscription_schedule_quantity")
def _subscription_schedule_renewal_quantity():
    partner, admin = _partner_and_admin()
    sub = f.SubscriptionFactory(customer=_customer_of(partner), billing_partner=partner)
    customer_services.subscription_schedule_quantity(
        actor=admin, subscription=sub, quantity=sub.quantity - 1
    )
    sub.refresh_from_db()
    assert sub.renewal_quantity == sub.quantity - 1


@recipe("customers.services.subscriptions.subscription_update")
def _subscription_update():
    partner, admin = _partner_and_admin()
    sub = f.SubscriptionFactory(customer=_customer_of(partner), billing_partner=partner)
    customer_services.subscription_update(actor=admin, subscription=sub, quantity=sub.quantity + 1)
    old = sub.quantity
    sub.refresh_from_db()
    assert sub.quantity == old + 1


@recipe("core.services.clock.clock_advance")
def _clock_advance():
    before = clock.now()
    clock_services.clock_advance(actor=f.StaffFactory(), delta=datetime.timedelta(days=2))
    assert clock.now() - before >= datetime.timedelta(days=2)


@recipe("core.services.clock.clock_reset")
def _clock_reset():
    staff = f.StaffFactory()
    clock_services.clock_advance(actor=staff, delta=datetime.timedelta(days=30))
    clock_services.clock_reset(actor=staff)
    assert abs(clock.offset()) < datetime.timedelta(minutes=1)


@recipe("customers.services.mca.mca_attest")
def _mca_attest():
    partner, admin = _partner_and_admin()
    customer = _customer_of(partner)
    customer_services.mca_attest(
        actor=admin,
        customer=customer,
        signatory_name="Pat Signer",
        signatory_email=f"pat@{customer.tenant.domain}",
        accepted_on=clock.today() - datetime.timedelta(days=1),
    )
    assert customer.mca_acceptances.exists()


@recipe("enrollment.services.profile.partner_profile_confirm")
def _partner_profile_confirm():
    partner, admin = _partner_and_admin()
    partner.profile_confirmed_on = None
    partner.save(update_fields=["profile_confirmed_on"])
    partner_profile_confirm(actor=admin, partner=partner)
    partner.refresh_from_db()
    assert partner.profile_confirmed_on is not None


@recipe("enrollment.services.sandbox.sandbox_create")
def _sandbox_create():
    partner, admin = _partner_and_admin()
    sandbox = sandbox_create(actor=admin, partner=partner)
    assert sandbox.pk is not None


@recipe("enrollment.services.support.support_request_create")
def _support_request_create():
    partner, admin = _partner_and_admin()
    support_request_create(actor=admin, partner=partner, topic="other", message="Please call")
    assert SupportRequest.objects.filter(partner=partner).exists()


@recipe("enrollment.services.support.support_request_close")
def _support_request_close():
    partner, _admin = _partner_and_admin()
    request = f.SupportRequestFactory(partner=partner)
    support_request_close(actor=f.StaffFactory(), request_id=request.pk, resolution="Done")
    request.refresh_from_db()
    assert request.status == "closed"


@recipe("enrollment.services.support_threads.support_request_reply")
def _support_request_reply():
    partner, admin = _partner_and_admin()
    request = f.SupportRequestFactory(partner=partner)
    support_threads.support_request_reply(actor=admin, request_id=request.pk, body="Any news?")
    assert request.thread.filter(from_support=False).exists()


@recipe("enrollment.services.support_threads.support_request_answer")
def _support_request_answer():
    partner, _admin = _partner_and_admin()
    request = f.SupportRequestFactory(partner=partner)
    support_threads.support_request_answer(
        actor=f.StaffFactory(), request_id=request.pk, body="We are on it."
    )
    assert request.thread.filter(from_support=True).exists()


@recipe("enrollment.services.direct_bill.direct_bill_restrict")
def _direct_bill_restrict():
    partner, _admin = _partner_and_admin()
    direct_bill_restrict(actor=f.StaffFactory(), partner=partner, reason="x")
    assert DirectBillEnrollment.objects.get(partner=partner).status == "restricted"


@recipe("relationships.services.invitation_drafts.customer_invitation_create")
def _invitation_create():
    _partner, admin = _partner_and_admin()
    invitation = invitation_draft_services.customer_invitation_create(actor=admin, kind="direct")
    assert CustomerInvitation.objects.filter(pk=invitation.pk).exists()


@recipe("relationships.services.invitation_drafts.customer_invitation_cancel")
def _invitation_cancel():
    _partner, admin = _partner_and_admin()
    invitation = invitation_draft_services.customer_invitation_create(actor=admin, kind="direct")
    invitation_draft_services.customer_invitation_cancel(actor=admin, invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.status == "cancelled"


@recipe("relationships.services.gdap.gdap_request")
def _gdap_request():
    partner, admin = _partner_and_admin()
    gdap = gdap_services.gdap_request(
        actor=admin, customer=_customer_of(partner), roles=["directory_readers"], duration_days=30
    )
    assert GdapRelationship.objects.filter(pk=gdap.pk, status="pending").exists()


@recipe("relationships.services.gdap.gdap_create")
def _gdap_create():
    partner, admin = _partner_and_admin()
    gdap = gdap_services.gdap_create(
        actor=admin, customer=_customer_of(partner), roles=["directory_readers"], duration_days=30
    )
    assert GdapRelationship.objects.filter(pk=gdap.pk, status="created").exists()


@recipe("relationships.services.gdap.gdap_update")
def _gdap_update():
    partner, admin = _partner_and_admin()
    gdap = f.GdapFactory(partner=partner, customer=_customer_of(partner), status="created")
    gdap_services.gdap_update(actor=admin, gdap=gdap, duration_days=60)
    assert GdapRelationship.objects.filter(pk=gdap.pk, duration_days=60).exists()


@recipe("relationships.services.gdap.gdap_lock_for_approval")
def _gdap_lock_for_approval():
    partner, admin = _partner_and_admin()
    gdap = f.GdapFactory(partner=partner, customer=_customer_of(partner), status="created")
    gdap_services.gdap_lock_for_approval(actor=admin, gdap=gdap)
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


@recipe("customers.services.orders.subscription_purchase")
def _subscription_purchase():
    partner, admin = _partner_and_admin()
    customer = _customer_of(partner)
    f.McaAcceptanceFactory(customer=customer)
    sub = customer_services.subscription_purchase(
        actor=admin, customer=customer, offer_id=M365_BP, quantity=2
    )
    assert Subscription.objects.get(pk=sub.pk).billing_partner == partner


@recipe("customers.services.subscriptions.subscription_change_quantity")
def _subscription_change_quantity():
    partner, admin = _partner_and_admin()
    sub = f.SubscriptionFactory(customer=_customer_of(partner), billing_partner=partner)
    customer_services.subscription_change_quantity(actor=admin, subscription=sub, quantity=12)
    assert Subscription.objects.get(pk=sub.pk).quantity == 12


@recipe("customers.services.subscriptions.subscription_reactivate")
def _subscription_reactivate():
    partner, admin = _partner_and_admin()
    sub = f.SubscriptionFactory(
        customer=_customer_of(partner), billing_partner=partner, status="suspended"
    )
    customer_services.subscription_reactivate(actor=admin, subscription=sub)
    assert Subscription.objects.get(pk=sub.pk).status == "active"


@recipe("customers.services.mca.mca_accept")
def _mca_accept_in_admin_center():
    partner, _admin = _partner_and_admin()
    customer_admin = f.CustomerAdminFactory(customer=_customer_of(partner))
    customer_services.mca_accept(
        actor=customer_admin, signatory_name="Ada", signatory_email=customer_admin.email
    )
    assert customer_admin.customer.mca_acceptances.exists()


@recipe("enrollment.services.direct_bill.direct_bill_reactivate")
def _direct_bill_reactivate():
    partner, _admin = _partner_and_admin()
    staff = f.StaffFactory()
    direct_bill_restrict(actor=staff, partner=partner, reason="x")
    direct_bill_reactivate(actor=staff, partner=partner, reason="Back")
    assert DirectBillEnrollment.objects.get(partner=partner).status == "active"


@recipe("enrollment.services.direct_bill.direct_bill_close")
def _direct_bill_close():
    partner, admin = _partner_and_admin()
    direct_bill_close(actor=admin, partner=partner, reason="Moving on")
    assert DirectBillEnrollment.objects.get(partner=partner).status == "closed"


@recipe("enrollment.services.application.direct_bill_application_submit")
def _direct_bill_application_submit():
    partner = f.PartnerFactory(revenue_12m_usd=1_500_000)
    admin = f.UserFactory(partner=partner, roles=[Role.GLOBAL_ADMIN])
    application = direct_bill_application_submit(actor=admin, partner=partner)
    assert application.pk is not None


@recipe("enrollment.services.application.direct_bill_application_approve")
def _direct_bill_application_approve():
    application = f.DirectBillApplicationFactory()
    direct_bill_application_approve(actor=f.StaffFactory(), application_id=application.pk)
    assert DirectBillEnrollment.objects.get(partner=application.partner).status == "active"


@recipe("enrollment.services.application.direct_bill_application_reject")
def _direct_bill_application_reject():
    application = f.DirectBillApplicationFactory()
    direct_bill_application_reject(
        actor=f.StaffFactory(), application_id=application.pk, reason="Too small"
    )
    application.refresh_from_db()
    assert application.status == "rejected"


@recipe("enrollment.services.indirect.indirect_enrollment_submit")
def _indirect_enrollment_submit():
    partner = f.PartnerFactory()
    admin = f.UserFactory(partner=partner, roles=[Role.GLOBAL_ADMIN])
    indirect_enrollment_submit(
        actor=admin,
        partner=partner,
        legal_name=partner.legal_name,
        primary_contact_email="form@audited.example",
    )
    assert IndirectResellerEnrollment.objects.filter(partner=partner).exists()


@recipe("enrollment.services.decision.indirect_enrollment_approve")
def _indirect_enrollment_approve():
    enrollment = f.IndirectEnrollmentFactory(
        status="submitted", decided_at=None, agreement_accepted_at=None
    )
    indirect_enrollment_approve(actor=f.StaffFactory(), enrollment_id=enrollment.pk)
    enrollment.refresh_from_db()
    assert enrollment.status == "approved"


@recipe("enrollment.services.decision.indirect_enrollment_reject")
def _indirect_enrollment_reject():
    enrollment = f.IndirectEnrollmentFactory(
        status="submitted", decided_at=None, agreement_accepted_at=None
    )
    indirect_enrollment_reject(
        actor=f.StaffFactory(), enrollment_id=enrollment.pk, reason="Incomplete"
    )
    enrollment.refresh_from_db()
    assert enrollment.status == "rejected"


@recipe("enrollment.services.indirect.indirect_enrollment_accept_agreement")
def _indirect_enrollment_accept_agreement():
    enrollment = f.IndirectEnrollmentFactory(status="approved", agreement_accepted_at=None)
    admin = f.UserFactory(partner=enrollment.partner, roles=[Role.GLOBAL_ADMIN])
    indirect_enrollment_accept_agreement(actor=admin, partner=enrollment.partner)
    enrollment.refresh_from_db()
    assert enrollment.status == "active"


@recipe("enrollment.services.profile.partner_profile_update")
def _partner_profile_update():
    partner, admin = _partner_and_admin()
    partner_profile_update(
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


@recipe("graph.services.relationship_request_create")
def _relationship_request_create():
    partner, admin = _partner_and_admin()
    gdap = f.ActiveGdapFactory(partner=partner, customer=_customer_of(partner))
    graph_services.relationship_request_create(actor=admin, gdap=gdap, action="terminate")
    gdap.refresh_from_db()
    assert gdap.status == "terminated"
    assert RelationshipRequest.objects.filter(gdap=gdap, action="terminate").exists()


@recipe("graph.services.access_assignment_create")
def _access_assignment_create():
    partner, admin = _partner_and_admin()
    gdap = f.ActiveGdapFactory(partner=partner, customer=_customer_of(partner))
    graph_services.access_assignment_create(
        actor=admin, gdap=gdap, security_group_id=uuid.uuid4(), roles=gdap.roles[:1]
    )
    assert AccessAssignment.objects.filter(gdap=gdap).exists()


@recipe("relationships.services.invitation_drafts.customer_invitation_edit")
def _invitation_update_message():
    _partner, admin = _partner_and_admin()
    invitation = invitation_draft_services.customer_invitation_create(actor=admin, kind="direct")
    message = f"Welcome aboard. {invitation.message}"  # it keeps the personal link
    invitation_draft_services.customer_invitation_edit(
        actor=admin, invitation=invitation, message=message
    )
    invitation.refresh_from_db()
    assert invitation.message == message


@recipe("relationships.services.invitation_drafts.customer_invitation_send")
def _invitation_send():
    _partner, admin = _partner_and_admin()
    invitation = invitation_draft_services.customer_invitation_create(actor=admin, kind="direct")
    invitation_draft_services.customer_invitation_send(
        actor=admin, invitation=invitation, to="it@c.example"
    )
    invitation.refresh_from_db()
    assert invitation.sent_to == ["it@c.example"]


@recipe("relationships.services.invitation_drafts.customer_invitation_done")
def _invitation_done():
    _partner, admin = _partner_and_admin()
    invitation = invitation_draft_services.customer_invitation_create(actor=admin, kind="direct")
    invitation_draft_services.customer_invitation_done(actor=admin, invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def _sent_invitation():
    partner, admin = _partner_and_admin()
    invitation = invitation_draft_services.customer_invitation_create(actor=admin, kind="direct")
    invitation_draft_services.customer_invitation_done(actor=admin, invitation=invitation)
    return invitation, f.CustomerAdminFactory(), links.make_token(links.CUSTOMER, invitation.pk)


@recipe("relationships.services.invitations.customer_invitation_accept")
def _invitation_accept():
    invitation, customer_admin, token = _sent_invitation()
    invitation_services.customer_invitation_accept(actor=customer_admin, token=token)
    invitation.refresh_from_db()
    assert invitation.status == "accepted"


@recipe("relationships.services.invitations.customer_invitation_decline")
def _invitation_decline():
    invitation, customer_admin, token = _sent_invitation()
    invitation_services.customer_invitation_decline(actor=customer_admin, token=token)
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


def _transfer_world():
    """A target partner's agent, a source partner billing the customer, and a draft request."""
    target, target_agent = _partner_and_admin()
    customer = _customer_of(target)
    source = f.PartnerFactory()
    f.DirectBillEnrollmentFactory(partner=source)
    f.RelationshipFactory(customer=customer, partner=source)
    sub = f.SubscriptionFactory(customer=customer, billing_partner=source)
    f.McaAcceptanceFactory(customer=customer)
    transfer = transfer_services.transfer_create(
        actor=target_agent,
        customer=customer,
        source_partner_id=source.partner_id,
        customer_email=customer.email,
    )
    source_agent = f.UserFactory(partner=source, roles=[Role.ADMIN_AGENT])
    return transfer, target_agent, source_agent, sub


@recipe("transfers.services.submit.transfer_submit")
def _transfer_submit():
    transfer, _target_agent, source_agent, sub = _transfer_world()
    transfer_services.transfer_submit(
        actor=source_agent, transfer=transfer, subscription_ids=[str(sub.pk)]
    )
    transfer.refresh_from_db()
    assert transfer.status != "pending"


@recipe("transfers.services.lifecycle.transfer_cancel")
def _transfer_cancel():
    transfer, target_agent, _source_agent, _sub = _transfer_world()
    transfer_services.transfer_cancel(actor=target_agent, transfer=transfer)
    transfer.refresh_from_db()
    assert transfer.status == "cancelled"


@recipe("customers.services.tenant.license_assign")
def _license_assign():
    partner, admin = _partner_and_admin()
    customer = _customer_of(partner)
    f.SubscriptionFactory(customer=customer, billing_partner=partner, offer_id=M365_BP)
    f.ActiveGdapFactory(partner=partner, customer=customer, roles=["license_administrator"])
    employee = f.CustomerUserFactory(customer=customer, email=f"ann@{customer.domain}")
    customer_services.license_assign(actor=admin, customer_user=employee, offer_id=M365_BP)
    employee.refresh_from_db()
    assert employee.licenses == [M365_BP]


@recipe("customers.services.migration.subscription_migrate_new_commerce")
def _subscription_migrate_to_new_commerce():
    partner, admin = _partner_and_admin()
    legacy = f.SubscriptionFactory(
        customer=_customer_of(partner),
        billing_partner=partner,
        offer_id="796B6B5F-613C-4E24-A17C-EBA730D49C02",
        offer_name="Office 365 E3 (legacy)",
        product_type=ProductType.LEGACY_LICENSE,
    )
    new = customer_services.subscription_migrate_new_commerce(actor=admin, subscription=legacy)
    assert Subscription.objects.get(pk=new.pk).migrated_from_id == legacy.pk


def _legacy_subscription():
    partner, admin = _partner_and_admin()
    legacy = f.SubscriptionFactory(
        customer=_customer_of(partner),
        billing_partner=partner,
        offer_id="796B6B5F-613C-4E24-A17C-EBA730D49C02",
        offer_name="Office 365 E3 (legacy)",
        product_type=ProductType.LEGACY_LICENSE,
    )
    return admin, legacy


@recipe("customers.nce_migrations.migration_create")
def _migration_create():
    admin, legacy = _legacy_subscription()
    migration = nce_migrations.migration_create(actor=admin, subscription=legacy, quantity=3)
    assert NewCommerceMigration.objects.get(pk=migration.pk).status == "processing"


@recipe("customers.nce_migrations.migration_run")
def _migration_run():
    admin, legacy = _legacy_subscription()
    migration = nce_migrations.migration_create(actor=admin, subscription=legacy)
    nce_migrations.migration_run(migration_id=migration.pk)
    migration.refresh_from_db()
    assert migration.status == "completed" and migration.new_subscription_id


def _indirect_customer():
    """A provider and an indirect reseller serving one customer (IR-2), with their agents."""
    provider = f.ProviderFactory()
    f.DirectBillEnrollmentFactory(partner=provider)
    world = f.make_indirect(provider=provider, reseller=_reseller())
    f.McaAcceptanceFactory(customer=world.customer)
    return world.customer, world.provider_admin, world.reseller_admin


def _order_request():
    customer, provider_agent, reseller_agent = _indirect_customer()
    request = customer_services.order_request_create(
        actor=reseller_agent, customer=customer, offer_id=M365_BP, quantity=3
    )
    return request, provider_agent


@recipe("customers.services.order_requests.order_request_create")
def _order_request_create():
    request, _provider_agent = _order_request()
    assert OrderRequest.objects.get(pk=request.pk).status == "open"


@recipe("customers.services.orders.order_submit")
def _order_submit():
    customer, provider_agent, _reseller_agent = _indirect_customer()
    customer_services.order_submit(
        actor=provider_agent, customer=customer, offer_id=M365_BP, quantity=2
    )
    assert Subscription.objects.filter(customer=customer, offer_id=M365_BP).exists()


@recipe("customers.services.order_requests.order_request_decline")
def _order_request_decline():
    request, provider_agent = _order_request()
    customer_services.order_request_decline(
        actor=provider_agent, order_request_id=request.pk, reason="Out of stock"
    )
    assert OrderRequest.objects.get(pk=request.pk).status == "declined"


def _extension_kwargs():
    """A transitioning partner's agent, its direct customer and an accepted provider (MV-2)."""
    reseller = f.PartnerFactory()
    f.DirectBillEnrollmentFactory(partner=reseller, status="restricted")
    f.IndirectEnrollmentFactory(partner=reseller)
    provider = f.ProviderFactory()
    f.PartnershipFactory(provider=provider, reseller=reseller)
    customer = _customer_of(reseller)
    return {
        "actor": f.UserFactory(partner=reseller, roles=[Role.ADMIN_AGENT]),
        "customer_ids": [customer.pk],
        "provider": provider,
        "consent_given_by": "Ada Lovelace, CIO",
        "consent_given_on": clock.today(),
        "consent_method": "Signed letter by email",
        "bill_to_sharing_confirmed": True,
    }


@recipe("relationships.services.extension.relationship_extend_many")
def _relationship_extend_many():
    kwargs = _extension_kwargs()
    extension_services.relationship_extend_many(**kwargs)
    assert RelationshipExtension.objects.filter(customer_id=kwargs["customer_ids"][0]).exists()


@recipe("relationships.services.extension_bulk.relationship_extend_bulk")
def _extension_bulk_start():
    job = extension_bulk_services.relationship_extend_bulk(**_extension_kwargs())
    assert BulkJob.objects.filter(pk=job.pk).exists()


def _webhook_registered():
    _partner, admin = _partner_and_admin()
    webhook_services.webhook_register(
        actor=admin, webhook_url="http://127.0.0.1:9/events", webhook_events=["test-created"]
    )
    return admin


@recipe("webhooks.services.webhook_register")
def _webhook_register():
    admin = _webhook_registered()
    assert WebhookRegistration.objects.filter(partner=admin.partner).exists()


@recipe("webhooks.services.webhook_update")
def _webhook_update():
    admin = _webhook_registered()
    webhook_services.webhook_update(
        actor=admin, webhook_url="https://127.0.0.1:9/v2", webhook_events=["customer-created"]
    )
    assert WebhookRegistration.objects.get(partner=admin.partner).events == ["customer-created"]


@recipe("webhooks.services.webhook_unregister")
def _webhook_unregister():
    admin = _webhook_registered()
    webhook_services.webhook_unregister(actor=admin)
    assert not WebhookRegistration.objects.filter(partner=admin.partner).exists()


@recipe("webhooks.services.webhook_send_test")
def _webhook_send_test():
    admin = _webhook_registered()
    event = webhook_services.webhook_send_test(actor=admin)
    assert event.deliveries.get().status == "pending"


@recipe("webhooks.services.webhook_redeliver")
def _webhook_redeliver():
    admin = _webhook_registered()
    delivery = webhook_services.webhook_send_test(actor=admin).deliveries.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed")
    webhook_services.webhook_redeliver(actor=admin, delivery=delivery)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 0)


@recipe("demo.services.demo_trainees_seed")
def _trainees_seed():
    from demo import services as demo_services
    from demo import trainees

    demo_services.demo_trainees_seed(actor=f.StaffFactory(), count=1, customers=1)
    assert trainees.partners().count() == 1


@recipe("demo.services.demo_trainee_reset")
def _trainee_reset():
    from demo import services as demo_services
    from demo import stages, trainees

    staff = f.StaffFactory()
    demo_services.demo_trainees_seed(actor=staff, count=1, customers=1)
    demo_services.demo_trainee_reset(actor=staff, number=1, stage="restricted")
    assert stages.stage_of(trainees.cast(trainees.partner(1))) == "restricted"


def _invited():
    _partner, admin = _partner_and_admin()
    user = user_services.partner_user_invite(
        actor=admin, email="new.user@audited.example", full_name="New User", roles=["sales_agent"]
    )
    return admin, user


@recipe("users.services.partner_user_invite")
def _partner_user_invite():
    admin, user = _invited()
    assert user.partner == admin.partner and not user.has_usable_password()


@recipe("users.services.partner_user_resend_invitation")
def _partner_user_resend_invitation():
    admin, user = _invited()
    before = user.password
    user_services.partner_user_resend_invitation(actor=admin, user=user)
    user.refresh_from_db()
    assert user.password != before


@recipe("users.services.partner_user_change_roles")
def _partner_user_change_roles():
    admin, user = _invited()
    user_services.partner_user_change_roles(actor=admin, user=user, roles=["admin_agent"])
    user.refresh_from_db()
    assert user.roles == ["admin_agent"]


@recipe("users.services.partner_user_deactivate")
def _partner_user_deactivate():
    admin, user = _invited()
    user_services.partner_user_deactivate(actor=admin, user=user)
    user.refresh_from_db()
    assert not user.is_active


@recipe("users.services.partner_user_reactivate")
def _partner_user_reactivate():
    admin, user = _invited()
    user_services.partner_user_deactivate(actor=admin, user=user)
    user_services.partner_user_reactivate(actor=admin, user=user)
    user.refresh_from_db()
    assert user.is_active


@recipe("users.services.partner_user_activate")
def _partner_user_activate():
    _admin, user = _invited()
    token = user_tokens.invitation_tokens.make_token(user)
    user_services.partner_user_activate(actor=user, token=token, password="Fresh-Pass-2026!")
    user.refresh_from_db()
    assert user.check_password("Fresh-Pass-2026!")


SERVICES = audited_services()


@pytest.mark.rule("AC-4")
def test_every_service_has_a_recipe():
    """AC-4: a service without a recipe fails here, by name."""
    missing = sorted(set(SERVICES) - set(RECIPES))
    assert not missing, f"add an AC-4 recipe to {__name__} for: {missing}"
    stale = sorted((set(RECIPES) | set(SUCCESS_OPERATIONS)) - set(SERVICES))
    assert not stale, f"these are no longer services; drop them: {stale}"


@pytest.mark.rule("AC-4")
@pytest.mark.parametrize("service", sorted(RECIPES))
def test_ac4_service_state_change_writes_its_audit_event(db, service):
    """AC-4: the successful call changes state and records a success event of its operation."""
    operation = SUCCESS_OPERATIONS.get(service, SERVICES[service])
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    RECIPES[service]()
    events = AuditEvent.objects.filter(pk__gt=before, operation=operation)
    written = list(AuditEvent.objects.filter(pk__gt=before).values_list("operation", "outcome"))
    assert events.filter(outcome=Outcome.SUCCESS).exists(), (
        f"{service} changed state without a success audit event {operation!r}; wrote {written}"
    )
    assert not AuditEvent.objects.filter(pk__gt=before).exclude(outcome=Outcome.SUCCESS).exists()
