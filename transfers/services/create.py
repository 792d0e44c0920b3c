"""Creating transfer requests (TR-1, TR-3, TR-4, TR-7, TR-8, TR-10)."""

from collections.abc import Iterable, Sequence
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse

from core import audit, clock, notifications
from core.copyrows import copy_insert
from core.exceptions import RuleViolation
from core.models import Customer, CustomerRelationship, Partner, RelationshipKind, User
from enrollment.capabilities import require_transacting

from .. import selectors
from ..exceptions import (
    CustomerEmailMismatch,
    InvalidProductTypes,
    NoRelationshipWithTarget,
    PartnerOfRecordInvalid,
    SourceIsTarget,
    SourceNotCustomersPartner,
    SourcePartnerNotFound,
    TransferAlreadyOpen,
)
from ..models import (
    TRANSFERABLE_TYPES,
    TransferRequest,
    TransferStatus,
)
from .common import (
    TRANSFER_ROLES,
    check_not_sandbox,
    detail_url,
    email_parties,
    message,
    partner_of,
    require_agent,
    rule,
)

# --- create (TR-3, TR-4, TR-7, TR-8, TR-1) -------------------------------------------------


@audit.refusals("transfer.create")
def transfer_create(
    *,
    actor: User,
    customer: Customer,
    source_partner_id: str,
    customer_email: str,
    target_product_types: Iterable[str] = (),
    partner_of_record: Partner | str | None = None,
) -> TransferRequest:
    """The target partner (the actor's) asks the source partner to transfer the customer's
    subscriptions to it."""
    require_agent(actor, "create a transfer request")
    _require_transacting_target(actor)
    if (customer_email or "").strip().lower() != customer.email.lower():
        raise CustomerEmailMismatch(
            "The customer email doesn't match this customer: use the email address the "
            "customer's account has on file."
        )
    source = _source(actor, source_partner_id)
    types = sorted(set(target_product_types or []))
    if any(t not in TRANSFERABLE_TYPES for t in types):
        raise InvalidProductTypes(
            "Only new commerce license-based and Azure product types can transfer; migrate "
            "legacy subscriptions to new commerce first."
        )
    with transaction.atomic():
        outcome = _create_set(
            actor=actor,
            source=source,
            customers=[customer],
            types=types,
            partner_of_record=_partner_of_record(actor, partner_of_record),
        )[customer.pk]
        if isinstance(outcome, RuleViolation):
            raise outcome
    return outcome


def transfer_create_many(
    *,
    actor: User,
    source: Partner | str,
    customers: Iterable[Customer],
    partner_of_record: Partner | str | None = None,
) -> dict[int, TransferRequest | RuleViolation]:
    """`transfer_create` for many customers at once (the bulk "request all" job), each with the
    email it has on file: the same rules, checked for the set in a few statements. Returns
    {customer id: request or RuleViolation}; refused customers change nothing and their refusal
    is audited. A refusal that holds for every customer is raised."""
    require_agent(actor, "create a transfer request")
    _require_transacting_target(actor)
    source = _source(actor, source)
    with transaction.atomic():
        outcomes = _create_set(
            actor=actor,
            source=source,
            customers=list(customers),
            types=[],
            partner_of_record=_partner_of_record(actor, partner_of_record),
        )
        audit.record_refusals(actor=actor, operation="transfer.create", outcomes=outcomes)
    return outcomes


def _require_transacting_target(actor: User) -> None:
    """TR-10: the target (the actor's partner) must be a transacting partner."""
    require_transacting(partner=partner_of(actor), action="be the target of a transfer")


def _source(actor: User, value: Partner | str | None) -> Partner:
    source = selectors.partner_named(value=value)
    if source is None:
        raise SourcePartnerNotFound(f"No partner has the PartnerID {value!r}.")
    if source.pk == partner_of(actor).pk:
        raise SourceIsTarget()
    check_not_sandbox(source, partner_of(actor))
    return source


def _partner_of_record(actor: User, value: Partner | str | None) -> Partner | None:
    """The named partner of record, resolved; only an indirect provider target names one."""
    record_partner = selectors.partner_named(value=value)
    if value not in (None, "") and record_partner is None:
        raise PartnerOfRecordInvalid(f"No partner has the PartnerID {value!r}.")
    if record_partner is not None and not partner_of(actor).is_indirect_provider:
        raise PartnerOfRecordInvalid(
            "A partner of record is named only when the target is an indirect provider."
        )
    return record_partner


