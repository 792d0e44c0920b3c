"""The outbox: Partner Center webhook events built from audit events, in the same transaction.

Event names and payload properties as Partner Center documents them:
https://learn.microsoft.com/en-us/partner-center/developer/partner-center-webhook-events
(`EventName`, `ResourceUri`, `ResourceName`, `AuditUri`, `ResourceChangeUtcDate`; names in the
form {resource}-{action}) and the list of supported events in
https://learn.microsoft.com/en-us/partner-center/developer/partner-center-webhooks
We add `EventId` (stable across retries and redeliveries, for de-duplication); we never rename
theirs.
"""

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings

from core.models import AuditEvent, Outcome
from core.queue import enqueue
from relationships.models import CustomerInvitation, InvitationKind

from .models import WebhookDelivery, WebhookEvent, WebhookRegistration
from .tasks import deliver

RETRY_FOR = timedelta(hours=24)  # at least a day of retries before a delivery fails

TEST_CREATED = "test-created"
SUBSCRIPTION_UPDATED = "subscription-updated"
SUBSCRIPTION_RENEWED = "subscription-renewed"
CUSTOMER_CREATED = "customer-created"
RESELLER_ACCEPTED = "reseller-relationship-accepted-by-customer"
INDIRECT_RESELLER_ACCEPTED = "indirect-reseller-relationship-accepted-by-customer"
GDAP_CREATED = "granular-admin-relationship-created"
GDAP_APPROVED = "granular-admin-relationship-approved"
GDAP_ACTIVATED = "granular-admin-relationship-activated"
GDAP_TERMINATED = "granular-admin-relationship-terminated"
GDAP_EXPIRED = "granular-admin-relationship-expired"
GDAP_AUTO_EXTENDED = "granular-admin-relationship-auto-extended"
# New commerce migrations, as the event list of "Partner Center webhooks" names them
# (https://learn.microsoft.com/en-us/partner-center/developer/partner-center-webhooks).
MIGRATION_CREATED = "create-new-commerce-migration"
MIGRATION_COMPLETED = "new-commerce-migration-completed"
MIGRATION_FAILED = "new-commerce-migration-failed"

# Our audit operations → the Partner Center events they raise (in that order). A customer's
# approval of a GDAP request makes it active at once, so Partner Center's two events follow.
OPERATION_EVENTS: dict[str, tuple[str, ...]] = {
    "subscription.suspend": (SUBSCRIPTION_UPDATED,),
    "subscription.reactivate": (SUBSCRIPTION_UPDATED,),
    "subscription.cancel": (SUBSCRIPTION_UPDATED,),
    "subscription.change_quantity": (SUBSCRIPTION_UPDATED,),
    "subscription.auto_renew": (SUBSCRIPTION_UPDATED,),
    "subscription.schedule_quantity": (SUBSCRIPTION_UPDATED,),
    "subscription.expire": (SUBSCRIPTION_UPDATED,),
    "subscription.trial_convert": (SUBSCRIPTION_UPDATED,),
    "subscription.trial_expire": (SUBSCRIPTION_UPDATED,),
    "subscription.end_orphan": (SUBSCRIPTION_UPDATED,),
    "subscription.renew": (SUBSCRIPTION_RENEWED,),
    "customer.create": (CUSTOMER_CREATED,),
    "customer_invitation.accept": (RESELLER_ACCEPTED,),  # indirect: see _event_names
    "gdap.request": (GDAP_CREATED,),
    "gdap.create": (GDAP_CREATED,),  # through Graph, before it is locked for approval
    "gdap.approve": (GDAP_APPROVED, GDAP_ACTIVATED),
    "gdap.terminate": (GDAP_TERMINATED,),
    "gdap.expire": (GDAP_EXPIRED,),
    "gdap.auto_extend": (GDAP_AUTO_EXTENDED,),
    "migration.create": (MIGRATION_CREATED,),
    "migration.run": (),  # by the state it ended in: STATE_EVENTS
}
# Operations whose event depends on the state the change ended in.
STATE_EVENTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("migration.run", "completed"): (MIGRATION_COMPLETED,),
    ("migration.run", "failed"): (MIGRATION_FAILED,),
}

