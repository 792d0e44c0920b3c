"""Stage presets: the demo world at each point of the transition journey (README, "Rehearsing
the whole transition by hand"), reached by calling the same services the people would.

Each stage's `advance` does what is still missing of its step as the person who does it
(support, Contoso's Global admin or Admin agent, Fabrikam's admin) and leaves what is done, so a
world a trainer half-clicked through still lands on the stage. Its `reached` says whether the
data shows the step done; the current stage is the last one reached in order.

`reset_to` erases the portal's data (everything but the simulation clock, which never moves
back, AC-6) and rebuilds the demo world up to a stage.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db import connection, transaction

from core import audit, clock
from core.exceptions import RuleViolation
from core.models import (
    Customer,
    CustomerRelationship,
    Partner,
    RelationshipKind,
    SimulationClock,
    User,
)
from customers import services as customer_services
from customers.indirect import direct_bill_left
from customers.mca import mca_valid_for
from customers.models import LEGACY_TYPES, Subscription, SubscriptionStatus
from enrollment import services as enrollment_services
from enrollment.models import (
    DirectBillEnrollment,
    DirectBillStatus,
    IndirectResellerEnrollment,
    IndirectStatus,
    Sandbox,
)
from relationships import links
from relationships import selectors as relationship_selectors
from relationships.models import PartnershipStatus, ProviderPartnership
from relationships.services import extension, partnerships
from transfers import jobs as transfer_jobs
from transfers import services as transfer_services

from . import world

CONSENT_BY = "Each customer's IT lead"
CONSENT_HOW = "Signed consent letters"


class StageError(Exception):
    """The demo world can't be moved to the asked stage; the message says why."""


@dataclass
class Cast:
    """The demo world's organisations and the people who act in the journey."""

    contoso: Partner
    fabrikam: Partner
    northwind: Partner
    support: User
    contoso_admin: User  # Grace Global, Global admin
    contoso_agent: User  # Adam Agent, Admin agent
    fabrikam_admin: User  # Fiona Fabrikam, Global admin and Admin agent

    @property
    def customers(self) -> list:
        """Contoso's customers (direct-bill or, later, indirect), in creation order."""
        return list(
            Customer.objects.filter(
                relationships__partner=self.contoso,
                relationships__ended_at__isnull=True,
                relationships__kind__in=[
                    RelationshipKind.DIRECT,
                    RelationshipKind.INDIRECT_RESELLER,
                ],
            ).order_by("id")
        )


def cast() -> Cast | None:
    """The demo world's cast, or None when the demo world isn't there."""
    partners = {
        p.tenant.domain: p
        for p in Partner.objects.select_related("tenant").filter(
            tenant__domain__in=["contoso.example", "fabrikam.example", "northwind.example"]
        )
    }
    emails = [
        "support@portal.example",
        "globaladmin@contoso.example",
        "agent@contoso.example",
        "admin@fabrikam.example",
    ]
    users = {u.email: u for u in User.objects.select_related("partner").filter(email__in=emails)}
    if len(partners) < 3 or len(users) < len(emails):
        return None
    return Cast(
        contoso=partners["contoso.example"],
        fabrikam=partners["fabrikam.example"],
        northwind=partners["northwind.example"],
        support=users[emails[0]],
        contoso_admin=users[emails[1]],
        contoso_agent=users[emails[2]],
        fabrikam_admin=users[emails[3]],
    )


def _direct_bill_status(c: Cast) -> str | None:
    return (
        DirectBillEnrollment.objects.filter(partner=c.contoso).values_list("status", flat=True)
    ).first()


def _refused(outcomes: dict) -> None:
    """Stop when a set-based service refused some items: the stage must be exact."""
    refusals = [str(o) for o in outcomes.values() if isinstance(o, RuleViolation)]
    if refusals:
        raise StageError(f"{len(refusals)} item(s) were refused: {refusals[0]}")


def _served_by_fabrikam(c: Cast):
    return CustomerRelationship.objects.active().filter(
        partner=c.fabrikam, kind=RelationshipKind.INDIRECT_PROVIDER, reseller=c.contoso
    )


# --- the steps -------------------------------------------------------------------------------


def _start(c: Cast) -> None:
    """Contoso's Global admin has an integration sandbox (TX-2 removes it at the close)."""
    live = Sandbox.objects.filter(partner=c.contoso, deleted_at__isnull=True).exists()
    if _direct_bill_status(c) == DirectBillStatus.ACTIVE and not live:
        enrollment_services.sandbox_create(actor=c.contoso_admin, partner=c.contoso)


def _restrict(c: Cast) -> None:
    """Support restricts Contoso's direct-bill account, with a reason (DB-1)."""
    if _direct_bill_status(c) == DirectBillStatus.ACTIVE:
        enrollment_services.direct_bill_restrict(
            actor=c.support, partner=c.contoso, reason="Moving to the indirect model."
        )


