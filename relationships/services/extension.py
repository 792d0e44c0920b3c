"""Reseller relationship extension (MV-2..MV-6, with MCA-3 reported around it).

A direct-bill partner that completed indirect reseller enrollment extends its relationship with
an existing direct-bill customer to an indirect provider it accepted a partnership with. The
provider gets a customer relationship without admin privileges (MV-5) and a copy of the
customer's bill-to information (MV-4), after the partner recorded the customer's consent (MV-3).

Source: Microsoft's "Transition from CSP direct-bill partner to indirect reseller" guide
(https://learn.microsoft.com/en-us/partner-center/transition-direct-to-indirect, kept in
shared/reference/transition-guide.txt), section "Using the reseller relationship extension".
"""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse

from core import audit, clock, notifications
from core.copyrows import copy_insert
from core.exceptions import RuleViolation
from core.models import (
    Customer,
    CustomerRelationship,
    Partner,
    RelationshipKind,
    RelationshipOrigin,
    Role,
    User,
)
from core.roles import require_role
from core.services.relationships import (
    customer_relationship_build,
    customer_relationship_create_many,
)
from customers.mca import mca_valid_ids
from enrollment.capabilities import require_indirect_reseller
from enrollment.exceptions import IndirectResellerRequired
from relationships import emails
from relationships.exceptions import (
    ExtensionAlreadyExists,
    ExtensionBillToNotConfirmed,
    ExtensionConsentInFuture,
    ExtensionConsentMissing,
    ExtensionCustomerNotDirect,
    ExtensionEnrollmentRequired,
    ExtensionProviderNotAccepted,
)
from relationships.models import PartnershipStatus, ProviderPartnership, RelationshipExtension
from relationships.services.actors import partner_of

OPERATION = "relationship.extend"
ALREADY_ESTABLISHED = "Already established"
EXTEND_ROLES = (Role.ADMIN_AGENT,)  # MV-2: Admin agent
Outcome = RelationshipExtension | RuleViolation  # one customer's result


# ---------------------------------------------------------------------------------------------
# Checks shared by the single extension and the bulk start


def _check_actor(actor: User) -> None:
    require_role(actor, *EXTEND_ROLES)  # AC-1 / MV-2
    try:
        require_indirect_reseller(
            partner=partner_of(actor), action="use the reseller relationship extension"
        )
    except IndirectResellerRequired as error:  # MV-2: enrollment completed (EN-7)
        raise ExtensionEnrollmentRequired(error.message) from None


def _check_provider_shape(provider: object) -> None:
    if not isinstance(provider, Partner) or not provider.is_indirect_provider:
        raise ExtensionProviderNotAccepted()


def _check_consent(
    consent_given_by: str, consent_given_on: date, consent_method: str
) -> tuple[str, str]:
    """MV-3: who, when and how; the date not after today's business date."""
    who = (consent_given_by or "").strip()
    how = (consent_method or "").strip()
    if not who or not how or not isinstance(consent_given_on, date):
        raise ExtensionConsentMissing()
    if consent_given_on > clock.today():
        raise ExtensionConsentInFuture(
            f"The consent date ({consent_given_on:%d %b %Y}) can't be in the future: today is "
            f"{clock.today():%d %b %Y}."
        )
    return who, how


def _check_bill_to(bill_to_sharing_confirmed: bool) -> None:
    if bill_to_sharing_confirmed is not True:  # MV-4
        raise ExtensionBillToNotConfirmed()


def check_request(
    actor: User,
    provider: Partner,
    consent_given_by: str,
    consent_given_on: date,
    consent_method: str,
    bill_to_sharing_confirmed: bool,
) -> tuple[str, str]:
    """The checks that hold for every customer of an extension request; returns the consent's
    who and how, trimmed."""
    _check_actor(actor)
    _check_provider_shape(provider)
    who, how = _check_consent(consent_given_by, consent_given_on, consent_method)
    _check_bill_to(bill_to_sharing_confirmed)
    return who, how


def accepted_partnership(
    partner: Partner, provider: Partner, *, lock: bool = False
) -> ProviderPartnership | None:
    rows = ProviderPartnership.objects.filter(
        provider=provider, reseller=partner, status=PartnershipStatus.ACCEPTED
    )
    if lock:
        rows = rows.select_for_update()
    return rows.first()


