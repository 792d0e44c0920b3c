"""TR-5: a legacy subscription migrates to new commerce — the legacy one ends and its new
commerce equivalent starts, billed by the same partner, with the term, billing frequency and
seat count the partner chooses. `customers.nce_migrations` runs it on the worker."""

from datetime import date
from typing import Any

from django.db import transaction

from core import audit, clock
from core.fsm import apply_transition
from core.models import User
from core.roles import require_role
from enrollment.capabilities import require_transacting

from ..catalog import LEGACY_EQUIVALENTS, NEW_COMMERCE_TYPE, OFFERS
from ..exceptions import InvalidMigrationTerms, NotLegacySubscription, SubscriptionNotActive
from ..models import (
    LIVE_STATUSES,
    SUBSCRIPTION_TRANSITIONS,
    BillingCycle,
    ProductType,
    Subscription,
    SubscriptionStatus,
)
from ..terms import BILLING_CYCLES_BY_TERM, term_end
from .common import (
    MANAGE_ROLES,
    acting_partner,
    locked_own_subscription,
    quantity_of,
    require_direct,
    tell_billing_partner,
)

# What a migration creates: (term, billing cycle, seats, commitment end).
MigrationTerms = tuple[str, str, int, date | None]


def _migration_terms(
    sub: Subscription,
    *,
    term: str | None,
    billing_cycle: str | None,
    quantity: Any,
    full_term: bool | None,
    today: date,
) -> MigrationTerms:
    """The (term, billing cycle, quantity, commitment end) a migration creates, from the
    partner's choices with the legacy subscription's values as defaults; refused when they
    don't fit together (TR-5). A legacy Azure subscription becomes a pay-as-you-go Azure plan:
    nothing to choose."""
    if sub.product_type == ProductType.LEGACY_AZURE:
        if term or billing_cycle or quantity not in (None, "", sub.quantity) or full_term is False:
            raise InvalidMigrationTerms(
                "An Azure plan is pay-as-you-go: it has no term, billing frequency, seat count "
                "or term end to choose."
            )
        term = sub.term_duration or "P1Y"
        return term, sub.billing_cycle, sub.quantity, term_end(today, term)
    term = (term or sub.term_duration or "P1Y").upper()
    if term not in BILLING_CYCLES_BY_TERM:
        raise InvalidMigrationTerms(f"The term must be P1M, P1Y or P3Y, not {term!r}.")
    allowed = BILLING_CYCLES_BY_TERM[term]
    cycle = (billing_cycle or "").lower()
    if not cycle:
        cycle = sub.billing_cycle if sub.billing_cycle in allowed else BillingCycle.MONTHLY
    if cycle not in allowed:
        names = " or ".join(str(BillingCycle(c).label).lower() for c in allowed)
        raise InvalidMigrationTerms(f"A {term} term is billed {names}, not {cycle!r}.")
    quantity = sub.quantity if quantity in (None, "") else quantity_of(quantity)
    full_end = term_end(today, term)
    assert full_end is not None  # a term of BILLING_CYCLES_BY_TERM
    current_end = sub.commitment_end_date
    if full_term is None:  # keep the current term end when it fits in the new term
        full_term = current_end is None or not today <= current_end <= full_end
    if full_term:
        return term, cycle, quantity, full_end
    if current_end is None or current_end < today:
        raise InvalidMigrationTerms(
            "The legacy subscription has no current term end to keep; migrate with a full term."
        )
    if current_end > full_end:
        raise InvalidMigrationTerms(
            f"The current term ends on {current_end:%d %b %Y}, after a {term} term bought today "
            f"would ({full_end:%d %b %Y}); choose a longer term or a full term."
        )
    return term, cycle, quantity, current_end


def checked_migration(
    *,
    actor: User,
    subscription: Subscription,
    term_duration: str | None,
    billing_cycle: str | None,
    quantity: Any,
    full_term: bool | None,
    today: date,
) -> tuple[Subscription, MigrationTerms]:
    """The locked legacy subscription and its new commerce terms (term, cycle, seats, end), or
    the refusal: only the direct-bill partner that bills it (TR-10), an active legacy
    subscription, options that fit (TR-5). Callers hold a transaction."""
    sub = locked_own_subscription(actor, subscription)
    require_direct(acting_partner(actor), sub.customer)
    if not sub.is_legacy:
        raise NotLegacySubscription()
    require_transacting(partner=sub.billing_partner, action="bill subscriptions")  # TR-10
    if sub.status != SubscriptionStatus.ACTIVE:
        raise SubscriptionNotActive("Only an active legacy subscription can be migrated.")
    terms = _migration_terms(
        sub,
        term=term_duration,
        billing_cycle=billing_cycle,
        quantity=quantity,
        full_term=full_term,
        today=today,
    )
    return sub, terms


@audit.refusals("subscription.migrate_new_commerce")
def subscription_migrate_new_commerce(
    *,
    actor: User,
    subscription: Subscription,
    term_duration: str | None = None,
    billing_cycle: str | None = None,
    quantity: int | str | None = None,
    full_term: bool | None = True,
) -> Subscription:
    """End a legacy subscription and create its new commerce equivalent, billed by the same
    partner, with the term, billing frequency and seat count the partner chooses (defaults:
    the legacy subscription's, P1Y when it had no term). `full_term` starts a full new term
    today; False keeps the legacy term end; None keeps it when it fits in the new term (Partner
    Center's `purchaseFullTerm`, https://learn.microsoft.com/partner-center/developer/create-migration).
    Only the direct-bill partner that bills it."""
    require_role(actor, *MANAGE_ROLES)
    at = clock.now()
    with transaction.atomic():
        sub, (term, cycle, seats, end) = checked_migration(
            actor=actor,
            subscription=subscription,
            term_duration=term_duration,
            billing_cycle=billing_cycle,
            quantity=quantity,
            full_term=full_term,
            today=at.date(),
        )
        offer = OFFERS.get(LEGACY_EQUIVALENTS.get(sub.offer_id, ""))
        new = Subscription.objects.create(
            customer=sub.customer,
            billing_partner=sub.billing_partner,
            partner_of_record=sub.partner_of_record,
            offer_id=offer.offer_id if offer else f"{sub.offer_id}:NCE",
            offer_name=offer.name if offer else sub.offer_name.replace(" (legacy)", ""),
            product_type=NEW_COMMERCE_TYPE.get(sub.product_type, ProductType.LICENSE),
            quantity=seats,
            term_duration=term,
            billing_cycle=cycle,
            commitment_end_date=end,
            term_started_at=at,
            auto_renew=sub.auto_renew,
            is_trial=sub.is_trial,
            migrated_from=sub,
            created_at=at,
        )
        Subscription.objects.filter(parent=sub, status__in=LIVE_STATUSES).update(parent=new)
        apply_transition(
            sub,
            SUBSCRIPTION_TRANSITIONS,
            SubscriptionStatus.DELETED,
            actor=actor,
            operation="subscription.migrate_new_commerce",
            customer=sub.customer,
            detail=(
                f"{sub.offer_name} ×{sub.quantity} migrated to {new.offer_name} ×{seats}, "
                f"{term} billed {cycle}, term ends {end:%d %b %Y}"
            ),
            label="subscription status",
            at=at,
            recorded_states=(f"{sub.product_type} active", f"{new.product_type} {new.pk}"),
            ended_at=at,
        )
        tell_billing_partner(sub, "subscription_migrated")
    return new
