"""The Microsoft Customer Agreement (MCA-2, MCA-3): a partner attests its customer's acceptance
(valid for that partner), or the customer's Global Administrator accepts it in the admin
center (valid for every partner)."""

from datetime import date

from django.db import transaction

from core import audit, clock
from core.exceptions import InvalidInput, RoleRequired
from core.models import Customer, RelationshipKind, User
from core.roles import require_customer_global_admin, require_role
from enrollment import agreements

from ..exceptions import McaAttestationRefused, McaDateInFuture
from ..models import McaAcceptance, McaMethod
from ..selectors import relationship_of
from .common import MCA_ROLES, acting_partner


@audit.refusals("mca.attest")
@audit.refusals("mca.attest")
def mca_attest(
    *,
    actor: User,
    customer: Customer,
    signatory_name: str,
    signatory_email: str,
    accepted_on: date | None,
) -> McaAcceptance:
    """Partner attestation of the MCA: Admin agent or Sales agent (or Global admin) of the
    customer's direct-bill partner or provider; never an indirect reseller; the date of
    acceptance not in the future (simulation clock). Like Partner Center's "confirm customer
    acceptance" (dateAgreed + the accepting user's name and email), see
    https://learn.microsoft.com/partner-center/developer/confirm-customer-consent-customer-agreement
    The same attestation again (same user, signatory and date) returns the one on record
    instead of storing a duplicate.
    """
    require_role(actor, *MCA_ROLES)
    partner = acting_partner(actor)
    rel = relationship_of(partner=partner, customer=customer)
    if rel is None or rel.kind not in (
        RelationshipKind.DIRECT,
        RelationshipKind.INDIRECT_PROVIDER,
    ):
        raise McaAttestationRefused()
    if not signatory_name or not signatory_email:
        raise InvalidInput("Enter the name and email of the person who accepted the agreement.")
    if accepted_on is None:
        raise InvalidInput("Enter the date of acceptance.")
    if accepted_on > clock.today():
        raise McaDateInFuture()
    at = clock.now()
    with transaction.atomic():
        Customer.objects.select_for_update().filter(pk=customer.pk).first()
        repeat = McaAcceptance.objects.filter(
            customer=customer,
            method=McaMethod.ATTESTATION,
            partner=partner,
            recorded_by=actor,
            signatory_name=signatory_name,
            signatory_email__iexact=signatory_email,
            accepted_on=accepted_on,
        ).first()
        if repeat is not None:
            return repeat
        acceptance = McaAcceptance.objects.create(
            customer=customer,
            method=McaMethod.ATTESTATION,
            partner=partner,
            signatory_name=signatory_name,
            signatory_email=signatory_email,
            accepted_on=accepted_on,
            recorded_by=actor,
            recorded_at=at,
            agreement_version=agreements.current(agreements.CUSTOMER_AGREEMENT).version,
        )
        audit.record(
            actor=actor,
            operation="mca.attest",
            customer=customer,
            obj=acceptance,
            new_state="attested",
            detail=f"{signatory_name} <{signatory_email}> on {accepted_on}",
            at=at,
        )
    return acceptance


@audit.refusals("mca.accept")
def mca_accept(*, actor: User | None, signatory_name: str, signatory_email: str) -> McaAcceptance:
    """The customer's Global Administrator (CU-7) accepts the MCA in the admin center; valid for
    every partner (MCA-3). Accepting again returns the existing acceptance."""
    if actor is None or not actor.customer_id:
        raise RoleRequired(message="Only an administrator of the customer can accept the MCA.")
    require_customer_global_admin(actor, "accept the Microsoft Customer Agreement")
    if not signatory_name or not signatory_email:
        raise InvalidInput("Enter your name and email.")
    customer = actor.customer
    assert customer is not None  # a customer user (checked above)
    at = clock.now()
    with transaction.atomic():
        Customer.objects.select_for_update().filter(pk=customer.pk).first()
        existing = McaAcceptance.objects.filter(
            customer=customer, method=McaMethod.ADMIN_CENTER
        ).first()
        if existing is not None:
            return existing
        acceptance = McaAcceptance.objects.create(
            customer=customer,
            method=McaMethod.ADMIN_CENTER,
            partner=None,
            signatory_name=signatory_name,
            signatory_email=signatory_email,
            accepted_on=clock.today(),
            recorded_by=actor,
            recorded_at=at,
            agreement_version=agreements.current(agreements.CUSTOMER_AGREEMENT).version,
        )
        audit.record(
            actor=actor,
            operation="mca.accept",
            customer=customer,
            obj=acceptance,
            new_state="accepted_admin_center",
            detail=f"{signatory_name} <{signatory_email}>",
            at=at,
        )
    return acceptance