def _provider_url(customer: Customer) -> str:
    """Where the provider sees the customer."""
    return reverse("customer_detail", args=[customer.pk])


# ---------------------------------------------------------------------------------------------
# The service


def relationship_extend(
    *, actor: User, customer: Customer, **request: Any
) -> RelationshipExtension:
    """Extend `actor`'s partner's relationship with its direct-bill `customer` to `provider`
    (keywords as for `relationship_extend_many`).

    Creates the RelationshipExtension (consent + bill-to sharing record) and the provider's
    CustomerRelationship (indirect_provider, origin extension, no admin privileges, bill-to
    copy) together. The returned extension carries `mca_valid_for_provider` (MCA-3) and
    `relationship`. A refusal is raised (and audited).
    """
    outcome = relationship_extend_many(actor=actor, customer_ids=[customer.pk], **request)
    if isinstance(outcome[customer.pk], RuleViolation):
        raise outcome[customer.pk]
    return outcome[customer.pk]


@audit.refusals(OPERATION)
def relationship_extend_many(
    *,
    actor: User,
    customer_ids: Iterable[int],
    provider: Partner,
    consent_given_by: str,
    consent_given_on: date,
    consent_method: str,
    bill_to_sharing_confirmed: bool,
) -> dict[int, Outcome]:
    """Extend the relationships with many customers at once (the bulk job runs chunks of its
    customers through here): the rules are checked per customer, for the whole set in a few
    statements. Returns {customer id: extension or RuleViolation}; refused customers change
    nothing and each refusal is audited. A refusal that holds for every customer (role,
    enrollment, consent, bill-to) is raised."""
    who, how = check_request(
        actor,
        provider,
        consent_given_by,
        consent_given_on,
        consent_method,
        bill_to_sharing_confirmed,
    )
    with transaction.atomic():
        outcomes = _extend_set(
            actor=actor,
            customer_ids=customer_ids,
            provider=provider,
            who=who,
            consent_given_on=consent_given_on,
            how=how,
        )
        audit.record_refusals(
            actor=actor, operation=OPERATION, outcomes=outcomes, partner=actor.partner
        )
    return outcomes


def _extend_set(
    *,
    actor: User,
    customer_ids: Iterable[int],
    provider: Partner,
    who: str,
    consent_given_on: date,
    how: str,
) -> dict[int, Outcome]:
    """Lock the customers (id order, as every path that relates a customer does), check each
    one, then write the extensions, relationships and audit events in bulk."""
    partner = partner_of(actor)
    customer_ids = list(customer_ids)
    ids = sorted(set(customer_ids))
    # Lock the customer rows: two extensions of one customer run one after the other.
    locked = Customer.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    customers = {c.pk: c for c in locked}
    directs = {
        r.customer_id: r
        for r in CustomerRelationship.objects.active()
        .select_for_update()
        .filter(partner=partner, customer_id__in=ids)
        .order_by("pk")
    }
    partnership = accepted_partnership(partner, provider, lock=True)
    # IR-4: the provider may already serve a customer for another reseller; only its serving
    # the customer for this partner (or an earlier extension by this partner) is "taken".
    taken = set(
        CustomerRelationship.objects.active()
        .filter(customer_id__in=ids, partner=provider, reseller=partner)
        .values_list("customer_id", flat=True)
    ) | set(
        RelationshipExtension.objects.filter(
            customer_id__in=ids, provider=provider, reseller=partner
        ).values_list("customer_id", flat=True)
    )
    outcomes: dict[int, Outcome] = {}
    extending: list[Customer] = []
    for pk in customer_ids:
        customer = customers.get(pk)
        refusal = _refusal(partner, provider, customer, directs.get(pk), partnership, taken)
        if refusal is not None:
            refusal.customer = customer  # type: ignore[attr-defined]  # for its audit event
            outcomes[pk] = refusal
        elif customer is not None:
            extending.append(customer)
    if not extending:
        return outcomes

    now = clock.now()
    try:
        with transaction.atomic():
            extensions = copy_insert(
                RelationshipExtension,
                [
                    RelationshipExtension(
                        reseller=partner,
                        provider=provider,
                        customer=customer,
                        consent_given_by=who,
                        consent_given_on=consent_given_on,
                        consent_method=how,
                        bill_to_sharing_confirmed=True,
                        created_by=actor,
                        created_at=now,
                    )
                    for customer in extending
                ],
            )
            relationships = customer_relationship_create_many(
                relationships=[
                    customer_relationship_build(
                        customer=customer,
                        partner=provider,
                        kind=RelationshipKind.INDIRECT_PROVIDER,
                        origin=RelationshipOrigin.EXTENSION,
                        reseller=partner,
                        has_admin_privileges=False,  # MV-5
                        bill_to_copy=customer.bill_to(),  # MV-4
                        established_at=now,
                    )
                    for customer in extending
                ],
            )
    except IntegrityError:  # the unique index: a relationship made without the customer lock
        raise ExtensionAlreadyExists(
            f"A customer you selected already has a relationship with {provider.legal_name}."
        ) from None

    mca_ok = mca_valid_ids(customer_ids=[c.pk for c in extending], partner=provider)  # MCA-3
    events = []
    for customer, extension, relationship in zip(extending, extensions, relationships, strict=True):
        extension.mca_valid_for_provider = customer.pk in mca_ok
        extension.relationship = relationship
        outcomes[customer.pk] = extension
        note = _mca_note(extension.mca_valid_for_provider)
        events += [
            audit.build(
                actor=actor,
                operation=OPERATION,
                partner=partner,
                customer=customer,
                obj=extension,
                new_state="extended",
                detail=(
                    f"Relationship extended to {provider.legal_name} (no admin privileges, "
                    f"bill-to copied). Consent: {who}, {consent_given_on:%Y-%m-%d}, {how}. {note}"
                ),
                at=now,
            ),
            audit.build(
                actor=actor,
                operation=OPERATION,
                partner=provider,
                customer=customer,
                obj=relationship,
                object_type="CustomerRelationship",
                new_state="indirect_provider",
                detail=f"{partner.legal_name} extended its relationship with "
                f"{customer.company_name} to you. {note}",
                at=now,
            ),
        ]
    audit.record_many(events)
    _notify_provider(partner, provider, extensions)
    return outcomes


