"""Transfer services: create, submit (complete), cancel, expire (TR-1..TR-8, MCA-4).

Every entry point — pages, bulk jobs, the API, the sweep — calls these functions. Each locks the
request row first, so a submit racing a cancel or the expiry sweep has exactly one outcome.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse

from customers.mca import mca_valid_for
from customers.models import LEGACY_TYPES, Subscription, SubscriptionStatus
from partnerportal import audit, clock, notifications
from partnerportal.exceptions import InvalidInput
from partnerportal.fsm import check_transition
from partnerportal.models import (
    CustomerRelationship,
    Partner,
    RelationshipKind,
    Role,
)
from partnerportal.roles import require_role

from .exceptions import (
    CustomerEmailMismatch,
    InvalidProductTypes,
    McaNotValidForTarget,
    NoRelationshipWithTarget,
    NothingSelected,
    NotTransferSource,
    NotTransferTarget,
    PartnerOfRecordInvalid,
    SandboxTransfer,
    SourceIsTarget,
    SourceNotCustomersPartner,
    SourcePartnerNotFound,
    SubscriptionInOpenTransfer,
    SubscriptionNotEligible,
    TooManyLineItems,
    TransferAlreadyOpen,
    TransferNotFound,
    TransferNotPending,
)
from .models import (
    TRANSFER_TRANSITIONS,
    TRANSFERABLE_TYPES,
    TransferLineItem,
    TransferRequest,
    TransferStatus,
)

TRANSFER_ROLES = (Role.ADMIN_AGENT,)  # TR-4: the Admin agent of each side


def _rule(name):
    return settings.PROGRAM_RULES[name]


def max_line_items() -> int:
    return _rule("TRANSFER_MAX_LINE_ITEMS")


def _require_agent(actor, action):
    require_role(actor, *TRANSFER_ROLES)


def _detail_url(transfer) -> str:
    return reverse("transfer_detail", args=[transfer.pk])


def _check_not_sandbox(*partners):
    """TR-8: neither side may be an integration sandbox account."""
    for partner in partners:
        if partner.is_sandbox:
            raise SandboxTransfer(
                f"{partner.legal_name} is a sandbox (integration test) account: transfers are "
                "not available for sandbox accounts."
            )


def _has_relationship(customer, partner) -> bool:
    return CustomerRelationship.objects.active().filter(customer=customer, partner=partner).exists()


def _provider_relationship(customer, provider):
    return (
        CustomerRelationship.objects.active()
        .filter(customer=customer, partner=provider, kind=RelationshipKind.INDIRECT_PROVIDER)
        .select_related("reseller")
        .first()
    )


def _resolve_partner(value):
    if value in (None, ""):
        return None
    if isinstance(value, Partner):
        return value
    return Partner.objects.filter(partner_id=str(value).strip()).first()


# --- create (TR-3, TR-4, TR-7, TR-8, TR-1) -------------------------------------------------


@audit.refusals("transfer.create")
def transfer_create(
    *,
    actor,
    customer,
    source_partner_id: str,
    customer_email: str,
    target_product_types=(),
    partner_of_record=None,
) -> TransferRequest:
    """The target partner (the actor's) asks the source partner to transfer the customer's
    subscriptions to it."""
    _require_agent(actor, "create a transfer request")
    target = actor.partner
    if (customer_email or "").strip().lower() != customer.email.lower():
        raise CustomerEmailMismatch(
            "The customer email doesn't match this customer: use the email address the "
            "customer's account has on file."
        )
    source = _resolve_partner(source_partner_id)
    if source is None:
        raise SourcePartnerNotFound(f"No partner has the PartnerID {source_partner_id!r}.")
    if source.pk == target.pk:
        raise SourceIsTarget()
    _check_not_sandbox(source, target)
    if not _has_relationship(customer, target):
        raise NoRelationshipWithTarget()
    if not _has_relationship(customer, source):
        raise SourceNotCustomersPartner(
            f"{source.legal_name} has no relationship with {customer.company_name}."
        )
    types = sorted(set(target_product_types or []))
    if any(t not in TRANSFERABLE_TYPES for t in types):
        raise InvalidProductTypes(
            "Only new commerce license-based and Azure product types can transfer; migrate "
            "legacy subscriptions to new commerce first."
        )
    record_partner = _resolve_partner(partner_of_record)
    if partner_of_record not in (None, "") and record_partner is None:
        raise PartnerOfRecordInvalid(f"No partner has the PartnerID {partner_of_record!r}.")
    if target.is_indirect_provider:
        # TR-1: the provider bills; the customer's indirect reseller stays partner of record.
        relationship = _provider_relationship(customer, target)
        reseller = relationship.reseller if relationship else None
        if record_partner is None:
            record_partner = reseller
        elif reseller is None or record_partner.pk != reseller.pk:
            raise PartnerOfRecordInvalid(
                f"The partner of record must be the customer's indirect reseller"
                f"{f' ({reseller.legal_name})' if reseller else ''}."
            )
    elif record_partner is not None:
        raise PartnerOfRecordInvalid(
            "A partner of record is named only when the target is an indirect provider."
        )

    now = clock.now()
    with transaction.atomic():
        # Lock the customer's pending requests for this pair so two creates don't race.
        if (
            TransferRequest.objects.select_for_update()
            .filter(customer=customer, source=source, target=target, status=TransferStatus.PENDING)
            .exists()
        ):
            raise TransferAlreadyOpen(
                f"A pending transfer request from {source.legal_name} for "
                f"{customer.company_name} already exists."
            )
        try:
            with transaction.atomic():
                transfer = TransferRequest.objects.create(
                    customer=customer,
                    source=source,
                    target=target,
                    partner_of_record=record_partner,
                    customer_email=customer.email,
                    target_product_types=types,
                    created_by=actor,
                    created_at=now,
                    expires_at=now + timedelta(days=_rule("TRANSFER_EXPIRY_DAYS")),
                )
        except IntegrityError:
            raise TransferAlreadyOpen() from None
        for partner in (target, source):
            audit.record(
                actor=actor,
                operation="transfer.create",
                partner=partner,
                customer=customer,
                obj=transfer,
                new_state=TransferStatus.PENDING,
                detail=f"{source.legal_name} → {target.legal_name}",
            )
        url = _detail_url(transfer)
        notifications.notify_partner(
            partner=source,
            roles=TRANSFER_ROLES,
            subject=f"Transfer request from {target.legal_name} for {customer.company_name}",
            body=(
                f"{target.legal_name} (PartnerID {target.partner_id}) asks you to transfer "
                f"{customer.company_name}'s new commerce subscriptions to it. Open the request, "
                "select the subscriptions and submit it by "
                f"{transfer.expires_at:%d %b %Y}; it expires otherwise."
            ),
            url=url,
        )
        _email_parties(
            transfer,
            subject=f"Transfer request created for {customer.company_name}",
            body=(
                f"{target.legal_name} created a request to transfer {customer.company_name}'s "
                f"subscriptions from {source.legal_name}. It expires on "
                f"{transfer.expires_at:%d %b %Y}."
            ),
            skip_source=True,
        )
    return transfer


def _email_parties(transfer, *, subject, body, skip_source=False):
    """Email the source, the target and the customer about the request."""
    url = notifications.absolute_url(_detail_url(transfer))
    partners = [transfer.target] if skip_source else [transfer.source, transfer.target]
    for partner in partners:
        users = notifications.partner_users(partner, Role.GLOBAL_ADMIN, *TRANSFER_ROLES)
        to = [u.email for u in users] or [partner.primary_contact_email]
        notifications.queue_email(
            to=to, subject=subject, body=f"{body}\n\nOpen it in the portal: {url}", partner=partner
        )
    notifications.queue_email(to=[transfer.customer_email], subject=subject, body=body)


# --- lookups ---------------------------------------------------------------------------------


def transfer_for(partner, transfer_id, *, lock=False) -> TransferRequest:
    """The request if `partner` is its source or target; otherwise TransferNotFound (AC-2)."""
    try:
        transfer_id = int(transfer_id)
    except (TypeError, ValueError):
        raise TransferNotFound() from None
    qs = TransferRequest.objects.filter(Q(source=partner) | Q(target=partner), pk=transfer_id)
    if lock:
        qs = qs.select_for_update(of=("self",))
    transfer = qs.select_related("customer", "source", "target", "partner_of_record").first()
    if transfer is None:
        raise TransferNotFound()
    return transfer


def _lock(transfer_or_id, partner) -> TransferRequest:
    pk = getattr(transfer_or_id, "pk", transfer_or_id)
    return transfer_for(partner, pk, lock=True)


def _check_pending(transfer, now):
    if transfer.status != TransferStatus.PENDING:
        raise TransferNotPending(
            f"This transfer request is {transfer.get_status_display().lower()}: it can't be "
            "changed any more."
            + (
                " Ask the target partner for a new request."
                if transfer.status == TransferStatus.EXPIRED
                else ""
            )
        )
    if transfer.expires_at <= now:
        raise TransferNotPending(
            "This transfer request has expired (30 days without an answer). Ask the target "
            "partner for a new request."
        )


# --- eligibility (TR-5, TR-6) ----------------------------------------------------------------


def ineligibility_reason(sub, transfer, *, as_add_on_of_selected=False) -> str:
    """Why `sub` can't be selected on `transfer` ("" when it can)."""
    if sub.billing_partner_id != transfer.source_id:
        return "Not billed by the source partner."
    if sub.product_type in LEGACY_TYPES:
        return "Legacy subscription: migrate it to new commerce first, then transfer it."
    if sub.is_trial:
        return "Trial subscriptions can't be transferred."
    if sub.status != SubscriptionStatus.ACTIVE:
        state = sub.get_status_display().lower()
        return f"Only active subscriptions can be transferred (this one is {state})."
    if sub.product_type not in TRANSFERABLE_TYPES:
        return "This product type can't be transferred."
    if transfer.target_product_types and sub.product_type not in transfer.target_product_types:
        return "Not one of the product types this request asks for."
    if sub.parent_id and not as_add_on_of_selected:
        return "Add-on: it moves with its base subscription."
    return ""


def eligibility(transfer) -> list[dict]:
    """The customer's subscriptions billed by the source, each with whether it can be selected
    and why not; a base subscription lists the add-ons that move with it."""
    subs = list(
        Subscription.objects.filter(
            customer=transfer.customer_id, billing_partner=transfer.source_id
        )
        .exclude(status__in=[SubscriptionStatus.DELETED, SubscriptionStatus.EXPIRED])
        .order_by("parent_id", "offer_name", "id")
    )
    add_ons: dict = {}
    for sub in subs:
        if sub.parent_id:
            add_ons.setdefault(sub.parent_id, []).append(sub)
    rows = []
    for sub in subs:
        reason = ineligibility_reason(sub, transfer)
        moving = [a for a in add_ons.get(sub.pk, []) if a.status == SubscriptionStatus.ACTIVE]
        if not reason:
            for add_on in moving:
                add_on_reason = ineligibility_reason(add_on, transfer, as_add_on_of_selected=True)
                if add_on_reason:
                    reason = f"Its add-on {add_on.offer_name} can't move: {add_on_reason}"
                    break
        rows.append(
            {"subscription": sub, "eligible": not reason, "reason": reason, "add_ons": moving}
        )
    return rows


def eligible_base_ids(transfer) -> list:
    return [row["subscription"].pk for row in eligibility(transfer) if row["eligible"]]


# --- submit (TR-1, TR-4, TR-5, TR-6, TR-7, MCA-4) --------------------------------------------


def _parse_ids(ids) -> set:
    parsed = set()
    for value in ids or []:
        try:
            parsed.add(uuid.UUID(str(value)))
        except (TypeError, ValueError):
            raise InvalidInput(f"{value!r} is not a subscription id.") from None
    return parsed


@audit.refusals("transfer.submit")
def transfer_submit(*, actor, transfer, subscription_ids) -> TransferRequest:
    """The source partner submits the request with the selected subscriptions; in one
    transaction each moves to the target's billing account (all or nothing)."""
    _require_agent(actor, "submit a transfer request")
    selected = _parse_ids(subscription_ids)
    with transaction.atomic():
        transfer = _lock(transfer, actor.partner)
        if transfer.source_id != actor.partner_id:
            raise NotTransferSource()
        now = clock.now()
        _check_pending(transfer, now)
        check_transition(TRANSFER_TRANSITIONS, transfer.status, TransferStatus.COMPLETE)
        _check_not_sandbox(transfer.source, transfer.target)
        customer = transfer.customer
        if not _has_relationship(customer, transfer.target):
            raise NoRelationshipWithTarget(
                f"{customer.company_name} no longer has a relationship with "
                f"{transfer.target.legal_name}."
            )
        if not selected:
            raise NothingSelected()
        if not mca_valid_for(customer, transfer.target):  # MCA-4
            raise McaNotValidForTarget(
                f"The transfer can't complete: {customer.company_name}'s Microsoft Customer "
                f"Agreement acceptance is not valid for {transfer.target.legal_name}. "
                f"{transfer.target.legal_name} must attest it, or the customer accepts it in "
                "the admin center."
            )
        # Lock every subscription involved, in id order (no deadlock between two submits).
        subs = list(
            Subscription.objects.select_for_update()
            .filter(customer=customer)
            .filter(
                Q(pk__in=selected) | Q(parent_id__in=selected, status=SubscriptionStatus.ACTIVE)
            )
            .order_by("pk")
        )
        by_id = {s.pk: s for s in subs}
        problems = []
        missing = selected - set(by_id)
        if missing:
            raise SubscriptionNotEligible(
                "Some selected subscriptions don't belong to this customer.",
                data=[
                    {"subscriptionId": str(m), "reason": "Not found."}
                    for m in sorted(missing, key=str)
                ],
            )
        moving = []
        for sub in subs:
            is_selected = sub.pk in selected
            base_selected = sub.parent_id in selected
            if not is_selected and not base_selected:
                continue
            if sub.parent_id and not base_selected:
                problems.append(
                    (sub, "An add-on moves with its base subscription: select the base.")
                )
                continue
            reason = ineligibility_reason(sub, transfer, as_add_on_of_selected=base_selected)
            if reason:
                problems.append((sub, reason))
            else:
                moving.append(sub)
        if problems:
            raise SubscriptionNotEligible(
                "These subscriptions can't be transferred: "
                + "; ".join(f"{s.offer_name} — {r}" for s, r in problems),
                data=[{"subscriptionId": str(s.pk), "reason": r} for s, r in problems],
            )
        limit = max_line_items()
        if len(moving) > limit:
            raise TooManyLineItems(
                f"A transfer request can hold at most {limit} subscriptions (add-ons included); "
                f"you selected {len(moving)}. Submit the rest in another request."
            )
        # TR-7: claim the subscriptions; the partial unique index refuses a second claim.
        try:
            with transaction.atomic():
                lines = TransferLineItem.objects.bulk_create(
                    [TransferLineItem(request=transfer, subscription=s) for s in moving]
                )
        except IntegrityError:
            raise SubscriptionInOpenTransfer() from None
        line_for = {line.subscription_id: line for line in lines}
        new_for: dict = {}
        events = []
        # Bases first so each add-on's parent maps to its base's new subscription (TR-6).
        for sub in sorted(moving, key=lambda s: (s.parent_id is not None, str(s.pk))):
            new = Subscription.objects.create(
                customer=customer,
                billing_partner=transfer.target,  # TR-1: the provider bills
                partner_of_record=transfer.partner_of_record,
                offer_id=sub.offer_id,
                offer_name=sub.offer_name,
                product_type=sub.product_type,
                quantity=sub.quantity,  # TR-6: quantity, term, term end, billing unchanged
                term_duration=sub.term_duration,
                billing_cycle=sub.billing_cycle,
                commitment_end_date=sub.commitment_end_date,
                auto_renew=sub.auto_renew,
                is_trial=False,
                status=SubscriptionStatus.ACTIVE,
                parent=new_for.get(sub.parent_id) if sub.parent_id else None,
                transferred_from=sub,
                created_at=now,
            )
            new_for[sub.pk] = new
            old_status = sub.status
            sub.status = SubscriptionStatus.DELETED
            sub.ended_at = now
            sub.save(update_fields=["status", "ended_at"])
            line = line_for[sub.pk]
            line.new_subscription = new
            line.save(update_fields=["new_subscription"])
            events.append(
                audit.build(
                    actor=actor,
                    operation="subscription.transfer",
                    partner=transfer.source,
                    customer=customer,
                    obj=sub,
                    old_state=old_status,
                    new_state=SubscriptionStatus.DELETED,
                    detail=f"Moved to {transfer.target.legal_name} as {new.pk}",
                )
            )
        audit.record_many(events)
        transfer.status = TransferStatus.COMPLETE
        transfer.completed_at = now
        transfer.submitted_by = actor
        transfer.save(update_fields=["status", "completed_at", "submitted_by"])
        for partner in (transfer.source, transfer.target):
            audit.record(
                actor=actor,
                operation="transfer.complete",
                partner=partner,
                customer=customer,
                obj=transfer,
                old_state=TransferStatus.PENDING,
                new_state=TransferStatus.COMPLETE,
                detail=f"{len(moving)} subscription(s) moved",
            )
        names = ", ".join(f"{s.offer_name} ×{s.quantity}" for s in moving)
        _email_parties(
            transfer,
            subject=f"Transfer complete for {customer.company_name}",
            body=(
                f"{len(moving)} subscription(s) of {customer.company_name} moved from "
                f"{transfer.source.legal_name} to {transfer.target.legal_name}: {names}."
            ),
        )
        notifications.notify_partner(
            partner=transfer.target,
            subject=f"Transfer complete for {customer.company_name}",
            body=f"{transfer.source.legal_name} submitted the transfer: {names}.",
            url=_detail_url(transfer),
            email=False,
        )
    return transfer


# --- cancel (TR-7) ---------------------------------------------------------------------------


@audit.refusals("transfer.cancel")
def transfer_cancel(*, actor, transfer) -> TransferRequest:
    """Only the target cancels, only while the request is pending."""
    _require_agent(actor, "cancel a transfer request")
    with transaction.atomic():
        transfer = _lock(transfer, actor.partner)
        if transfer.target_id != actor.partner_id:
            raise NotTransferTarget()
        now = clock.now()
        _check_pending(transfer, now)
        check_transition(TRANSFER_TRANSITIONS, transfer.status, TransferStatus.CANCELLED)
        transfer.status = TransferStatus.CANCELLED
        transfer.cancelled_at = now
        transfer.cancelled_by = actor
        transfer.save(update_fields=["status", "cancelled_at", "cancelled_by"])
        for partner in (transfer.target, transfer.source):
            audit.record(
                actor=actor,
                operation="transfer.cancel",
                partner=partner,
                customer=transfer.customer,
                obj=transfer,
                old_state=TransferStatus.PENDING,
                new_state=TransferStatus.CANCELLED,
            )
        _email_parties(
            transfer,
            subject=f"Transfer request cancelled for {transfer.customer.company_name}",
            body=(
                f"{transfer.target.legal_name} cancelled its request to transfer "
                f"{transfer.customer.company_name}'s subscriptions from "
                f"{transfer.source.legal_name}."
            ),
        )
    return transfer


# --- expire (TR-7, by the sweep) -------------------------------------------------------------


def transfer_expire(*, transfer_id, now=None) -> bool:
    """Expire one pending request whose 30 days have passed; False when there is nothing to
    do (already answered, or another worker holds it). Idempotent."""
    now = now or clock.now()
    with transaction.atomic():
        transfer = (
            TransferRequest.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("customer", "source", "target")
            .filter(pk=transfer_id, status=TransferStatus.PENDING, expires_at__lte=now)
            .first()
        )
        if transfer is None:
            return False
        check_transition(TRANSFER_TRANSITIONS, transfer.status, TransferStatus.EXPIRED)
        transfer.status = TransferStatus.EXPIRED
        transfer.expired_at = now
        transfer.save(update_fields=["status", "expired_at"])
        for partner in (transfer.target, transfer.source):
            audit.record(
                actor=None,
                operation="transfer.expire",
                partner=partner,
                customer=transfer.customer,
                obj=transfer,
                old_state=TransferStatus.PENDING,
                new_state=TransferStatus.EXPIRED,
                at=now,
            )
        _email_parties(
            transfer,
            subject=f"Transfer request expired for {transfer.customer.company_name}",
            body=(
                f"The request to transfer {transfer.customer.company_name}'s subscriptions from "
                f"{transfer.source.legal_name} to {transfer.target.legal_name} was not answered "
                "within 30 days and has expired. The target can create a new request."
            ),
        )
    return True


def expire_due(now) -> int:
    ids = list(
        TransferRequest.objects.filter(status=TransferStatus.PENDING, expires_at__lte=now)
        .order_by("expires_at")
        .values_list("pk", flat=True)[:500]
    )
    return sum(transfer_expire(transfer_id=pk, now=now) for pk in ids)


# --- completing the transition (TX-1, TX-2) --------------------------------------------------


def transition_close(*, actor, partner, reason: str):
    """TX-1: close the direct-bill enrollment (enrollment's service refuses while
    `enrollment.closing.blocking_reasons` — which includes our readiness check — is not
    empty); then TX-2: the partner's integration sandbox is gone."""
    from enrollment.services import direct_bill_close

    enrollment = direct_bill_close(actor=actor, partner=partner, reason=reason)
    remove_sandboxes(partner=partner, actor=actor)
    return enrollment


def remove_sandboxes(*, partner, actor=None) -> int:
    """TX-2: delete the live sandboxes of a partner whose direct-bill enrollment is Closed, and
    end its remaining trial subscriptions (trials can't transfer, TR-5, and nothing bills them
    once direct-bill is closed). Idempotent; the sweep calls it too, so a crash between the
    close and this step heals."""
    from enrollment.models import DirectBillEnrollment, DirectBillStatus, Sandbox

    with transaction.atomic():
        if not DirectBillEnrollment.objects.filter(
            partner=partner, status=DirectBillStatus.CLOSED
        ).exists():
            return 0
        now = clock.now()
        sandboxes = list(
            Sandbox.objects.select_for_update(skip_locked=True).filter(
                partner=partner, deleted_at__isnull=True
            )
        )
        for sandbox in sandboxes:
            sandbox.deleted_at = now
            sandbox.save(update_fields=["deleted_at"])
            audit.record(
                actor=actor,
                operation="sandbox.delete",
                partner=partner,
                obj=sandbox,
                old_state="live",
                new_state="deleted",
                detail="Direct-bill enrollment closed (TX-2).",
            )
        trials = list(
            Subscription.objects.select_for_update(skip_locked=True).filter(
                billing_partner=partner,
                is_trial=True,
                status__in=[SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED],
            )
        )
        for sub in trials:
            old = sub.status
            # active → expired; a suspended trial can only be deleted (the FSM table).
            sub.status = (
                SubscriptionStatus.EXPIRED
                if old == SubscriptionStatus.ACTIVE
                else SubscriptionStatus.DELETED
            )
            sub.ended_at = now
            sub.save(update_fields=["status", "ended_at"])
            audit.record(
                actor=actor,
                operation="subscription.trial_end",
                partner=partner,
                customer=sub.customer,
                obj=sub,
                old_state=old,
                new_state=sub.status,
                detail="Trial ended: the direct-bill enrollment closed (trials can't transfer).",
            )
    return len(sandboxes) + len(trials)
