"""Submitting transfer requests: the subscriptions move (TR-1, TR-4..TR-7, TR-10, TR-11,
MCA-4)."""

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse

from core import audit, clock, notifications
from core.copyrows import copy_insert
from core.exceptions import RuleViolation
from core.fsm import apply_transition_many, check_transition
from core.models import CustomerRelationship, User
from core.wording import join_clauses
from customers.indirect import relationships_become_indirect
from customers.mca import mca_valid_ids
from customers.models import SUBSCRIPTION_TRANSITIONS, Subscription, SubscriptionStatus
from enrollment.capabilities import not_transacting, not_transacting_reasons

from .. import selectors
from ..eligibility import RECEIVE, Bases, ineligibility_reason, selection_reason
from ..exceptions import (
    McaNotValidForTarget,
    NoRelationshipWithTarget,
    NothingSelected,
    NotTransferSource,
    SubscriptionInOpenTransfer,
    SubscriptionNotEligible,
    TooManyLineItems,
    TransferNotFound,
)
from ..models import (
    TRANSFER_TRANSITIONS,
    TransferLineItem,
    TransferRequest,
    TransferStatus,
)
from .common import (
    check_not_sandbox,
    check_pending,
    detail_url,
    email_parties,
    event_for,
    max_line_items,
    message,
    parse_ids,
    partner_of,
    require_agent,
)


@audit.refusals("transfer.submit")
def transfer_submit(
    *, actor: User, transfer: TransferRequest | int | str, subscription_ids: Iterable[object]
) -> TransferRequest:
    """The source partner submits the request with the selected subscriptions; in one
    transaction each moves to the target's billing account (all or nothing)."""
    require_agent(actor, "submit a transfer request")
    selected = parse_ids(subscription_ids)
    pk = _transfer_pk(transfer)
    with transaction.atomic():
        outcome = _submit_set(actor, {pk: selected})[pk]
        if isinstance(outcome, RuleViolation):
            raise outcome
    return outcome


def transfer_submit_many(
    *, actor: User, transfer_ids: Iterable[object]
) -> dict[int, TransferRequest | RuleViolation]:
    """Submit each request with every eligible subscription (the bulk "submit all" job): the
    rules of `transfer_submit`, checked for the set in a few statements. Returns {request id:
    completed request or RuleViolation}; refused requests change nothing and their refusal is
    audited."""
    require_agent(actor, "submit a transfer request")
    with transaction.atomic():
        outcomes = _submit_set(actor, {_transfer_pk(pk): ALL_ELIGIBLE for pk in transfer_ids})
        audit.record_refusals(actor=actor, operation="transfer.submit", outcomes=outcomes)
    return outcomes


ALL_ELIGIBLE = None  # a selection meaning "every eligible base subscription"
Selection = set[uuid.UUID] | None
Move = tuple[TransferRequest, list[Subscription]]
# What `_submit_set` reads once for every request: (customer id, target id) pairs related and
# with a valid MCA, and why a target isn't transacting.
Context = tuple[set[tuple[Any, Any]], set[tuple[Any, Any]], dict[Any, str]]


def _transfer_pk(transfer: object) -> int:
    pk: Any = getattr(transfer, "pk", transfer)
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise TransferNotFound() from None


def _submit_set(
    actor: User, selections: dict[int, Selection]
) -> dict[int, TransferRequest | RuleViolation]:
    """Lock the requests, then every subscription of their customers (id order: no deadlock
    between two submits); check each request; move the subscriptions of those that pass."""
    partner = partner_of(actor)
    transfers = {
        t.pk: t
        for t in TransferRequest.objects.select_for_update(of=("self",))
        .filter(Q(source=partner) | Q(target=partner), pk__in=selections)
        .select_related("customer", "source", "target", "partner_of_record")
        .order_by("pk")
    }
    customer_ids = {t.customer_id for t in transfers.values()}
    subs_of: dict[object, list[Subscription]] = {}
    for sub in (
        Subscription.objects.select_for_update().filter(customer_id__in=customer_ids).order_by("pk")
    ):
        subs_of.setdefault(sub.customer_id, []).append(sub)
    related = set(
        CustomerRelationship.objects.active()
        .filter(customer_id__in=customer_ids, partner__in={t.target_id for t in transfers.values()})
        .values_list("customer_id", "partner_id")
    )
    mca_ok = {
        (customer_id, target_id)
        for target_id in {t.target_id for t in transfers.values()}
        for customer_id in mca_valid_ids(customer_ids=customer_ids, partner=target_id)
    }
    context: Context = (
        related,
        mca_ok,
        not_transacting_reasons(partners={t.target for t in transfers.values()}),
    )
    now = clock.now()
    outcomes: dict[int, TransferRequest | RuleViolation] = {}
    moves: list[Move] = []
    rejoin: dict[uuid.UUID, Subscription | None] = {}
    for pk, selected in selections.items():
        transfer = transfers.get(pk)
        try:
            if transfer is None:
                raise TransferNotFound()
            subs = subs_of.get(transfer.customer_id, [])
            if selected is ALL_ELIGIBLE:
                selected = set(selectors.eligible_base_ids(transfer=transfer, subs=subs))
            moving, rejoining = _check_submit(actor, transfer, selected, subs, context, now)
        except RuleViolation as refusal:
            refusal.customer = transfer.customer if transfer else None  # type: ignore[attr-defined]
            outcomes[pk] = refusal
            continue
        moves.append((transfer, moving))
        rejoin.update(rejoining)
    if moves:
        _move(actor, moves, rejoin, now)
        for transfer, _ in moves:
            outcomes[transfer.pk] = transfer
    return outcomes


