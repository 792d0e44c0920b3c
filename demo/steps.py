"""The steps of the transition journey, each done as the person who does it through the same
services the people would call, and what the data shows done (`demo.stages` strings them into
stages). A step does only what is still missing, so a half-done world still lands on its stage."""

from core import clock
from core.exceptions import RuleViolation
from core.models import Customer, CustomerRelationship, RelationshipKind
from customers import services as customer_services
from customers.indirect import direct_bill_left
from customers.mca import mca_valid_for
from customers.models import LEGACY_TYPES, Subscription, SubscriptionStatus
from enrollment.models import (
    DirectBillEnrollment,
    DirectBillStatus,
    IndirectResellerEnrollment,
    IndirectStatus,
    Sandbox,
)
from enrollment.services.decision import indirect_enrollment_approve, indirect_enrollment_decide
from enrollment.services.direct_bill import direct_bill_close, direct_bill_restrict
from enrollment.services.indirect import (
    indirect_enrollment_accept_agreement,
    indirect_enrollment_submit,
)
from enrollment.services.sandbox import sandbox_create
from relationships import links
from relationships import selectors as relationship_selectors
from relationships.models import PartnershipStatus, ProviderPartnership
from relationships.services import extension, partnerships
from transfers import selectors as transfer_selectors
from transfers import services as transfer_services

from .cast import Cast
from .exceptions import StageError

CONSENT_BY = "Each customer's IT lead"
CONSENT_HOW = "Signed consent letters"


def direct_bill_status(c: Cast) -> str | None:
    return (
        DirectBillEnrollment.objects.filter(partner=c.contoso).values_list("status", flat=True)
    ).first()


def refused(outcomes: dict) -> None:
    """Stop when a set-based service refused some items: the stage must be exact."""
    refusals = [str(o) for o in outcomes.values() if isinstance(o, RuleViolation)]
    if refusals:
        raise StageError(f"{len(refusals)} item(s) were refused: {refusals[0]}")


def served_by_fabrikam(c: Cast):
    return CustomerRelationship.objects.active().filter(
        partner=c.fabrikam, kind=RelationshipKind.INDIRECT_PROVIDER, reseller=c.contoso
    )


# --- the steps -------------------------------------------------------------------------------


def start(c: Cast) -> None:
    """Contoso's Global admin has an integration sandbox (TX-2 removes it at the close)."""
    live = Sandbox.objects.filter(partner=c.contoso, deleted_at__isnull=True).exists()
    if direct_bill_status(c) == DirectBillStatus.ACTIVE and not live:
        sandbox_create(actor=c.contoso_admin, partner=c.contoso)


def restrict(c: Cast) -> None:
    """Support restricts Contoso's direct-bill account, with a reason (DB-1)."""
    if direct_bill_status(c) == DirectBillStatus.ACTIVE:
        direct_bill_restrict(
            actor=c.support, partner=c.contoso, reason="Moving to the indirect model."
        )


def enroll(c: Cast) -> None:
    """Contoso's Global admin enrolls as indirect reseller; the request is decided at once
    (EN-4, as the worker would) or approved by support when under review; the Global admin
    accepts the agreement (EN-7)."""
    if indirect_active(c):
        return
    enrollment = indirect_enrollment_submit(
        actor=c.contoso_admin,
        partner=c.contoso,
        legal_name=c.contoso.legal_name,
        primary_contact_email=c.contoso.primary_contact_email,
    )
    indirect_enrollment_decide(enrollment_id=enrollment.pk)
    enrollment.refresh_from_db()
    if enrollment.status == IndirectStatus.UNDER_REVIEW:
        indirect_enrollment_approve(actor=c.support, enrollment_id=enrollment.pk)
    indirect_enrollment_accept_agreement(actor=c.contoso_admin, partner=c.contoso)


def indirect_active(c: Cast) -> bool:
    return IndirectResellerEnrollment.objects.filter(
        partner=c.contoso, status=IndirectStatus.ACTIVE
    ).exists()


