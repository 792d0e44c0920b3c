"""The new commerce subscription lifecycle on the simulation clock (NC-1, NC-3), run by the
periodic sweep (`customers.tasks`): terms that ended renew or expire, trials that ended convert
or expire. Set-based: each pass locks a chunk of due subscriptions (skip locked, so concurrent
sweeps share the work), writes them with one statement per kind of change, records one audit
event per subscription and tells each billing partner once per chunk.

Not `sweep.each_due` (a transaction per row): a book of 100,000 subscriptions can reach its
term end on one day, and the chunks keep that to a few statements per 500 rows (see
docs/architecture.md, "At scale"); what a killed sweep committed stays done all the same."""

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import cast

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from core import audit
from core.fsm import apply_transition_many
from core.models import Partner

from .indirect import relationships_become_indirect
from .models import SUBSCRIPTION_TRANSITIONS, ProductType, Subscription, SubscriptionStatus
from .services.common import notify_from_template
from .terms import BILLING_CYCLES_BY_TERM as TERMS
from .terms import add_months, term_end

CHUNK = 500
DEFAULT_PAID_TERM = "P1M"


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _each_chunk(
    due: QuerySet[Subscription], handle_chunk: Callable[[list[Subscription]], None]
) -> int:
    """Call `handle_chunk(rows)` with up to CHUNK locked due rows at a time, each chunk in its
    own transaction, until none is left (or only rows another sweep holds)."""
    handled = 0
    while True:
        with transaction.atomic():
            rows = list(
                due.select_for_update(skip_locked=True, of=("self",)).select_related(
                    "customer", "billing_partner"
                )[:CHUNK]
            )
            if rows:
                handle_chunk(rows)
        handled += len(rows)
        if len(rows) < CHUNK:
            return handled


def _next_term(sub: Subscription, today: date) -> tuple[date, date]:
    """The (start, end) of the term that is current `today`, renewing `sub`'s term in steps of
    its own length from the day after its commitment end (due: it has one, and a term of
    TERMS)."""
    assert sub.commitment_end_date is not None

    def end_of(start: date) -> date:
        end = term_end(start, sub.term_duration)
        assert end is not None
        return end

    start = sub.commitment_end_date + timedelta(days=1)
    end = end_of(start)
    while end < today:
        start = end + timedelta(days=1)
        end = end_of(start)
    return start, end


def _end(
    rows: list[Subscription],
    *,
    now: datetime,
    operation: str,
    detail: Callable[[Subscription], str],
) -> None:
    """End `rows` (active → expired; suspended → deleted, the only end the transition table
    allows it): per target status one UPDATE and one insert of an audit event per
    subscription (`apply_transition_many`, the set-based transition)."""
    by_status: dict[str, list[Subscription]] = defaultdict(list)
    for sub in rows:
        new = (
            SubscriptionStatus.EXPIRED
            if sub.status == SubscriptionStatus.ACTIVE
            else SubscriptionStatus.DELETED
        )
        by_status[new].append(sub)
    for status, subs in by_status.items():
        apply_transition_many(
            subs,
            SUBSCRIPTION_TRANSITIONS,
            status,
            actor=None,
            operation=operation,
            partner_of=lambda s: s.billing_partner,
            customer_of=lambda s: s.customer,
            detail=detail,
            label="subscription status",
            at=now,
            ended_at=now,
        )
    # IR-1: a subscription that ended may have been the last one a partner billed a customer.
    by_partner = defaultdict(set)
    for sub in rows:
        by_partner[sub.billing_partner].add(sub.customer_id)
    for partner, customer_ids in by_partner.items():
        relationships_become_indirect(actor=None, partner=partner, customer_ids=customer_ids)


def _tell_partners(changes: dict[Partner, list[tuple[str, Subscription]]]) -> None:
    """One notification per billing partner for what a chunk did to its subscriptions: each
    change is (kind, subscription), kind one of renewed, expired, trial_converted, trial_ended
    (`templates/customers/email/subscriptions_term_end.txt`)."""
    for partner, lines in changes.items():
        notify_from_template(
            partner=partner, template="subscriptions_term_end", url="/customers/", changes=lines
        )


# --- NC-1: term ends ----------------------------------------------------------------------------


