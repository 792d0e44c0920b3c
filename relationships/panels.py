"""Dashboard panels of the relationships app (registered in RelationshipsConfig.ready())."""

from django.db.models import Count, Q

from .models import GdapRelationship, GdapStatus, PartnershipStatus, ProviderPartnership


def provider_panel(request) -> dict:
    return ProviderPartnership.objects.filter(provider=request.user.partner).aggregate(
        resellers=Count("id", filter=Q(status=PartnershipStatus.ACCEPTED)),
        pending=Count("id", filter=Q(status=PartnershipStatus.INVITED)),
    )


def customer_panel(request) -> dict:
    return GdapRelationship.objects.filter(customer=request.user.customer).aggregate(
        pending=Count("id", filter=Q(status=GdapStatus.PENDING)),
        active=Count("id", filter=Q(status=GdapStatus.ACTIVE)),
    )