def partner(c: Cast) -> None:
    """Fabrikam invites Contoso; Contoso's Global admin accepts with the emailed link (PV-2)."""
    if relationship_selectors.has_accepted_partnership(provider=c.fabrikam, reseller=c.contoso):
        return
    invitation = ProviderPartnership.objects.filter(
        provider=c.fabrikam, reseller=c.contoso, status=PartnershipStatus.INVITED
    ).first() or partnerships.partnership_invite(
        actor=c.fabrikam_admin, partner_id=c.contoso.partner_id
    )
    partnerships.partnership_accept(
        actor=c.contoso_admin, token=links.make_token(links.PARTNERSHIP, invitation.pk)
    )


def extend(c: Cast) -> None:
    """The Admin agent extends every direct-bill customer to Fabrikam with the customers'
    consent and bill-to sharing (MV-2..MV-4), as the bulk job does."""
    served = served_by_fabrikam(c).values("customer_id")
    ids = list(
        relationship_selectors.direct_customers(partner=c.contoso)
        .exclude(pk__in=served)
        .values_list("pk", flat=True)
    )
    if ids:
        refused(
            extension.relationship_extend_many(
                actor=c.contoso_agent,
                customer_ids=ids,
                provider=c.fabrikam,
                consent_given_by=CONSENT_BY,
                consent_given_on=clock.today(),
                consent_method=CONSENT_HOW,
                bill_to_sharing_confirmed=True,
            )
        )


def legacy_left(c: Cast):
    return Subscription.objects.filter(
        billing_partner=c.contoso, product_type__in=LEGACY_TYPES, status=SubscriptionStatus.ACTIVE
    )


def mca_missing(c: Cast) -> list:
    customers = Customer.objects.filter(pk__in=served_by_fabrikam(c).values("customer_id"))
    return [
        cu for cu in customers.order_by("id") if not mca_valid_for(customer=cu, partner=c.fabrikam)
    ]


def get_ready(c: Cast) -> None:
    """Contoso's Admin agent migrates every legacy subscription to new commerce (TR-5);
    Fabrikam attests the MCA where Contoso's attestation doesn't carry over or none is
    recorded (MCA-2, MCA-3)."""
    for subscription in legacy_left(c).order_by("id"):
        customer_services.subscription_migrate_new_commerce(
            actor=c.contoso_agent, subscription=subscription
        )
    for customer in mca_missing(c):
        customer_services.mca_attest(
            actor=c.fabrikam_admin,
            customer=customer,
            signatory_name=f"{customer.company_name} CIO",
            signatory_email=customer.email,
            accepted_on=clock.today(),
        )


def transfer(c: Cast) -> None:
    """Fabrikam requests transfers for all of Contoso's customers, Contoso as partner of record
    (TR-1, TR-4); Contoso's Admin agent submits every pending request (TR-2)."""
    customers = list(transfer_selectors.ready_customers(provider=c.fabrikam, reseller=c.contoso))
    if customers:
        refused(
            transfer_services.transfer_create_many(
                actor=c.fabrikam_admin,
                source=c.contoso,
                customers=customers,
                partner_of_record=c.contoso,
            )
        )
    pending = list(
        transfer_selectors.pending_incoming(source=c.contoso).values_list("pk", flat=True)
    )
    if pending:
        refused(transfer_services.transfer_submit_many(actor=c.contoso_agent, transfer_ids=pending))


def close(c: Cast) -> None:
    """Contoso's Global admin closes the direct-bill enrollment (TX-1); the close removes the
    sandbox and trials (TX-2) and makes every customer indirect (IR-1)."""
    if direct_bill_status(c) != DirectBillStatus.CLOSED:
        direct_bill_close(
            actor=c.contoso_admin,
            partner=c.contoso,
            reason="The transition to the indirect model is complete.",
        )


# --- what the data shows ---------------------------------------------------------------------


def is_restricted(c: Cast) -> bool:
    return direct_bill_status(c) in (DirectBillStatus.RESTRICTED, DirectBillStatus.CLOSED)


def is_extended(c: Cast) -> bool:
    return not (
        CustomerRelationship.objects.active()
        .filter(partner=c.contoso, kind=RelationshipKind.DIRECT)
        .exclude(customer_id__in=served_by_fabrikam(c).values("customer_id"))
        .exists()
    )


def is_ready(c: Cast) -> bool:
    return not legacy_left(c).exists() and not mca_missing(c)


def is_transferred(c: Cast) -> bool:
    pending = transfer_selectors.pending_incoming(source=c.contoso)
    return not direct_bill_left(c.contoso).exists() and not pending.exists()