def renew_or_expire_terms(now: datetime) -> int:
    """NC-1: an active new commerce licence-based subscription whose term ended (the clock is
    past its commitment end date) renews for the same term when auto-renew is on — a new
    commitment end, the seats scheduled for the renewal, and `term_started_at` reopens the NC-2
    window — and expires otherwise, its add-ons with it. Partner Center's auto-renew setting:
    https://learn.microsoft.com/partner-center/developer/update-autorenew-for-an-azure-marketplace-subscription
    """
    today = timezone.localdate(now)
    due = Subscription.objects.filter(
        product_type=ProductType.LICENSE,
        is_trial=False,
        status=SubscriptionStatus.ACTIVE,
        commitment_end_date__lt=today,
    )

    def handle(rows: list[Subscription]) -> None:
        expiring = [s for s in rows if not s.auto_renew or s.term_duration not in TERMS]
        expiring_ids = {s.pk for s in expiring}
        # An add-on never outlives its base (TR-11): it ends with it, whatever its own term.
        add_ons = list(
            Subscription.objects.select_for_update()
            .select_related("customer", "billing_partner")
            .filter(
                parent_id__in=expiring_ids,
                status__in=[SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED],
            )
        )
        ending_ids = expiring_ids | {s.pk for s in add_ons}
        renewing = [s for s in rows if s.pk not in ending_ids]
        changes = defaultdict(list)
        events = []
        for sub in renewing:
            old_end = sub.commitment_end_date
            start, sub.commitment_end_date = _next_term(sub, today)
            sub.term_started_at = _start_of(start)
            seats = ""
            if sub.renewal_quantity:  # the seats scheduled for the renewal (NC-2)
                seats = f", seats {sub.quantity} → {sub.renewal_quantity}"
                sub.quantity, sub.renewal_quantity = sub.renewal_quantity, None
            events.append(
                audit.build(
                    actor=None,
                    operation="subscription.renew",
                    partner=sub.billing_partner,
                    customer=sub.customer,
                    obj=sub,
                    old_state=f"ends {old_end:%Y-%m-%d}",
                    new_state=f"ends {sub.commitment_end_date:%Y-%m-%d}",
                    detail=f"{sub.offer_name}: renewed for {sub.term_duration}{seats}",
                    at=now,
                )
            )
            changes[sub.billing_partner].append(("renewed", sub))
        Subscription.objects.bulk_update(
            renewing, ["commitment_end_date", "term_started_at", "quantity", "renewal_quantity"]
        )
        if events:
            audit.record_many(events)
        ending = [*expiring, *add_ons]
        _end(
            ending,
            now=now,
            operation="subscription.expire",
            detail=lambda s: (
                f"{s.offer_name}: term ended on {s.commitment_end_date}, auto-renew off"
                if s.pk in expiring_ids
                else f"{s.offer_name}: ended with its base subscription"
            ),
        )
        for sub in ending:
            changes[sub.billing_partner].append(("expired", sub))
        _tell_partners(changes)

    return _each_chunk(due, handle)


# --- NC-3: trials -------------------------------------------------------------------------------


def end_trials(now: datetime) -> int:
    """NC-3: a trial lasts one month (its commitment end date; without one, a month from its
    purchase). At its end it converts to a paid subscription when conversion was chosen
    (auto-renew on, as Partner Center's new commerce trials do) — a first paid term starts the
    day after — and expires otherwise. https://learn.microsoft.com/partner-center/developer/convert-a-trial-subscription-to-paid
    """
    today = timezone.localdate(now)
    months = cast(int, settings.PROGRAM_RULES["NC_TRIAL_MONTHS"])
    started_before = _start_of(add_months(today, -months))
    due = Subscription.objects.filter(
        Q(commitment_end_date__lt=today)
        | Q(commitment_end_date__isnull=True, created_at__lt=started_before),
        is_trial=True,
        status__in=[SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED],
    )

    def handle(rows: list[Subscription]) -> None:
        converting = [s for s in rows if s.status == SubscriptionStatus.ACTIVE and s.auto_renew]
        changes = defaultdict(list)
        events = []
        for sub in converting:
            trial_end = sub.commitment_end_date or (
                add_months(timezone.localdate(sub.created_at), months) - timedelta(days=1)
            )
            if sub.term_duration not in TERMS:
                sub.term_duration = DEFAULT_PAID_TERM
            start = trial_end + timedelta(days=1)
            sub.is_trial = False
            sub.commitment_end_date = term_end(start, sub.term_duration)
            sub.term_started_at = _start_of(start)
            events.append(
                audit.build(
                    actor=None,
                    operation="subscription.trial_convert",
                    partner=sub.billing_partner,
                    customer=sub.customer,
                    obj=sub,
                    old_state="trial",
                    new_state="paid",
                    detail=f"{sub.offer_name}: paid {sub.term_duration} term from {start}",
                    at=now,
                )
            )
            changes[sub.billing_partner].append(("trial_converted", sub))
        Subscription.objects.bulk_update(
            converting, ["is_trial", "term_duration", "commitment_end_date", "term_started_at"]
        )
        if events:
            audit.record_many(events)
        converting_ids = {s.pk for s in converting}
        ending = [s for s in rows if s.pk not in converting_ids]
        _end(
            ending,
            now=now,
            operation="subscription.trial_expire",
            detail=lambda s: f"{s.offer_name}: trial ended without conversion",
        )
        for sub in ending:
            changes[sub.billing_partner].append(("trial_ended", sub))
        _tell_partners(changes)

    return _each_chunk(due, handle)