def _check_submit(
    actor: User,
    transfer: TransferRequest,
    selected: set[uuid.UUID],
    subs: list[Subscription],
    context: Context,
    now: datetime,
) -> tuple[list[Subscription], dict[uuid.UUID, Subscription | None]]:
    """The subscriptions that move with this request and {orphaned add-on id: the base it
    joins}, or the refusal raised. `context`: what `_submit_set` read for every request."""
    related, mca_ok, not_transacting_why = context
    if transfer.source_id != partner_of(actor).pk:
        raise NotTransferSource()
    check_pending(transfer, now)
    check_transition(TRANSFER_TRANSITIONS, transfer.status, TransferStatus.COMPLETE)
    check_not_sandbox(transfer.source, transfer.target)
    why = not_transacting_why.get(transfer.target_id)
    if why:  # TR-10, checked again at use: the target may have closed since it asked
        raise not_transacting(partner=transfer.target, action=RECEIVE, why=why)
    customer = transfer.customer
    if (customer.pk, transfer.target_id) not in related:
        raise NoRelationshipWithTarget(
            f"{customer.company_name} no longer has a relationship with "
            f"{transfer.target.legal_name}."
        )
    if not selected:
        raise NothingSelected()
    if (customer.pk, transfer.target_id) not in mca_ok:  # MCA-4
        raise McaNotValidForTarget(
            f"The transfer can't complete: {customer.company_name}'s Microsoft Customer "
            f"Agreement acceptance is not valid for {transfer.target.legal_name}. "
            f"{transfer.target.legal_name} must attest it, or the customer accepts it in "
            "the admin center."
        )
    by_id = {s.pk: s for s in subs}
    missing = selected - set(by_id)
    if missing:
        raise SubscriptionNotEligible(
            "Some selected subscriptions don't belong to this customer.",
            data=[
                {"subscriptionId": str(m), "reason": "Not found."} for m in sorted(missing, key=str)
            ],
        )
    bases = Bases(subs)
    moving, problems, rejoining = [], [], {}
    for sub in subs:
        if _moves_with_selected_base(sub, selected, bases):
            reason = ineligibility_reason(sub, transfer, moves_with_base=True)
        elif sub.pk in selected:
            reason = selection_reason(sub, transfer, bases)
            if not reason and bases.is_orphan(sub):
                rejoining[sub.pk] = bases.now(sub)  # TR-11: the orphan joins its base
        else:
            continue
        if reason:
            problems.append((sub, reason))
        else:
            moving.append(sub)
    if problems:
        raise SubscriptionNotEligible(
            "These subscriptions can't be transferred: "
            + join_clauses(f"{s.offer_name} — {r}" for s, r in problems)
            + ".",
            data=[{"subscriptionId": str(s.pk), "reason": r} for s, r in problems],
        )
    limit = max_line_items()
    if len(moving) > limit:
        raise TooManyLineItems(
            f"A transfer request can hold at most {limit} subscriptions (add-ons included); "
            f"you selected {len(moving)}. Submit the rest in another request."
        )
    return moving, rejoining


def _moves_with_selected_base(sub: Subscription, selected: set[uuid.UUID], bases: Bases) -> bool:
    """TR-11: an add-on of a selected base moves with it whatever its status."""
    base = bases.by_id.get(sub.parent_id)
    return base is not None and base.pk in selected and sub in bases.moving_with(base)