def _refusal(
    partner: Partner,
    provider: Partner,
    customer: Customer | None,
    direct: CustomerRelationship | None,
    partnership: ProviderPartnership | None,
    taken: set[int],
) -> RuleViolation | None:
    """Why this one customer can't be extended (None when it can), in the order a user
    fixes them."""
    if customer is None:
        return ExtensionCustomerNotDirect("This customer no longer exists.")
    if direct is None or direct.kind != RelationshipKind.DIRECT:
        return ExtensionCustomerNotDirect(
            f"{customer.company_name} is not one of your direct-bill customers. The reseller "
            "relationship extension is only for existing direct-bill customers; it can't be "
            "used with indirect reseller customers."
        )
    if partnership is None:
        return ExtensionProviderNotAccepted(
            f"You haven't accepted a partnership invitation from {provider.legal_name}. You "
            "can only extend a relationship to an indirect provider whose invitation you "
            "accepted."
        )
    if customer.pk in taken:
        return ExtensionAlreadyExists(
            f"{customer.company_name} already has a relationship with {provider.legal_name}."
        )
    return None


def _mca_note(valid: bool) -> str:
    if valid:
        return "MCA valid for the provider (accepted in the admin center)."
    return "MCA not valid for the provider: it must attest or the customer must accept."


def _notify_provider(
    partner: Partner, provider: Partner, extensions: list[RelationshipExtension]
) -> None:
    """One notification (and email) to the provider for the extensions made together."""
    if len(extensions) == 1:
        extension = extensions[0]
        subject, body = emails.render(
            "extension_to_provider",
            partner=partner,
            customer=extension.customer,
            mca_note=_mca_note(extension.mca_valid_for_provider),
        )
        notifications.notify_partner(
            partner=provider, subject=subject, body=body, url=_provider_url(extension.customer)
        )
        return
    names = [e.customer.company_name for e in extensions]
    subject, body = emails.render(
        "extensions_to_provider",
        partner=partner,
        count=len(names),
        names=notifications.listed(names),
        not_valid=sum(not e.mca_valid_for_provider for e in extensions),
    )
    notifications.notify_partner(
        partner=provider, subject=subject, body=body, url=reverse("customer_list")
    )
