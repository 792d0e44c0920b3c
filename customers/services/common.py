"""What the customers services share: who may act (AC-1), the offer and seat checks, the
subscription a partner may manage, and telling its billing partner (NC-4)."""

from datetime import UTC, datetime
from typing import Any

from core import notifications
from core.exceptions import InvalidInput
from core.models import Customer, CustomerRelationship, Partner, RelationshipKind, Role, User

from ..catalog import OFFERS, Offer
from ..exceptions import NotDirectBillCustomer, SubscriptionExpired, UnknownOffer
from ..models import MAX_QUANTITY, Subscription, SubscriptionStatus
from ..selectors import relationship_of

# AC-1, following Partner Center's roles: Admin agents (and Global admins) buy and manage
# subscriptions and customers; Sales agents may also attest the MCA; everyone may view.
MANAGE_ROLES = (Role.GLOBAL_ADMIN, Role.ADMIN_AGENT)
MCA_ROLES = (Role.GLOBAL_ADMIN, Role.ADMIN_AGENT, Role.SALES_AGENT)


def acting_partner(actor: User) -> Partner:
    """The actor's partner (after `require_role`, which admits partner users only)."""
    partner = actor.partner
    assert partner is not None, "a partner user acts here"
    return partner


def require_direct(partner: Partner, customer: Customer) -> CustomerRelationship:
    """The partner's direct-bill relationship with the customer, or the refusal."""
    rel = relationship_of(partner=partner, customer=customer)
    if rel is None or rel.kind != RelationshipKind.DIRECT:
        raise NotDirectBillCustomer()
    return rel


def offer_of(offer_id: str | None) -> Offer:
    offer = OFFERS.get(offer_id or "")
    if offer is None:
        raise UnknownOffer()
    return offer


def quantity_of(quantity: Any) -> int:
    """A seat count typed by a person or a client: a whole number from 1 to MAX_QUANTITY."""
    try:
        value = int(quantity)
    except (TypeError, ValueError):
        raise InvalidInput("Enter a whole number of licences.") from None
    if not 1 <= value <= MAX_QUANTITY:
        raise InvalidInput(f"The quantity must be between 1 and {MAX_QUANTITY}.")
    return value


def locked_own_subscription(actor: User, subscription: Subscription) -> Subscription:
    """The subscription, locked, if the actor's partner bills it (DB-2: managing existing
    subscriptions stays allowed while Restricted) and it has not expired (NC-1)."""
    sub = (
        Subscription.objects.select_for_update().select_related("customer").get(pk=subscription.pk)
    )
    if (
        sub.billing_partner_id != actor.partner_id
        or actor.partner is None
        or relationship_of(partner=actor.partner, customer=sub.customer) is None
    ):
        raise NotDirectBillCustomer("Only the partner that bills this subscription can manage it.")
    if sub.status == SubscriptionStatus.EXPIRED:
        ended = f" on {sub.ended_at:%d %b %Y}" if sub.ended_at else ""
        raise SubscriptionExpired(
            f"{sub.offer_name} expired{ended} and can't be changed; buy a new subscription instead."
        )
    return sub


def utc(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%d %b %Y %H:%M} UTC"


def window_closed_at(sub: Subscription, at: datetime) -> datetime | None:
    """When the NC-2 window of `sub` closed, if it has closed by `at`."""
    closes = sub.cancellation_window_closes
    return closes if closes is not None and at >= closes else None


def notify_from_template(
    *, partner: Partner, template: str, url: str, email: bool = True, **context: Any
) -> None:
    """Tell the partner's admins what `templates/customers/email/<template>.txt` says, rendered
    once: its first line is the subject, the rest the body (in the portal, and by email unless
    `email` is False)."""
    subject, body = notifications.render_message(f"customers/email/{template}.txt", context)
    notifications.notify_partner(partner=partner, subject=subject, body=body, url=url, email=email)


def tell_billing_partner(sub: Subscription, template: str, **context: Any) -> None:
    """NC-4: the billing partner's admins see every change of its subscriptions in the portal
    (`template` names the change; `sub` is in its context)."""
    notify_from_template(
        partner=sub.billing_partner,
        template=template,
        url=f"/customers/{sub.customer_id}/#subscriptions",
        email=False,
        sub=sub,
        **context,
    )


def end_stamp(new: str, at: datetime) -> dict[str, Any]:
    """The fields a move to `new` stamps besides the status: deleted and expired subscriptions
    record `ended_at`."""
    if new in (SubscriptionStatus.DELETED, SubscriptionStatus.EXPIRED):
        return {"ended_at": at}
    return {}