AVAILABLE_EVENTS: tuple[str, ...] = tuple(
    dict.fromkeys(
        [
            TEST_CREATED,
            *(n for names in OPERATION_EVENTS.values() for n in names),
            *(n for names in STATE_EVENTS.values() for n in names),
        ]
    )
    | {INDIRECT_RESELLER_ACCEPTED: None}
)


@dataclass(frozen=True)
class Resource:
    name: str
    uri: str


def base_url() -> str:
    return settings.PORTAL_BASE_URL.rstrip("/")


def _resource(audit_event: AuditEvent) -> Resource:
    """What the event is about, and where a client reads it (Partner Center's own paths)."""
    kind, pk = audit_event.object_type, audit_event.object_id
    customer = audit_event.customer
    tenant = customer.tenant_id if customer is not None else ""
    if kind == "Subscription":
        return Resource("subscription", f"/v1/customers/{tenant}/subscriptions/{pk}")
    if kind == "GdapRelationship":
        # Partner Center's ResourceName; the URI is where this portal serves the relationship
        # (Graph), as Partner Center's own granularAdminRelationships path is not an API here.
        return Resource(
            "GranularAdminRelationship",
            f"/graph/v1.0/tenantRelationships/delegatedAdminRelationships/{pk}",
        )
    if kind == "NewCommerceMigration":
        return Resource(
            "newCommerceMigration", f"/v1/customers/{tenant}/migrations/newcommerce/{pk}"
        )
    if kind == "CustomerInvitation":  # the relationship-accepted events name the customer
        return Resource("customer", f"/v1/customers/{tenant}")
    return Resource("customer", f"/v1/customers/{tenant}")


def _event_names(audit_event: AuditEvent) -> tuple[str, ...]:
    names = OPERATION_EVENTS.get(audit_event.operation, ())
    names += STATE_EVENTS.get((audit_event.operation, audit_event.new_state), ())
    if audit_event.operation == "customer_invitation.accept":
        kind = (
            CustomerInvitation.objects.filter(pk=audit_event.object_id)
            .values_list("kind", flat=True)
            .first()
        )
        if kind == InvitationKind.INDIRECT:
            names = (INDIRECT_RESELLER_ACCEPTED,)
    return names


def payload(event: WebhookEvent) -> dict:
    return {
        "EventName": event.event_name,
        "ResourceUri": base_url() + event.resource_uri,
        "ResourceName": event.resource_name,
        "AuditUri": base_url() + event.audit_uri if event.audit_uri else None,
        "ResourceChangeUtcDate": event.changed_at.isoformat().replace("+00:00", "Z"),
        "EventId": str(event.event_id),
    }


def emit(
    *, registration, name: str, resource: Resource, changed_at, audit_event=None, event_id=None
):
    """Write the event and its pending delivery to `registration`, and ring the worker after
    the commit."""
    audit_uri = ""
    if audit_event is not None:
        day = changed_at.date()
        audit_uri = f"/v1/auditrecords?startDate={day}&endDate={day + timedelta(days=1)}"
    event = WebhookEvent(
        event_id=event_id or uuid.uuid4(),
        partner=registration.partner,
        event_name=name,
        resource_name=resource.name,
        resource_uri=resource.uri,
        audit_uri=audit_uri,
        changed_at=changed_at,
        audit_event=audit_event,
    )
    event.payload = payload(event)
    event.save()
    delivery = WebhookDelivery.objects.create(
        event=event,
        registration=registration,
        next_attempt_at=changed_at,
        retry_until=changed_at + RETRY_FOR,
    )
    enqueue(deliver, delivery.pk)
    return event


def from_audit_events(audit_events: list[AuditEvent]) -> None:
    """`audit.on_record` listener: each successful change with a Partner Center event becomes
    outbox rows in the caller's transaction. Refusals raise no event."""
    changes = [
        e
        for e in audit_events
        if e.outcome == Outcome.SUCCESS and e.partner_id and e.operation in OPERATION_EVENTS
    ]
    if not changes:
        return
    registrations = WebhookRegistration.objects.select_related("partner").in_bulk(
        {e.partner_id for e in changes}, field_name="partner_id"
    )
    for audit_event in changes:
        registration = registrations.get(audit_event.partner_id)
        if registration is None:
            continue
        for name in _event_names(audit_event):
            if name not in registration.events:
                continue
            emit(
                registration=registration,
                name=name,
                resource=_resource(audit_event),
                changed_at=audit_event.occurred_at,
                audit_event=audit_event,
            )
