"""The repair path for orphaned add-ons (TR-11): an add-on whose base its billing partner no
longer bills can be transferred on its own to the partner that bills the base now (see
`selection_reason`), or ended here by its billing partner, so it never blocks closing."""

import uuid

from django.db import transaction

from core import audit, clock
from core.fsm import apply_transition
from core.models import Role, User
from core.roles import require_role
from customers.indirect import relationships_become_indirect
from customers.models import SUBSCRIPTION_TRANSITIONS, Subscription, SubscriptionStatus

from ..exceptions import NotAnOrphanedAddOn
from ..readiness import orphaned_add_ons
from .common import partner_of

ORPHAN_ROLES = (Role.GLOBAL_ADMIN, Role.ADMIN_AGENT)


@audit.refusals("subscription.end_orphan")
def subscription_end_orphan(
    *, actor: User, subscription: Subscription | uuid.UUID | str
) -> Subscription:
    """The billing partner ends (cancels) one of its orphaned add-ons: active or suspended →
    deleted. Anything else — an add-on with its base, another partner's — is refused."""
    require_role(actor, *ORPHAN_ROLES)
    pk = _subscription_pk(subscription)
    now = clock.now()
    with transaction.atomic():
        sub = (
            orphaned_add_ons(partner_of(actor))
            .filter(pk=pk)
            .select_for_update(of=("self",))
            .first()
        )
        if sub is None:
            raise NotAnOrphanedAddOn()
        apply_transition(
            sub,
            SUBSCRIPTION_TRANSITIONS,
            SubscriptionStatus.DELETED,
            actor=actor,
            operation="subscription.end_orphan",
            partner=partner_of(actor),
            customer=sub.customer,
            detail=f"{sub.offer_name}: an add-on left behind by its base, ended (TR-11)",
            label="subscription status",
            at=now,
            ended_at=now,
        )
        # IR-1: that may have been the last thing the partner billed this customer.
        relationships_become_indirect(
            actor=actor, partner=partner_of(actor), customer_ids=[sub.customer_id]
        )
    return sub


def _subscription_pk(value: object) -> uuid.UUID:
    try:
        return uuid.UUID(str(getattr(value, "pk", value)))
    except (TypeError, ValueError):
        raise NotAnOrphanedAddOn() from None
