"""factory-boy factories for every model."""

import uuid
from dataclasses import dataclass
from datetime import timedelta

import factory
import pgtrigger
from django.db import transaction
from django.utils import timezone

from core.fsm_tables import InitialState
from core.models import (
    AuditEvent,
    BulkJob,
    BulkJobItem,
    Customer,
    CustomerRelationship,
    CustomerRole,
    Notification,
    OutboundEmail,
    Partner,
    PartnerMemo,
    RelationshipKind,
    RelationshipOrigin,
    Role,
    Tenant,
    User,
)
from customers.models import McaAcceptance, McaMethod, ProductType, Subscription
from enrollment.models import DirectBillEnrollment, IndirectResellerEnrollment, IndirectStatus
from relationships.models import (
    GdapRelationship,
    GdapStatus,
    PartnershipStatus,
    ProviderPartnership,
    RelationshipExtension,
)

PASSWORD = "Test-Pass-2026!"


class StateFactory(factory.django.DjangoModelFactory):
    """A factory for a model with a state machine. Tests build the world as it stands at some
    point (an active enrollment, an accepted partnership, a suspended subscription) without
    replaying every service on the way there: the insert skips the model's initial-state
    trigger (`fsm_tables.initial_state_trigger`), and only it. The status CHECK, the transition
    trigger on later updates and every other constraint still hold, so a factory can't build
    a status the table doesn't know."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # The savepoint rolls a refused insert back before pgtrigger.ignore resets its setting,
        # so the caller sees the IntegrityError rather than a broken transaction.
        with pgtrigger.ignore(*initial_state_uris(model_class)), transaction.atomic():
            return super()._create(model_class, *args, **kwargs)


def initial_state_uris(model) -> list[str]:
    """The pgtrigger URIs of `model`'s initial-state triggers."""
    return [
        f"{model._meta.label}:{trigger.name}"
        for trigger in getattr(model._meta, "triggers", [])
        if isinstance(trigger, InitialState)
    ]


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant

    name = factory.Sequence(lambda n: f"Tenant {n}")
    domain = factory.LazyFunction(lambda: f"t{uuid.uuid4().hex[:12]}.example")


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    tenant = factory.SubFactory(TenantFactory)
    legal_name = factory.Sequence(lambda n: f"Partner {n} Ltd")
    partner_id = factory.Sequence(lambda n: f"{3000000 + n}")
    country = "US"
    primary_contact_email = factory.LazyAttribute(lambda p: f"contact@{p.tenant.domain}")
    profile_confirmed_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10))
    revenue_12m_usd = 250_000


class ProviderFactory(PartnerFactory):
    is_indirect_provider = True
    services_offered = ["technical_training", "financing"]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@users.example")
    full_name = factory.Sequence(lambda n: f"User {n}")
    partner = factory.SubFactory(PartnerFactory)
    roles = factory.LazyFunction(lambda: [Role.GLOBAL_ADMIN])
    password = factory.django.Password(PASSWORD)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    tenant = factory.SubFactory(TenantFactory)
    company_name = factory.Sequence(lambda n: f"Customer {n} Inc")
    email = factory.LazyAttribute(lambda c: f"admin@{c.tenant.domain}")
    address_line = "1 Main Street"
    city = "Seattle"
    postal_code = "98101"
    country = "US"


class CustomerAdminFactory(UserFactory):
    """A customer's portal login holding Global Administrator in its tenant (CU-7)."""

    partner = None
    roles = factory.LazyFunction(list)
    customer = factory.SubFactory(CustomerFactory)
    customer_role = CustomerRole.GLOBAL_ADMINISTRATOR
    email = factory.LazyAttribute(
        lambda u: f"admin{uuid.uuid4().hex[:6]}@{u.customer.tenant.domain}"
    )


class CustomerPlainUserFactory(CustomerAdminFactory):
    """A customer's portal login without an admin role: sees requests, can't decide (CU-7)."""

    customer_role = CustomerRole.USER
    email = factory.LazyAttribute(
        lambda u: f"user{uuid.uuid4().hex[:6]}@{u.customer.tenant.domain}"
    )


class StaffFactory(UserFactory):
    partner = None
    roles = factory.LazyFunction(list)
    is_staff = True
    is_superuser = True


class RelationshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerRelationship

    customer = factory.SubFactory(CustomerFactory)
    partner = factory.SubFactory(PartnerFactory)
    kind = RelationshipKind.DIRECT
    origin = RelationshipOrigin.CREATED
    has_admin_privileges = True
    established_at = factory.LazyFunction(timezone.now)