def _enroll(c: Cast) -> None:
    """Contoso's Global admin enrolls as indirect reseller; the request is decided at once
    (EN-4, as the worker would) or approved by support when under review; the Global admin
    accepts the agreement (EN-7)."""
    if _indirect_active(c):
        return
    enrollment = enrollment_services.indirect_enrollment_submit(
        actor=c.contoso_admin,
        partner=c.contoso,
        legal_name=c.contoso.legal_name,
        primary_contact_email=c.contoso.primary_contact_email,
    )
    enrollment_services.indirect_enrollment_decide(enrollment_id=enrollment.pk)
    enrollment.refresh_from_db()
    if enrollment.status == IndirectStatus.UNDER_REVIEW:
        enrollment_services.indirect_enrollment_approve(
            actor=c.support, enrollment_id=enrollment.pk
        )
    enrollment_services.indirect_agreement_accept(actor=c.contoso_admin, partner=c.contoso)


def _indirect_active(c: Cast) -> bool:
    return IndirectResellerEnrollment.objects.filter(
        partner=c.contoso, status=IndirectStatus.ACTIVE
    ).exists()


def _partner(c: Cast) -> None:
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


def _extend(c: Cast) -> None:
    """The Admin agent extends every direct-bill customer to Fabrikam with the customers'
    consent and bill-to sharing (MV-2..MV-4), as the bulk job does."""
    served = _served_by_fabrikam(c).values("customer_id")
    ids = list(
        relationship_selectors.direct_customers(partner=c.contoso)
        .exclude(pk__in=served)
        .values_list("pk", flat=True)
    )
    if ids:
        _refused(
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


def _legacy_left(c: Cast):
    return Subscription.objects.filter(
        billing_partner=c.contoso, product_type__in=LEGACY_TYPES, status=SubscriptionStatus.ACTIVE
    )


def _mca_missing(c: Cast) -> list:
    customers = Customer.objects.filter(pk__in=_served_by_fabrikam(c).values("customer_id"))
    return [cu for cu in customers.order_by("id") if not mca_valid_for(cu, c.fabrikam)]


def _get_ready(c: Cast) -> None:
    """Contoso's Admin agent migrates every legacy subscription to new commerce (TR-5);
    Fabrikam attests the MCA where Contoso's attestation doesn't carry over or none is
    recorded (MCA-2, MCA-3)."""
    for subscription in _legacy_left(c).order_by("id"):
        customer_services.subscription_migrate_to_new_commerce(
            actor=c.contoso_agent, subscription=subscription
        )
    for customer in _mca_missing(c):
        customer_services.mca_attest(
            actor=c.fabrikam_admin,
            customer=customer,
            signatory_name=f"{customer.company_name} CIO",
            signatory_email=customer.email,
            accepted_on=clock.today(),
        )


def _transfer(c: Cast) -> None:
    """Fabrikam requests transfers for all of Contoso's customers, Contoso as partner of record
    (TR-1, TR-4); Contoso's Admin agent submits every pending request (TR-2)."""
    customers = list(transfer_jobs.ready_customers(c.fabrikam, c.contoso))
    if customers:
        _refused(
            transfer_services.transfer_create_many(
                actor=c.fabrikam_admin,
                source=c.contoso,
                customers=customers,
                partner_of_record=c.contoso,
            )
        )
    pending = list(
        transfer_jobs.pending_incoming_for_source(c.contoso).values_list("pk", flat=True)
    )
    if pending:
        _refused(
            transfer_services.transfer_submit_many(actor=c.contoso_agent, transfer_ids=pending)
        )


def _close(c: Cast) -> None:
    """Contoso's Global admin closes the direct-bill enrollment (TX-1); the close removes the
    sandbox and trials (TX-2) and makes every customer indirect (IR-1)."""
    if _direct_bill_status(c) != DirectBillStatus.CLOSED:
        enrollment_services.direct_bill_close(
            actor=c.contoso_admin,
            partner=c.contoso,
            reason="The transition to the indirect model is complete.",
        )


# --- what the data shows ---------------------------------------------------------------------


def _is_restricted(c: Cast) -> bool:
    return _direct_bill_status(c) in (DirectBillStatus.RESTRICTED, DirectBillStatus.CLOSED)


def _is_extended(c: Cast) -> bool:
    return not (
        CustomerRelationship.objects.active()
        .filter(partner=c.contoso, kind=RelationshipKind.DIRECT)
        .exclude(customer_id__in=_served_by_fabrikam(c).values("customer_id"))
        .exists()
    )


def _is_ready(c: Cast) -> bool:
    return not _legacy_left(c).exists() and not _mca_missing(c)


def _is_transferred(c: Cast) -> bool:
    pending = transfer_jobs.pending_incoming_for_source(c.contoso)
    return not direct_bill_left(c.contoso).exists() and not pending.exists()


@dataclass(frozen=True)
class Stage:
    name: str
    title: str
    does: str  # what reaching it does, for people
    advance: Callable[[Cast], None]
    reached: Callable[[Cast], bool]


STAGES = [
    Stage(
        "start",
        "Start",
        "Contoso Cloud is direct-bill (Active) with 20 customers and a sandbox.",
        _start,
        lambda c: _direct_bill_status(c) is not None,
    ),
    Stage(
        "restricted",
        "1. Restricted",
        "Support restricted Contoso's direct-bill account.",
        _restrict,
        _is_restricted,
    ),
    Stage(
        "enrolled",
        "2. Enrolled",
        "Contoso enrolled as indirect reseller and accepted the agreement.",
        _enroll,
        _indirect_active,
    ),
    Stage(
        "partnered",
        "3. Partnered",
        "Contoso accepted Fabrikam's invitation to be its indirect reseller.",
        _partner,
        lambda c: relationship_selectors.has_accepted_partnership(
            provider=c.fabrikam, reseller=c.contoso
        ),
    ),
    Stage(
        "extended",
        "4. Extended",
        "Every customer's relationship is extended to Fabrikam, with consent.",
        _extend,
        _is_extended,
    ),
    Stage(
        "ready",
        "5. Ready",
        "Legacy subscriptions migrated; every MCA valid for Fabrikam.",
        _get_ready,
        _is_ready,
    ),
    Stage(
        "transferred",
        "6. Transferred",
        "Every subscription transferred to Fabrikam, Contoso partner of record.",
        _transfer,
        _is_transferred,
    ),
    Stage(
        "closed",
        "7. Closed",
        "Contoso closed direct-bill: an indirect reseller whose customers Fabrikam bills.",
        _close,
        lambda c: _direct_bill_status(c) == DirectBillStatus.CLOSED,
    ),
]
NAMES = [stage.name for stage in STAGES]


def index_of(name: str) -> int:
    if name not in NAMES:
        raise StageError(f"Unknown stage {name!r}; the stages are: {', '.join(NAMES)}.")
    return NAMES.index(name)


def current_stage() -> str | None:
    """The last stage the data shows reached (each one after the one before), or None when
    the demo world isn't there."""
    c = cast()
    return None if c is None else stage_of(c)


def stage_of(c: Cast) -> str | None:
    """The last stage a cast's data shows reached (Contoso's, or a trainee's)."""
    current = None
    for stage in STAGES:
        if not stage.reached(c):
            break
        current = stage.name
    return current


def advance_to(name: str, *, customers: int = 20, subscriptions: int = 3) -> Cast:
    """Bring the demo world forward to stage `name` (building it first if it isn't there).
    Refused when the world is already past `name`: going back needs `reset_to`."""
    target = index_of(name)
    current = current_stage()
    if current is not None and index_of(current) > target:
        raise StageError(
            f"The demo world is at stage {current!r}, past {name!r}: the journey doesn't go "
            f"back. Reset the demo world (seed_demo --stage {name} --reset, or the staff Demo "
            "world page) to rebuild it from scratch at that stage."
        )
    if current is None:
        world.build(customers=customers, subscriptions=subscriptions)
    return advance_cast(cast(), name)


def advance_cast(c: Cast, name: str) -> Cast:
    """Do each step up to stage `name` that the cast's data doesn't show done yet."""
    for stage in STAGES[: index_of(name) + 1]:
        try:
            with transaction.atomic():
                stage.advance(c)
        except (RuleViolation, StageError) as refusal:
            raise StageError(f"Stage {stage.name!r} was refused: {refusal}") from refusal
    return c


# --- reset -----------------------------------------------------------------------------------

KEPT_MODELS = {SimulationClock}  # business time never moves back (AC-6)
ERASED_APPS = {
    "partnerportal",
    "enrollment",
    "customers",
    "relationships",
    "transfers",
    "api",
    "demo",
    "admin",
    "sessions",
}
STAFF_FIELDS = ["email", "full_name", "password", "is_staff", "is_superuser", "is_active"]


def _erased_tables() -> list[str]:
    return sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.app_label in ERASED_APPS
            and model._meta.managed
            and not model._meta.proxy
            and model not in KEPT_MODELS
        }
    )


