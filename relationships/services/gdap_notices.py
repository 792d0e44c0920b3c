"""What the two sides of a GDAP relationship are told (GD-1..GD-3): the customer's admins are
asked to answer a request; both sides hear of its end, extension and expiry notices."""

from django.db.models import QuerySet
from django.urls import reverse

from core import notifications
from core.models import Customer, Role, User

from .. import emails
from ..models import GdapRelationship


def _customer_admins(customer: Customer) -> QuerySet[User]:
    return User.objects.filter(customer=customer, is_active=True)


def ask_customer(gdap: GdapRelationship) -> None:
    """Tell the customer's admins a request waits for their answer."""
    subject, body = emails.render(
        "gdap_request", gdap=gdap, url=notifications.email_link(reverse("customer_gdap"))
    )
    admins = list(_customer_admins(gdap.customer))
    notifications.notify(users=admins, subject=subject, url=reverse("customer_gdap"))
    if admins:
        notifications.queue_email(to=[a.email for a in admins], subject=subject, body=body)


def tell_both(gdap: GdapRelationship, subject: str, body: str = "") -> None:
    notifications.notify_partner(
        partner=gdap.partner,
        roles=(Role.ADMIN_AGENT, Role.GLOBAL_ADMIN),
        subject=subject,
        body=body,
        url=reverse("partner_gdap"),
    )
    _tell_customer(gdap, subject, body)


def _tell_customer(gdap: GdapRelationship, subject: str, body: str = "") -> None:
    admins = list(_customer_admins(gdap.customer))
    notifications.notify(users=admins, subject=subject, body=body, url=reverse("customer_gdap"))
    if admins:
        notifications.queue_email(
            to=[a.email for a in admins], subject=subject, body=body or subject
        )
