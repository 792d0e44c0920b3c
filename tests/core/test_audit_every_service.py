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
from customers.models import Subscription
from enrollment import services as enrollment_services
from enrollment.models import DirectBillEnrollment, SupportRequest
from partnerportal.models import AuditEvent, Customer, Outcome, Role
from relationships.models import CustomerInvitation, GdapRelationship
from relationships.services import gdap as gdap_services
from relationships.services import invitations as invitation_services
from tests import factories as f
from tests.services_index import audited_services
from transfers import services as transfer_services
from transfers.models import TransferRequest

RECIPES = {}

PENDING = {
    "customers.order_requests.order_request_decline",
    "customers.services.license_assign",
    "customers.services.mca_accept_in_admin_center",
    "customers.services.order_request_create",
    "customers.services.order_submit",
    "customers.services.subscription_change_quantity",
    "customers.services.subscription_migrate_to_new_commerce",
    "customers.services.subscription_purchase",
    "customers.services.subscription_reactivate",
    "enrollment.services.direct_bill_application_approve",
    "enrollment.services.direct_bill_application_reject",
    "enrollment.services.direct_bill_apply",
    "enrollment.services.direct_bill_close",
    "enrollment.services.direct_bill_reactivate",
    "enrollment.services.indirect_agreement_accept",
    "enrollment.services.indirect_enrollment_approve",
    "enrollment.services.indirect_enrollment_reject",
    "enrollment.services.indirect_enrollment_submit",
    "enrollment.services.partner_profile_update",
    "relationships.services.extension.extension_bulk_start",
    "relationships.services.extension.relationship_extend_many",
    "relationships.services.gdap.gdap_approve",
    "relationships.services.gdap.gdap_reject",
    "relationships.services.invitations.invitation_accept",
    "relationships.services.invitations.invitation_decline",
    "relationships.services.invitations.invitation_done",
    "relationships.services.invitations.invitation_send",
    "relationships.services.invitations.invitation_update_message",
    "relationships.services.partnerships.partnership_accept",
    "relationships.services.partnerships.partnership_invite",
    "relationships.services.partnerships.partnership_revoke",
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
