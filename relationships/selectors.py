"""Reads of the relationships app: the provider directory and partnerships (PV-1, PV-2),
customer invitations (CU-2), GDAP (GD-1, GD-2) and what the relationship extension (MV-2) may
use. The services hold the writes; pages and services read through these."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet

from core import clock
from core.exceptions import RuleViolation
from core.models import Customer, CustomerRelationship, Partner, RelationshipKind, Service
from enrollment.capabilities import require_indirect_reseller
from enrollment.exceptions import IndirectResellerRequired

from .exceptions import ExtensionCustomerNotDirect, ExtensionProviderNotAccepted
from .gdap import annotate_admin_permissions
from .models import (
    CustomerInvitation,
    GdapRelationship,
    GdapStatus,
    InvitationKind,
    InvitationStatus,
    PartnershipStatus,
    ProviderPartnership,
)


def link_days() -> int:
    """PV-3: how many days an invitation link works."""
    rules: dict[str, Any] = settings.PROGRAM_RULES
    return int(rules["INVITATION_LINK_DAYS"])


# --- provider partnerships (PV-1, PV-2) --------------------------------------------------------


def directory(*, q: str = "", country: str = "", service: str = "") -> QuerySet[Partner]:
    """PV-1: the indirect providers, searchable by name, country/region and service offered."""
    providers = Partner.objects.filter(is_indirect_provider=True).select_related("tenant")
    if q:
        providers = providers.filter(Q(legal_name__icontains=q) | Q(partner_id=q.strip()))
    if country:
        providers = providers.filter(country__iexact=country.strip())
    if service:
        providers = providers.filter(services_offered__contains=[service])
    return providers.order_by("legal_name")


def directory_countries() -> list[str]:
    return list(
        Partner.objects.filter(is_indirect_provider=True)
        .order_by("country")
        .values_list("country", flat=True)
        .distinct()
    )


def services_labels(*, codes: Iterable[str]) -> list[str]:
    return [Service(c).label for c in codes if c in Service.values]


def partnerships_of_provider(*, provider: Partner) -> QuerySet[ProviderPartnership]:
    return ProviderPartnership.objects.filter(provider=provider).select_related(
        "reseller", "invited_by", "accepted_by"
    )


def partnerships_of_reseller(*, reseller: Partner) -> QuerySet[ProviderPartnership]:
    return ProviderPartnership.objects.filter(reseller=reseller).select_related(
        "provider", "invited_by", "accepted_by"
    )


def accepted_providers(*, reseller: Partner) -> QuerySet[Partner]:
    """The providers whose partnership invitation `reseller` accepted (PV-2)."""
    return Partner.objects.filter(
        pk__in=ProviderPartnership.objects.filter(
            reseller=reseller, status=PartnershipStatus.ACCEPTED
        ).values("provider_id")
    ).order_by("legal_name")


def has_accepted_partnership(*, provider: Partner | None, reseller: Partner) -> bool:
    return ProviderPartnership.objects.filter(
        provider=provider, reseller=reseller, status=PartnershipStatus.ACCEPTED
    ).exists()


# --- customer invitations (CU-2, MV-7, MV-8) ---------------------------------------------------


def open_indirect_invitations_count(*, reseller: Partner) -> int:
    """How many of the reseller's indirect invitations still wait (draft or pending)."""
    return CustomerInvitation.objects.filter(
        partner=reseller,
        kind=InvitationKind.INDIRECT,
        status__in=[InvitationStatus.DRAFT, InvitationStatus.PENDING],
    ).count()


def invitations_of(*, partner: Partner) -> QuerySet[CustomerInvitation]:
    return CustomerInvitation.objects.filter(partner=partner).select_related(
        "provider", "customer", "accepted_customer", "created_by"
    )


def what_accepting_does(*, invitation: CustomerInvitation, customer: Customer) -> list[str]:
    """The summary shown before the customer accepts."""
    existing = set(
        CustomerRelationship.objects.active()
        .filter(customer=customer)
        .values_list("partner_id", flat=True)
    )
    lines = []
    if invitation.kind == InvitationKind.INDIRECT:
        if invitation.partner_id in existing:
            lines.append(f"{invitation.partner} stays your reseller (already a partner of yours).")
        else:
            lines.append(f"{invitation.partner} becomes your indirect reseller.")
        lines.append(
            f"{invitation.provider} becomes your indirect provider for {invitation.partner}; it "
            "can order products for you."
        )
        lines.append(
            "Neither gets admin permissions in your tenant until you approve a GDAP request."
        )
    else:
        lines.append(f"{invitation.partner} becomes your reseller of record (direct-bill).")
        lines.append("It gets admin permissions in your tenant only if you approve a GDAP request.")
    return lines