class DirectBillEnrollmentFactory(StateFactory):
    class Meta:
        model = DirectBillEnrollment

    partner = factory.SubFactory(PartnerFactory)
    enrolled_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=400))
    status_changed_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=400))


class SubscriptionFactory(StateFactory):
    class Meta:
        model = Subscription

    customer = factory.SubFactory(CustomerFactory)
    billing_partner = factory.SubFactory(PartnerFactory)
    offer_id = "CFQ7TTC0LCHC:0002"
    offer_name = "Microsoft 365 Business Premium"
    product_type = ProductType.LICENSE
    quantity = 10
    term_duration = "P1Y"
    billing_cycle = "annual"
    commitment_end_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=200))
    created_at = factory.LazyFunction(timezone.now)


class McaAcceptanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = McaAcceptance

    customer = factory.SubFactory(CustomerFactory)
    method = McaMethod.ADMIN_CENTER
    signatory_name = "Pat Signer"
    signatory_email = factory.LazyAttribute(lambda m: m.customer.email)
    accepted_on = factory.LazyFunction(timezone.localdate)
    recorded_at = factory.LazyFunction(timezone.now)


class AuditEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEvent

    occurred_at = factory.LazyFunction(timezone.now)
    actor_label = "system"
    operation = "test.operation"


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    subject = factory.Sequence(lambda n: f"Notice {n}")
    created_at = factory.LazyFunction(timezone.now)


class OutboundEmailFactory(StateFactory):
    class Meta:
        model = OutboundEmail

    to = factory.LazyFunction(lambda: ["someone@example.com"])
    subject = "Hello"
    body = "Body"
    created_at = factory.LazyFunction(timezone.now)


class IndirectEnrollmentFactory(StateFactory):
    """An indirect reseller enrollment; default ACTIVE (agreement accepted, EN-7)."""

    class Meta:
        model = IndirectResellerEnrollment

    partner = factory.SubFactory(PartnerFactory)
    status = IndirectStatus.ACTIVE
    legal_name = factory.LazyAttribute(lambda e: e.partner.legal_name)
    primary_contact_email = factory.LazyAttribute(lambda e: e.partner.primary_contact_email)
    submitted_by = factory.SubFactory(UserFactory, partner=factory.SelfAttribute("..partner"))
    submitted_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=20))
    decided_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=19))
    agreement_accepted_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=18))


class PartnershipFactory(StateFactory):
    """A provider–reseller partnership; default ACCEPTED (PV-2)."""

    class Meta:
        model = ProviderPartnership

    provider = factory.SubFactory(ProviderFactory)
    reseller = factory.SubFactory(PartnerFactory)
    status = PartnershipStatus.ACCEPTED
    invited_email = factory.LazyAttribute(lambda p: p.reseller.primary_contact_email)
    invited_by = factory.SubFactory(UserFactory, partner=factory.SelfAttribute("..provider"))
    invited_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=5))
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=25))
    accepted_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=4))


class ExtensionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RelationshipExtension

    reseller = factory.SubFactory(PartnerFactory)
    provider = factory.SubFactory(ProviderFactory)
    customer = factory.SubFactory(CustomerFactory)
    consent_given_by = "Pat Customer, CIO"
    consent_given_on = factory.LazyFunction(timezone.localdate)
    consent_method = "Email from the CIO"
    bill_to_sharing_confirmed = True
    created_by = factory.SubFactory(UserFactory, partner=factory.SelfAttribute("..reseller"))
    created_at = factory.LazyFunction(timezone.now)


class GdapFactory(StateFactory):
    """A GDAP relationship; default pending (GD-1)."""

    class Meta:
        model = GdapRelationship

    partner = factory.SubFactory(PartnerFactory)
    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"gdap-{n}")
    roles = factory.LazyFunction(lambda: ["directory_readers"])
    duration_days = 365
    requested_by = factory.SubFactory(
        UserFactory, partner=factory.SelfAttribute("..partner"), roles=[Role.ADMIN_AGENT]
    )
    requested_at = factory.LazyFunction(timezone.now)
    request_expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=90))
    status = GdapStatus.PENDING


class ActiveGdapFactory(GdapFactory):
    """A GDAP relationship the customer approved, active for a year (CU-6 admin rights)."""

    status = GdapStatus.ACTIVE
    decided_at = factory.LazyFunction(timezone.now)
    starts_at = factory.LazyFunction(timezone.now)
    ends_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=365))


class BulkJobFactory(StateFactory):
    class Meta:
        model = BulkJob

    kind = "test.kind"
    partner = factory.SubFactory(PartnerFactory)
    created_by = factory.SubFactory(UserFactory, partner=factory.SelfAttribute("..partner"))
    created_at = factory.LazyFunction(timezone.now)


class BulkJobItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BulkJobItem

    job = factory.SubFactory(BulkJobFactory)
    seq = factory.Sequence(lambda n: n)
    item = factory.Sequence(lambda n: f"item{n}")


class PartnerMemoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerMemo

    partner = factory.SubFactory(PartnerFactory)
    name = factory.Sequence(lambda n: f"test.memo{n}")


class SimulationClockFactory(factory.django.DjangoModelFactory):
    """The single clock row (AC-3); `offset` moves business time."""

    class Meta:
        model = "partnerportal.SimulationClock"
        django_get_or_create = ("id",)

    id = 1


class SupportRequestFactory(StateFactory):
    class Meta:
        model = "enrollment.SupportRequest"

    partner = factory.SubFactory(PartnerFactory)
    topic = "restrict_direct_bill"
    message = "Please restrict our direct-bill account: we are moving to the indirect model."
    created_by = factory.SubFactory(UserFactory, partner=factory.SelfAttribute("..partner"))
    created_at = factory.LazyFunction(timezone.now)


class SupportMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "enrollment.SupportMessage"

    request = factory.SubFactory(SupportRequestFactory)
    author = factory.SelfAttribute("request.created_by")
    from_support = False
    body = "Any news?"
    created_at = factory.LazyFunction(timezone.now)


class DirectBillApplicationFactory(StateFactory):
    class Meta:
        model = "enrollment.DirectBillApplication"

    partner = factory.SubFactory(PartnerFactory, revenue_12m_usd=1_500_000)
    revenue_12m_usd = factory.LazyAttribute(lambda a: a.partner.revenue_12m_usd)
    submitted_by = factory.SubFactory(UserFactory, partner=factory.SelfAttribute("..partner"))
    submitted_at = factory.LazyFunction(timezone.now)


class SandboxFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "enrollment.Sandbox"

    partner = factory.SubFactory(PartnerFactory)
    name = factory.LazyAttribute(lambda s: f"{s.partner.legal_name} sandbox")
    created_by = factory.SubFactory(UserFactory, partner=factory.SelfAttribute("..partner"))
    created_at = factory.LazyFunction(timezone.now)


class OrderRequestFactory(StateFactory):
    """A reseller's request that its provider order for an indirect customer (CU-4)."""

    class Meta:
        model = "customers.OrderRequest"

    customer = factory.SubFactory(CustomerFactory)
    reseller = factory.SubFactory(PartnerFactory)
    provider = factory.SubFactory(ProviderFactory)
    offer_id = "CFQ7TTC0LCHC:0002"
    offer_name = "Microsoft 365 Business Premium"
    quantity = 5
    requested_by = factory.SubFactory(UserFactory, partner=factory.SelfAttribute("..reseller"))
    requested_at = factory.LazyFunction(timezone.now)


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "customers.Order"

    customer = factory.SubFactory(CustomerFactory)
    billing_partner = factory.SubFactory(PartnerFactory)
    placed_by = factory.SubFactory(UserFactory, partner=factory.SelfAttribute("..billing_partner"))
    placed_at = factory.LazyFunction(timezone.now)


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "customers.OrderLine"

    order = factory.SubFactory(OrderFactory)
    offer_id = "CFQ7TTC0LCHC:0002"
    offer_name = "Microsoft 365 Business Premium"
    quantity = 5
    subscription = factory.SubFactory(
        SubscriptionFactory,
        customer=factory.SelfAttribute("..order.customer"),
        billing_partner=factory.SelfAttribute("..order.billing_partner"),
    )


class CustomerUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "customers.CustomerUser"

    customer = factory.SubFactory(CustomerFactory)
    display_name = factory.Sequence(lambda n: f"Employee {n}")
    email = factory.LazyAttribute(lambda u: f"{u.display_name.lower().replace(' ', '.')}@x.example")
    created_at = factory.LazyFunction(timezone.now)


class ServiceRequestFactory(StateFactory):
    class Meta:
        model = "customers.ServiceRequest"

    customer = factory.SubFactory(CustomerFactory)
    partner = factory.SubFactory(PartnerFactory)
    title = "Mailbox migration help"
    description = "Two mailboxes fail to migrate."
    created_by = factory.SubFactory(UserFactory, partner=factory.SelfAttribute("..partner"))
    created_at = factory.LazyFunction(timezone.now)


