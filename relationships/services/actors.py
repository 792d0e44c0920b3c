"""Who a service acts for: the partner of a partner user, the customer of a customer admin.
The services' role checks have already refused anyone else; these say so to the type checker."""

from core.models import Customer, Partner, User


def partner_of(actor: User) -> Partner:
    partner = actor.partner
    assert partner is not None, "only a partner user gets here (its role was checked)"
    return partner


def customer_of(actor: User) -> Customer:
    customer = actor.customer
    assert customer is not None, "only a customer admin gets here (its role was checked)"
    return customer