def erase() -> None:
    """Erase every partner, customer, user, audit event and session (everyone is signed out);
    staff accounts that belong to no organisation are kept (re-created with their password).
    TRUNCATE bypasses the audit table's row triggers (append-only against UPDATE/DELETE);
    sequences go on, so no new row reuses an old id."""
    staff = list(
        User.objects.filter(is_staff=True, partner__isnull=True, customer__isnull=True).values(
            *STAFF_FIELDS
        )
    )
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # Django's foreign keys are deferred: check pending ones now, or TRUNCATE refuses.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "TRUNCATE " + ", ".join(quote(table) for table in _erased_tables()) + " CASCADE"
        )
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    User.objects.bulk_create([User(**fields) for fields in staff])


@transaction.atomic
def reset_to(name: str, *, actor_email: str = "", customers: int = 20, subscriptions: int = 3):
    """Rebuild the demo world from scratch at stage `name`, in one transaction (a failure
    leaves the old world). `actor_email`: the staff member who asked, named in the audit log."""
    index_of(name)
    erase()
    c = advance_to(name, customers=customers, subscriptions=subscriptions)
    audit.record(
        actor=User.objects.filter(email=actor_email).first() if actor_email else None,
        operation="demo.reset",
        object_type="DemoWorld",
        object_id=name,
        new_state=name,
        detail=f"The demo world was rebuilt from scratch at stage {name!r}.",
    )
    return c