class NewCommerceMigrationFactory(StateFactory):
    """A migration of a legacy subscription to new commerce waiting for the worker (TR-5)."""

    class Meta:
        model = "customers.NewCommerceMigration"

    partner = factory.SubFactory(PartnerFactory)
    current_subscription = factory.SubFactory(
        SubscriptionFactory,
        billing_partner=factory.SelfAttribute("..partner"),
        product_type=ProductType.LEGACY_LICENSE,
        offer_id="796B6B5F-613C-4E24-A17C-EBA730D49C02",
        offer_name="Office 365 E3 (legacy)",
    )
    customer = factory.SelfAttribute("current_subscription.customer")
    requested_by = factory.SubFactory(UserFactory, partner=factory.SelfAttribute("..partner"))
    created_at = factory.LazyFunction(timezone.now)


class TransferRequestFactory(StateFactory):
    """A pending new commerce transfer request from `source` to `target` (TR-4)."""

    class Meta:
        model = "transfers.TransferRequest"

    customer = factory.SubFactory(CustomerFactory)
    source = factory.SubFactory(PartnerFactory)
    target = factory.SubFactory(ProviderFactory)
    customer_email = factory.LazyAttribute(lambda t: t.customer.email)
    created_by = factory.SubFactory(UserFactory, partner=factory.SelfAttribute("..target"))
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))


class TransferLineItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "transfers.TransferLineItem"

    request = factory.SubFactory(TransferRequestFactory)
    subscription = factory.SubFactory(
        SubscriptionFactory,
        customer=factory.SelfAttribute("..request.customer"),
        billing_partner=factory.SelfAttribute("..request.source"),
    )


class ApiTokenFactory(factory.django.DjangoModelFactory):
    """An API token row; the raw token is `raw` (only its hash is stored)."""

    class Meta:
        model = "api.ApiToken"
        exclude = ("raw",)

    raw = factory.Sequence(lambda n: f"pp_test_token_{n:06d}")
    user = factory.SubFactory(UserFactory)
    name = "Test script"
    token_hash = factory.LazyAttribute(lambda t: __import__("api.models").models.hash_token(t.raw))
    prefix = factory.LazyAttribute(lambda t: t.raw[:10])
    created_at = factory.LazyFunction(timezone.now)


class IdempotencyRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "api.IdempotencyRecord"

    partner = factory.SubFactory(PartnerFactory)
    request_id = factory.Sequence(lambda n: f"req-{n}")
    method = "POST"
    path = "/v1/customers"
    status_code = 201
    body = factory.LazyFunction(dict)


class WebhookRegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "webhooks.WebhookRegistration"

    partner = factory.SubFactory(PartnerFactory)
    webhook_url = "http://127.0.0.1:9/events"
    events = factory.LazyFunction(lambda: ["test-created"])
    secret = factory.Sequence(lambda n: f"whsec_test_{n:06d}")
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyFunction(timezone.now)


class WebhookEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "webhooks.WebhookEvent"

    partner = factory.SubFactory(PartnerFactory)
    event_name = "test-created"
    resource_name = "test"
    resource_uri = "/webhooks/v1/registration/validationEvents/x"
    changed_at = factory.LazyFunction(timezone.now)
    payload = factory.LazyFunction(lambda: {"EventName": "test-created"})


class WebhookDeliveryFactory(StateFactory):
    class Meta:
        model = "webhooks.WebhookDelivery"

    registration = factory.SubFactory(WebhookRegistrationFactory)
    event = factory.SubFactory(
        WebhookEventFactory, partner=factory.SelfAttribute("..registration.partner")
    )
    next_attempt_at = factory.LazyFunction(timezone.now)
    retry_until = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=24))


# --- worlds ---------------------------------------------------------------------------------


@dataclass
class Indirect:
    provider: object
    reseller: object
    customer: object
    provider_admin: object
    reseller_admin: object
    reseller_sales: object


def make_indirect(provider=None, reseller=None, customer=None):
    provider = provider or ProviderFactory()
    reseller = reseller or PartnerFactory()
    if not reseller.indirect_enrollments.filter(status="active").exists():
        IndirectEnrollmentFactory(partner=reseller)
    customer = customer or CustomerFactory()
    RelationshipFactory(
        partner=provider,
        customer=customer,
        kind=RelationshipKind.INDIRECT_PROVIDER,
        origin=RelationshipOrigin.PROVIDER_CREATED,
        reseller=reseller,
    )
    RelationshipFactory(
        partner=reseller,
        customer=customer,
        kind=RelationshipKind.INDIRECT_RESELLER,
        origin=RelationshipOrigin.PROVIDER_CREATED,
    )
    return Indirect(
        provider=provider,
        reseller=reseller,
        customer=customer,
        provider_admin=UserFactory(partner=provider, roles=["admin_agent"]),
        reseller_admin=UserFactory(partner=reseller, roles=["admin_agent"]),
        reseller_sales=UserFactory(partner=reseller, roles=["sales_agent"]),
    )
