"""CU-6: what admin permissions a partner holds in a customer tenant — only those of a GDAP
relationship the customer approved and that is still active. Other apps ask here."""

from django.db.models import Exists, OuterRef

from partnerportal import clock

from .models import GdapRelationship, GdapStatus


def active_gdap(partner, customer):
    return GdapRelationship.objects.filter(
        partner=partner, customer=customer, status=GdapStatus.ACTIVE, ends_at__gt=clock.now()
    )


def has_admin_permissions(partner, customer) -> bool:
    """True only while an approved GDAP relationship of `partner` with `customer` is active."""
    return active_gdap(partner, customer).exists()


def admin_roles(partner, customer) -> list[str]:
    """The Entra role labels `partner` holds in `customer`'s tenant through active GDAP."""
    labels = []
    for gdap in active_gdap(partner, customer):
        labels += [r for r in gdap.role_labels() if r not in labels]
    return labels


def annotate_admin_permissions(relationships, name="admin_permissions"):
    """Annotate a CustomerRelationship queryset with CU-6 admin permissions (one query)."""
    return relationships.annotate(
        **{
            name: Exists(
                GdapRelationship.objects.filter(
                    partner=OuterRef("partner"),
                    customer=OuterRef("customer"),
                    status=GdapStatus.ACTIVE,
                    ends_at__gt=clock.now(),
                )
            )
        }
    )
