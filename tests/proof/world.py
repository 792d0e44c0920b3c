"""A small two-sided world for the proof tests: "our" side (the personas under test) and a
"foreign" side whose objects' ids are filled into URLs (AC-2: never another's data)."""

import uuid
from dataclasses import dataclass, field

from django.db import connection

from core import clock
from core.models import (
    AuditEvent,
    BulkJob,
    Customer,
    CustomerRelationship,
    OutboundEmail,
    Outcome,
    Partner,
    Role,
    User,
)
from customers import services as customer_services
from customers.models import NewCommerceMigration
from graph import services as graph_services
from relationships import links
from relationships.services import gdap as gdap_services
from relationships.services import invitation_drafts as invitation_draft_services
from tests import factories as f
from transfers import services as transfer_services
from users import services as user_services
from users import tokens as user_tokens
from webhooks import services as webhook_services


@dataclass
class IsolationWorld:
    personas: dict = field(default_factory=dict)  # name -> User or None (anonymous)
    foreign: dict = field(default_factory=dict)  # url kwarg key -> value


def build_isolation_world() -> IsolationWorld:
    w = IsolationWorld()
    # --- our side: a direct-bill partner with all four roles, a provider, a customer admin.
    ours = f.PartnerFactory(legal_name="Our Partner")
    f.DirectBillEnrollmentFactory(partner=ours)
    own_customer = f.CustomerFactory(company_name="Our Customer")
    f.RelationshipFactory(customer=own_customer, partner=ours)
    f.SubscriptionFactory(customer=own_customer, billing_partner=ours)
    provider = f.ProviderFactory(legal_name="Our Provider")
    f.DirectBillEnrollmentFactory(partner=provider)
    w.personas = {
        "global_admin": f.UserFactory(partner=ours, roles=[Role.GLOBAL_ADMIN]),
        "admin_agent": f.UserFactory(partner=ours, roles=[Role.ADMIN_AGENT]),
        "sales_agent": f.UserFactory(partner=ours, roles=[Role.SALES_AGENT]),
        "billing_admin": f.UserFactory(partner=ours, roles=[Role.BILLING_ADMIN]),
        "provider": f.UserFactory(partner=provider, roles=[Role.GLOBAL_ADMIN, Role.ADMIN_AGENT]),
        "customer_admin": f.CustomerAdminFactory(customer=own_customer),
        "staff": f.StaffFactory(),
        "anonymous": None,
    }

    # --- the foreign side: partner B (direct bill) and its customer, with every kind of object.
    theirs = f.PartnerFactory(legal_name="Foreign Partner")
    f.DirectBillEnrollmentFactory(partner=theirs)
    their_ga = f.UserFactory(partner=theirs, roles=[Role.GLOBAL_ADMIN, Role.ADMIN_AGENT])
    their_customer = f.CustomerFactory(company_name="Foreign Customer")
    f.RelationshipFactory(customer=their_customer, partner=theirs)
    f.McaAcceptanceFactory(customer=their_customer)
    sub = f.SubscriptionFactory(customer=their_customer, billing_partner=theirs)
    other_source = f.PartnerFactory(legal_name="Foreign Source")
    f.DirectBillEnrollmentFactory(partner=other_source)
    f.RelationshipFactory(customer=their_customer, partner=other_source)
    f.CustomerAdminFactory(customer=their_customer)
    service_request = customer_services.service_request_create(
        actor=their_ga, customer=their_customer, title="Broken", description="Please help"
    )
    f.ActiveGdapFactory(partner=theirs, customer=their_customer, roles=["user_administrator"])
    tenant_user = customer_services.customer_user_create(
        actor=their_ga,
        customer=their_customer,
        display_name="Foreign User",
        email=f"fu@{their_customer.tenant.domain}",
    )
    their_provider = f.ProviderFactory(legal_name="Foreign Provider")
    partnership = f.PartnershipFactory(
        provider=their_provider, reseller=theirs, status="invited", accepted_at=None
    )
    invitation = invitation_draft_services.customer_invitation_create(actor=their_ga, kind="direct")
    gdap = gdap_services.gdap_create(  # through Graph: created, then sent (pending)
        actor=their_ga,
        customer=their_customer,
        roles=["directory_readers"],
        duration_days=30,
    )
    graph_request = graph_services.relationship_request_create(
        actor=their_ga, gdap=gdap, action="lockForApproval"
    )
    gdap.refresh_from_db()
    transfer = transfer_services.transfer_create(
        actor=their_ga,
        customer=their_customer,
        source_partner_id=other_source.partner_id,
        customer_email=their_customer.email,
    )
    order_request = f.OrderRequestFactory(
        customer=their_customer, reseller=theirs, provider=their_provider, requested_by=their_ga
    )
    from api import services as api_services

    token, _raw = api_services.api_token_create(actor=their_ga, name="foreign")
    job = f.BulkJobFactory(partner=theirs, created_by=their_ga)
    mail = f.OutboundEmailFactory(to=[their_ga.email], partner=theirs)
    orphan = f.SubscriptionFactory(
        customer=their_customer,
        billing_partner=theirs,
        parent=f.SubscriptionFactory(customer=their_customer, billing_partner=other_source),
        offer_name="Foreign add-on",
    )
    webhook_services.webhook_register(
        actor=their_ga, webhook_url="http://127.0.0.1:9/events", webhook_events=["test-created"]
    )
    test_event = webhook_services.webhook_send_test(actor=their_ga)
    migration = NewCommerceMigration.objects.create(
        customer=their_customer,
        partner=theirs,
        current_subscription=sub,
        requested_by=their_ga,
        created_at=clock.now(),
    )
    notification = f.NotificationFactory(user=their_ga, subject="Foreign notice")
    their_mca = f.McaAcceptanceFactory(customer=their_customer)
    support_request = f.SupportRequestFactory(partner=theirs, created_by=their_ga)
    invitee = user_services.partner_user_invite(
        actor=their_ga, email="invitee@users.example", full_name="Invitee", roles=[Role.SALES_AGENT]
    )
    w.foreign = {
        "notification": {"pk": notification.pk},
        "mca_acceptance": {"pk": their_mca.pk},
        "support_request": {"pk": support_request.pk},
        "orphan": {"sid": orphan.pk},
        "bulk_job": {"pk": job.pk},
        "sent_mail_detail": {"pk": mail.pk},
        "customer": {"pk": their_customer.pk, "customer_id": their_customer.pk},
        "subscription": {"sid": sub.pk, "action": "suspend"},
        "service_request": {"rid": service_request.pk},
        "order_request": {"rid": order_request.pk},
        "customer_user": {"uid": tenant_user.pk},
        "partnership": {"pk": partnership.pk},
        "partnership_token": {"token": links.make_token(links.PARTNERSHIP, partnership.pk)},
        "invitation": {"pk": invitation.pk},
        "invitation_token": {"token": links.make_token(links.CUSTOMER, invitation.pk)},
        "gdap": {"pk": gdap.pk, "action": "approve"},
        "transfer": {"pk": transfer.pk},
        "api_token": {"pk": token.pk},
        "api_customer": {"customer_id": str(their_customer.tenant_id)},
        "api_subscription": {"subscription_id": str(sub.pk)},
        "api_transfer": {"transfer_id": str(transfer.pk)},
        "graph_gdap": {"relationship_id": str(gdap.pk)},
        "graph_request": {"request_id": str(graph_request.pk)},
        "graph_assignment": {"assignment_id": str(uuid.uuid4())},
        "webhook_test": {"correlation_id": str(test_event.event_id)},
        "webhook_delivery": {"pk": test_event.deliveries.get().pk},
        "api_migration": {"migration_id": str(migration.pk)},
        "partner_user": {"pk": invitee.pk},
        "user_invitation": {
            "uidb64": user_tokens.uid_of(invitee),
            "token": user_tokens.invitation_tokens.make_token(invitee),
        },
    }
    return w