def _move(
    actor: User, moves: list[Move], rejoin: dict[uuid.UUID, Subscription | None], now: datetime
) -> None:
    """Write the moves of every request that passed: new subscriptions billed by the target
    (bases first, so each add-on's parent is its base's new subscription, TR-6; an orphaned
    add-on's is the base it rejoins, `rejoin`, TR-11), the claiming lines (TR-7), the old
    subscriptions ended, the requests complete, then audit and tell."""
    new_for: dict[object, Subscription] = {}
    try:
        with transaction.atomic():
            for add_ons in (False, True):
                created = copy_insert(
                    Subscription,
                    [
                        _successor(
                            transfer, sub, new_for.get(sub.parent_id) or rejoin.get(sub.pk), now
                        )
                        for transfer, moving in moves
                        for sub in moving
                        if (sub.parent_id is not None) == add_ons
                    ],
                )
                new_for.update({new.transferred_from_id: new for new in created})
            copy_insert(
                TransferLineItem,
                [
                    TransferLineItem(
                        request=transfer, subscription=sub, new_subscription=new_for[sub.pk]
                    )
                    for transfer, moving in moves
                    for sub in moving
                ],
            )
    except IntegrityError:  # the partial unique index: a subscription already claimed
        raise SubscriptionInOpenTransfer() from None
    source_of = {sub.pk: transfer for transfer, moving in moves for sub in moving}
    apply_transition_many(
        [sub for _, moving in moves for sub in moving],
        SUBSCRIPTION_TRANSITIONS,
        SubscriptionStatus.DELETED,
        actor=actor,
        operation="subscription.transfer",
        partner_of=lambda sub: source_of[sub.pk].source,
        customer_of=lambda sub: source_of[sub.pk].customer,
        detail=lambda sub: (
            f"Moved to {source_of[sub.pk].target.legal_name} as {new_for[sub.pk].pk}"
        ),
        label="subscription status",
        at=now,
        ended_at=now,
    )
    for transfer, moving in moves:
        transfer.moved = moving
    transfers = [transfer for transfer, _ in moves]
    events = apply_transition_many(
        transfers,
        TRANSFER_TRANSITIONS,
        TransferStatus.COMPLETE,
        actor=actor,
        operation="transfer.complete",
        partner_of=lambda transfer: transfer.source,
        customer_of=lambda transfer: transfer.customer,
        detail=lambda transfer: f"{len(transfer.moved)} subscription(s) moved",
        at=now,
        completed_at=now,
        submitted_by=actor,
    )
    audit.record_many(
        event_for(transfer.target, event) for transfer, event in zip(transfers, events, strict=True)
    )
    # IR-1: a customer with nothing billed directly any more is now an indirect customer.
    relationships_become_indirect(
        actor=actor, partner=partner_of(actor), customer_ids={t.customer_id for t, _ in moves}
    )
    by_target: dict = {}
    for transfer, _ in moves:
        by_target.setdefault(transfer.target_id, []).append(transfer)
    for transfers in by_target.values():
        _announce_complete(transfers)


def _successor(
    transfer: TransferRequest, sub: Subscription, parent: Subscription | None, now: datetime
) -> Subscription:
    """The subscription billed by the target that replaces `sub` (TR-1, TR-6), under `parent`
    when it is an add-on, in the status it had (an add-on may be suspended, TR-11)."""
    return Subscription(
        customer_id=sub.customer_id,
        billing_partner=transfer.target,  # TR-1: the provider bills
        partner_of_record=transfer.partner_of_record,
        offer_id=sub.offer_id,
        offer_name=sub.offer_name,
        product_type=sub.product_type,
        quantity=sub.quantity,  # TR-6: quantity, term, term end, billing unchanged
        term_duration=sub.term_duration,
        billing_cycle=sub.billing_cycle,
        commitment_end_date=sub.commitment_end_date,
        term_started_at=sub.term_started_at or sub.created_at,  # TR-6: the same term
        auto_renew=sub.auto_renew,
        is_trial=False,
        status=sub.status,
        parent=parent,
        transferred_from=sub,
        created_at=now,
    )


def _announce_complete(transfers: Sequence[TransferRequest]) -> None:
    """Tell the parties of requests to one target that they completed: per request when there
    is one, one summary per partner for many (each customer still gets its own email)."""
    source, target = transfers[0].source, transfers[0].target
    customers = notifications.listed(t.customer.company_name for t in transfers)
    count: int = sum(len(t.moved) for t in transfers)
    email_parties(
        transfers,
        "complete",
        summary=message(
            "complete_many",
            transfers=transfers,
            count=count,
            source=source,
            target=target,
            customers=customers,
        ),
    )
    if len(transfers) == 1:
        subject, body = message("complete_notice", t=transfers[0])
        url = detail_url(transfers[0])
    else:
        subject, body = message(
            "complete_notice_many", transfers=transfers, source=source, customers=customers
        )
        url = reverse("transfer_list")
    notifications.notify_partner(partner=target, subject=subject, body=body, url=url, email=False)