def _create_set(
    *,
    actor: User,
    source: Partner,
    customers: list[Customer],
    types: list[str],
    partner_of_record: Partner | None,
) -> dict[int, TransferRequest | RuleViolation]:
    """Check each customer against the relationships and the pending requests, then write the
    requests, their audit events, one notification and the emails in bulk."""
    target = partner_of(actor)
    ids = [c.pk for c in customers]
    related = _relationships(ids, (target, source))
    # Lock the customers' pending requests for this pair so two creates don't race.
    pending = set(
        TransferRequest.objects.select_for_update()
        .filter(customer_id__in=ids, source=source, target=target, status=TransferStatus.PENDING)
        .values_list("customer_id", flat=True)
    )
    outcomes: dict[int, TransferRequest | RuleViolation] = {}
    creating: list[tuple[Customer, Partner | None]] = []
    for customer in customers:
        by_partner = related.get(customer.pk, {})
        refusal, record_partner = _create_refusal(
            customer, source, target, by_partner, partner_of_record, pending
        )
        if refusal is not None:
            refusal.customer = customer  # type: ignore[attr-defined]
            outcomes[customer.pk] = refusal
        else:
            creating.append((customer, record_partner))
    if not creating:
        return outcomes

    now = clock.now()
    try:
        with transaction.atomic():
            transfers = copy_insert(
                TransferRequest,
                [
                    TransferRequest(
                        customer=customer,
                        source=source,
                        target=target,
                        partner_of_record=record_partner,
                        customer_email=customer.email,
                        target_product_types=types,
                        created_by=actor,
                        created_at=now,
                        expires_at=now + timedelta(days=rule("TRANSFER_EXPIRY_DAYS")),
                    )
                    for customer, record_partner in creating
                ],
            )
    except IntegrityError:  # the partial unique index: a request created concurrently
        raise TransferAlreadyOpen() from None
    audit.record_many(
        audit.build(
            actor=actor,
            operation="transfer.create",
            partner=partner,
            customer=transfer.customer,
            obj=transfer,
            new_state=TransferStatus.PENDING,
            detail=f"{source.legal_name} → {target.legal_name}",
            at=now,
        )
        for transfer in transfers
        for partner in (target, source)
    )
    for transfer in transfers:
        outcomes[transfer.customer_id] = transfer
    _announce(transfers, source, target)
    return outcomes


def _relationships(
    customer_ids: list[int], partners: Iterable[Partner]
) -> dict[int, dict[int, list[CustomerRelationship]]]:
    """{customer id: {partner id: [active relationships]}} for the partners given (a provider
    may have one per reseller, IR-4)."""
    related: dict[int, dict[int, list[CustomerRelationship]]] = {}
    rows = (
        CustomerRelationship.objects.active()
        .filter(customer_id__in=customer_ids, partner__in=partners)
        .select_related("reseller")
    )
    for rel in rows:
        related.setdefault(rel.customer_id, {}).setdefault(rel.partner_id, []).append(rel)
    return related


def _create_refusal(
    customer: Customer,
    source: Partner,
    target: Partner,
    by_partner: dict[int, list[CustomerRelationship]],
    partner_of_record: Partner | None,
    pending: set[int],
) -> tuple[RuleViolation | None, Partner | None]:
    """(refusal or None, partner of record) for one customer."""
    if target.pk not in by_partner:
        return NoRelationshipWithTarget(), None
    if source.pk not in by_partner:
        # Never name the other partner or confirm what it does (another partner's business):
        # only that the PartnerID entered isn't one of the customer's partners.
        return SourceNotCustomersPartner(
            f"The PartnerID {source.partner_id} is not one of {customer.company_name}'s "
            "partners: check the source partner's PartnerID with the customer."
        ), None
    record_partner = partner_of_record
    if target.is_indirect_provider:
        # TR-1: the provider bills; the customer's indirect reseller stays partner of record.
        # IR-4: the provider may serve the customer for several resellers; without one named,
        # it is the source when the provider serves the customer for it, else the only one.
        resellers = {
            r.reseller.pk: r.reseller
            for r in by_partner[target.pk]
            if r.kind == RelationshipKind.INDIRECT_PROVIDER and r.reseller is not None
        }
        if record_partner is None:
            record_partner = resellers.get(source.pk)
            if record_partner is None and len(resellers) == 1:
                record_partner = next(iter(resellers.values()))
            elif record_partner is None and resellers:
                return PartnerOfRecordInvalid(
                    "Name the partner of record: the customer's indirect reseller ("
                    + " or ".join(sorted(r.legal_name for r in resellers.values()))
                    + ")."
                ), None
        elif record_partner.pk not in resellers:
            names = " or ".join(sorted(r.legal_name for r in resellers.values()))
            return PartnerOfRecordInvalid(
                "The partner of record must be the customer's indirect reseller"
                + (f" ({names})." if names else ".")
            ), None
    if customer.pk in pending:
        return TransferAlreadyOpen(
            f"A pending transfer request from {source.legal_name} for "
            f"{customer.company_name} already exists."
        ), None
    return None, record_partner


def _announce(transfers: Sequence[TransferRequest], source: Partner, target: Partner) -> None:
    """Tell the source (notification) and the target and customers (email) about new requests:
    per request when there is one, one summary per partner for many."""
    customers = notifications.listed(t.customer.company_name for t in transfers)
    if len(transfers) == 1:
        subject, body = message("request_notice", t=transfers[0])
        url = detail_url(transfers[0])
    else:
        subject, body = message(
            "request_notice_many", transfers=transfers, target=target, customers=customers
        )
        url = reverse("transition")
    notifications.notify_partner(
        partner=source, roles=TRANSFER_ROLES, subject=subject, body=body, url=url
    )
    email_parties(
        transfers,
        "created",
        summary=message("created_many", transfers=transfers, source=source, customers=customers),
        skip_source=True,
    )
