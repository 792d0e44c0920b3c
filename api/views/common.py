"""What every /v1/ view uses: the caller's customer (AC-2), ids from the path and the body,
and the validated body."""

import uuid

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions

from core.models import CustomerRelationship, Partner
from core.roles import customer_for

from ..exceptions import SubscriptionNotFound, UnknownPartner
from ..inputs import with_canonical_names

CUSTOMER_ID = OpenApiParameter(
    "customer_id", str, location=OpenApiParameter.PATH, description="The customer's tenant ID."
)


def parse_uuid(value, what="resource") -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        if what == "subscription":
            raise SubscriptionNotFound() from None
        raise Http404(f"No such {what}.") from None


def caller_relationship(partner, customer_tenant_id) -> CustomerRelationship:
    """The caller's active relationship with the customer whose tenant ID is given; 404 for
    an unknown customer or one of another partner (AC-2, via roles.customer_for)."""
    tid = parse_uuid(customer_tenant_id, "customer")
    rel = (
        CustomerRelationship.objects.active()
        .select_related("customer__tenant", "reseller__tenant")
        .filter(partner=partner, customer__tenant_id=tid)
        .first()
    )
    if rel is None:
        raise Http404("No such customer.")
    customer_for(partner, rel.customer_id)  # the one AC-2 check shared with the pages
    return rel


def customer_of_caller(partner, customer_tenant_id):
    return caller_relationship(partner, customer_tenant_id).customer


def validated(serializer_class, request):
    if not isinstance(request.data, dict):
        raise exceptions.ValidationError({"body": ["Send a JSON object."]})
    s = serializer_class(data=with_canonical_names(request.data, serializer_class))
    s.is_valid(raise_exception=True)
    return s.validated_data


def partner_by_id(value, field) -> Partner:
    """A partner by tenant ID (Partner Center's ids) or by PartnerID (6–7 digits)."""
    value = (value or "").strip()
    try:
        partner = Partner.objects.filter(tenant_id=uuid.UUID(value)).first()
    except ValueError:
        partner = Partner.objects.filter(partner_id=value).first() if value else None
    if partner is None:
        raise UnknownPartner(f"{field}: no partner has the tenant ID or PartnerID {value!r}.")
    return partner


def partner_id_of(value) -> str:
    """Tenant ID → PartnerID for services that take a PartnerID; other values pass through so
    the service gives its own refusal (e.g. source_partner_not_found)."""
    value = (value or "").strip()
    try:
        partner = Partner.objects.filter(tenant_id=uuid.UUID(value)).first()
    except ValueError:
        return value
    return partner.partner_id if partner else value