def _snapshot_sql() -> str:
    from customers.models import Order, OrderRequest, Subscription
    from enrollment.models import IndirectResellerEnrollment
    from graph.models import AccessAssignment, RelationshipRequest
    from relationships.models import (
        CustomerInvitation,
        GdapRelationship,
        ProviderPartnership,
        RelationshipExtension,
    )
    from transfers.models import TransferRequest

    counted = (
        Partner,
        Customer,
        CustomerRelationship,
        User,
        BulkJob,
        OutboundEmail,
        Subscription,
        IndirectResellerEnrollment,
        CustomerInvitation,
        GdapRelationship,
        ProviderPartnership,
        RelationshipExtension,
        TransferRequest,
        OrderRequest,
        Order,
        RelationshipRequest,
        AccessAssignment,
    )
    with_status = (
        Subscription,
        OrderRequest,
        TransferRequest,
        GdapRelationship,
        CustomerInvitation,
        ProviderPartnership,
        IndirectResellerEnrollment,
    )
    parts = [f"(SELECT count(*) FROM {m._meta.db_table}) AS {m.__name__}" for m in counted]
    parts += [
        f"(SELECT md5(coalesce(string_agg(id::text || status, ',' ORDER BY id), '')) "
        f"FROM {m._meta.db_table}) AS {m.__name__}_states"
        for m in with_status
    ]
    audit = AuditEvent._meta.db_table
    parts.append(
        f"(SELECT count(*) FROM {audit} WHERE outcome = '{Outcome.SUCCESS}') AS success_audit"
    )
    return "SELECT " + ", ".join(parts)


_SQL = None


def snapshot() -> dict:
    """Row counts of the main tables, a digest of their statuses and the number of
    successful audit events, in one query."""
    global _SQL
    if _SQL is None:
        _SQL = _snapshot_sql()
    with connection.cursor() as cursor:
        cursor.execute(_SQL)
        names = [c.name for c in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))