# --- the customer's partners (MV-6, CU-1, CU-6) ------------------------------------------------


def partners_of_customer(*, customer: Customer) -> QuerySet[CustomerRelationship]:
    """The customer's active relationships, each annotated with `admin_permissions` (CU-6)."""
    return annotate_admin_permissions(
        relationships=CustomerRelationship.objects.active()
        .filter(customer=customer)
        .select_related("partner", "reseller")
    )


def active_gdap_of_customer(*, customer: Customer) -> QuerySet[GdapRelationship]:
    """The customer's GDAP relationships that hold admin permissions now, soonest end first."""
    return (
        GdapRelationship.objects.filter(
            customer=customer, status=GdapStatus.ACTIVE, ends_at__gt=clock.now()
        )
        .order_by("ends_at")
        .only("partner_id", "roles", "ends_at", "name")
    )


# --- GDAP (GD-1, GD-2) -------------------------------------------------------------------------


def gdap_rules() -> dict[str, Any]:
    """The GDAP numbers of the program rules: durations, request expiry, auto-extension and the
    notice days (largest first)."""
    r: dict[str, Any] = settings.PROGRAM_RULES
    return {
        "min_days": r["GDAP_MIN_DAYS"],
        "max_days": r["GDAP_MAX_DAYS"],
        "request_days": r["GDAP_REQUEST_EXPIRY_DAYS"],
        "extend_days": r["GDAP_AUTO_EXTEND_DAYS"],
        "notice_days": tuple(sorted(r["GDAP_NOTICE_DAYS"], reverse=True)),
    }


def gdap_of_partner(*, partner: Partner) -> QuerySet[GdapRelationship]:
    return GdapRelationship.objects.filter(partner=partner).select_related(
        "customer", "requested_by", "decided_by"
    )


def gdap_of_customer(*, customer: Customer) -> QuerySet[GdapRelationship]:
    """What the customer sees: not a relationship the partner created but has not sent."""
    return (
        GdapRelationship.objects.filter(customer=customer)
        .exclude(status=GdapStatus.CREATED)
        .select_related("partner", "requested_by", "decided_by")
    )


def gdap_eligible_relationships(*, partner: Partner) -> QuerySet[CustomerRelationship]:
    """The partner's customers it may request GDAP for (not relationship extensions, MV-5)."""
    return (
        CustomerRelationship.objects.active()
        .filter(partner=partner, has_admin_privileges=True)
        .select_related("customer")
        .order_by("customer__company_name")
    )


# --- the relationship extension (MV-2) ---------------------------------------------------------


def extension_providers(*, reseller: Partner) -> QuerySet[Partner]:
    """The indirect providers whose partnership invitation `reseller` accepted (PV-2): the only
    choices of an extension."""
    provider_ids = ProviderPartnership.objects.filter(
        reseller=reseller, status=PartnershipStatus.ACCEPTED
    ).values("provider_id")
    return Partner.objects.filter(pk__in=provider_ids, is_indirect_provider=True).order_by(
        "legal_name"
    )


def relationships_with(*, partner: Partner, customer: Customer) -> QuerySet[CustomerRelationship]:
    """The active relationships of `customer` that `partner` holds or is the reseller of."""
    return (
        CustomerRelationship.objects.active()
        .filter(Q(partner=partner) | Q(reseller=partner), customer=customer)
        .select_related("partner", "reseller")
    )


def direct_customers(*, partner: Partner) -> QuerySet[Customer]:
    """The partner's existing direct-bill customers (active direct relationship)."""
    return Customer.objects.filter(
        relationships__partner=partner,
        relationships__kind=RelationshipKind.DIRECT,
        relationships__ended_at__isnull=True,
    ).order_by("company_name", "id")


def extension_blockers(
    *, partner: Partner, customer: Customer | None = None
) -> list[RuleViolation]:
    """Why an extension would be refused right now, for the page to say before submitting (the
    refusals themselves: the page shows each sentence with its Why? link)."""
    reasons: list[RuleViolation] = []
    try:
        require_indirect_reseller(partner=partner, action="use the reseller relationship extension")
    except IndirectResellerRequired as error:
        reasons.append(error)
    if (
        customer is not None
        and not CustomerRelationship.objects.active()
        .filter(partner=partner, customer=customer, kind=RelationshipKind.DIRECT)
        .exists()
    ):
        reasons.append(ExtensionCustomerNotDirect())
    if not extension_providers(reseller=partner).exists():
        reasons.append(ExtensionProviderNotAccepted())
    return reasons
