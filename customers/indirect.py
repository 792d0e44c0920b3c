"""IR-1: the moment a direct-bill customer becomes the partner's indirect customer.

The partner's relationship with the customer turns from `direct` into `indirect_reseller` (and
records `became_indirect_at`), so every list, count, filter and customer page that reads the
relationship's kind says indirect from then on. It happens at the moment the partner's last
live subscription of the customer leaves it (trials aside, as in TX-1's checklist) — moved by a
transfer or ended — while a provider serves the customer for the partner (extension or
indirect invitation), and for every customer when the partner's direct-bill enrollment closes.
A customer the partner never billed anything stays direct-bill until then: the partner can
still sell to it directly, and nothing was "left".
"""

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, QuerySet

from core import audit, clock
from core.models import CustomerRelationship, Partner, RelationshipKind, User
from core.services.relationships import customer_relationship_become_indirect_many

from .models import LIVE_STATUSES, Subscription

OPERATION = "relationship.become_indirect"


def direct_bill_left(partner: Partner) -> QuerySet[Subscription]:
    """The live subscriptions the partner still bills itself (trials aside): a customer with
    one of them is still a direct-bill customer (IR-1, TX-1)."""
    return Subscription.objects.filter(
        billing_partner=partner, status__in=LIVE_STATUSES, is_trial=False
    )


def relationships_become_indirect(
    *,
    actor: User | None,
    partner: Partner,
    customer_ids: Iterable[int] | None = None,
    closing: bool = False,
) -> int:
    """Turn the partner's direct-bill relationships (with `customer_ids`, or all) into indirect
    reseller relationships where IR-1 says the customer is now indirect; `closing`: the
    direct-bill enrollment is closing, so every one of them turns. Runs inside the caller's
    transaction (the change that may have made customers indirect), locks the relationships,
    audits each change and returns how many changed."""
    relationships = CustomerRelationship.objects.active().filter(
        partner=partner, kind=RelationshipKind.DIRECT
    )
    if customer_ids is not None:
        relationships = relationships.filter(customer_id__in=list(customer_ids))
    if not closing:
        relationships = relationships.filter(
            Exists(
                CustomerRelationship.objects.active().filter(
                    customer=OuterRef("customer_id"),
                    kind=RelationshipKind.INDIRECT_PROVIDER,
                    reseller=partner,
                )
            )
        ).exclude(Exists(direct_bill_left(partner).filter(customer=OuterRef("customer_id"))))
    turning = list(
        relationships.select_for_update(of=("self",))
        .select_related("customer")
        .order_by("customer_id")
    )
    if not turning:
        return 0
    now = clock.now()
    customer_relationship_become_indirect_many(relationships=turning, at=now)
    why = (
        "the direct-bill enrollment closed"
        if closing
        else "no direct-bill subscription is left and a provider serves it"
    )
    audit.record_many(
        audit.build(
            actor=actor,
            operation=OPERATION,
            partner=partner,
            customer=r.customer,
            obj=r,
            old_state=RelationshipKind.DIRECT,
            new_state=RelationshipKind.INDIRECT_RESELLER,
            detail=f"{r.customer.company_name} is now an indirect customer: {why} (IR-1).",
            at=now,
        )
        for r in turning
    )
    return len(turning)
