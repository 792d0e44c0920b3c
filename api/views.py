"""The /v1/ endpoints. Each is thin: it resolves the caller's objects (AC-2: another partner's
object is 404) and calls the same service function as the portal page (AP-3)."""

import uuid
from datetime import UTC, datetime, time, timedelta
from urllib.parse import quote

from django.conf import settings
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

from core import clock
from core.models import AuditEvent, CustomerRelationship, Partner
from core.roles import customer_for
from customers.models import Subscription
from customers.selectors import visible_relationships
from relationships.models import PartnershipStatus, ProviderPartnership

from . import audit_vocabulary
from .base import PAGING_PARAMS, PartnerCenterView, collection, encoded_collection, errors
from .customer_list import SEARCH_FIELDS, CustomerRows, customer_json
from .exceptions import SubscriptionNotFound
from .filters import enum_choice, field_filter
from .representations import (
    RELATIONSHIP_TYPE_BY_KIND,
    AuditRecordSerializer,
    BillingProfileSerializer,
    CompanyProfileSerializer,
    CustomerSerializer,
    MpnProfileSerializer,
    PartnerRelationshipSerializer,
    SubscriptionSerializer,
    collection_of,
    customer_resource,
    with_meta,
)

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


# --- profile -------------------------------------------------------------------------------

MpnProfile = with_meta(MpnProfileSerializer)


class MpnProfileView(PartnerCenterView):
    @extend_schema(
        operation_id="profiles_mpn",
        summary="Get the caller's partner program (MPN) profile",
        responses={200: MpnProfile, **errors()},
    )
    def get(self, request):
        return Response(MpnProfileSerializer(request.partner).data)


# --- customers -----------------------------------------------------------------------------

Customer = with_meta(CustomerSerializer)
CustomerCollection = collection_of(Customer, "CustomerCollection")


CUSTOMER_FILTER = OpenApiParameter(
    "filter",
    str,
    required=False,
    description=(
        'A URL-encoded SimpleFieldFilter: {"Field": "<CompanyName | Domain | IndirectReseller | '
        'IndirectCloudSolutionProvider>", "Value": "<prefix>", "Operator": "starts_with"}. '
        "IndirectReseller takes the reseller's tenant ID (a provider's customers of that "
        "reseller); IndirectCloudSolutionProvider the provider's (a reseller's customers served "
        "by that provider)."
    ),
)


class CustomerListView(PartnerCenterView):
    """GET /v1/customers ("Get a list of customers"): customers the caller has an active
    relationship with (AC-2). `filter` narrows them as "Get a list of customers filtered by a
    search field" documents; with Field IndirectReseller a provider lists the customers it
    serves for one reseller, as in "Get customers of an indirect reseller"
    (https://learn.microsoft.com/en-us/partner-center/developer/get-customers-of-an-indirect-reseller)
    — only its own relationships are searched, so another partner's customers never show."""

    @extend_schema(
        operation_id="customers_list",
        parameters=[CUSTOMER_FILTER, *PAGING_PARAMS],
        responses={200: CustomerCollection, **errors(400)},
    )
    def get(self, request):
        search = field_filter(request, SEARCH_FIELDS)
        rows = CustomerRows(request.partner, search)
        query = search.query if search else ""
        return encoded_collection(request, rows, customer_json, "/customers", extra_query=query)


class CustomerDetailView(PartnerCenterView):
    @extend_schema(
        operation_id="customers_get",
        parameters=[CUSTOMER_ID],
        responses={200: Customer, **errors(404)},
    )
    def get(self, request, customer_id):
        rel = caller_relationship(request.partner, customer_id)
        return Response(CustomerSerializer(rel).data)


class CustomerCompanyProfileView(PartnerCenterView):
    """GET /v1/customers/{id}/profiles/company ("Get a customer's company profile",
    https://learn.microsoft.com/en-us/partner-center/developer/get-a-customer-s-company-profile):
    the `companyProfile` of the Customer resource, which links here."""

    @extend_schema(
        operation_id="customers_profiles_company",
        parameters=[CUSTOMER_ID],
        responses={200: CompanyProfileSerializer, **errors(404)},
    )
    def get(self, request, customer_id):
        rel = caller_relationship(request.partner, customer_id)
        return Response(customer_resource(rel)["companyProfile"])


class CustomerBillingProfileView(PartnerCenterView):
    """GET /v1/customers/{id}/profiles/billing ("Get a customer's billing profile",
    https://learn.microsoft.com/en-us/partner-center/developer/get-a-customer-s-billing-profile):
    the `billingProfile` of the Customer resource, which links here."""

    @extend_schema(
        operation_id="customers_profiles_billing",
        parameters=[CUSTOMER_ID],
        responses={200: BillingProfileSerializer, **errors(404)},
    )
    def get(self, request, customer_id):
        rel = caller_relationship(request.partner, customer_id)
        return Response(customer_resource(rel)["billingProfile"])


PartnerRelationship = with_meta(PartnerRelationshipSerializer, links=False)
PartnerRelationshipCollection = collection_of(PartnerRelationship, "PartnerRelationshipCollection")


class CustomerRelationshipsView(PartnerCenterView):
    """GET /v1/customers/{id}/relationships: the partners of a customer (MV-6) the caller may
    see — itself, its providers or resellers for this customer, never another reseller's
    (AC-2, IR-4) — each partner once per relationship type. Partner Center answers "with
    respect to the logged in partner":
    https://learn.microsoft.com/en-us/partner-center/developer/get-indirect-resellers-of-a-customer
    """

    @extend_schema(
        operation_id="customers_relationships",
        parameters=[CUSTOMER_ID, *PAGING_PARAMS],
        responses={200: PartnerRelationshipCollection, **errors(400, 404)},
    )
    def get(self, request, customer_id):
        customer = customer_of_caller(request.partner, customer_id)
        rels = (
            visible_relationships(partner=request.partner, customer=customer)
            .select_related("partner__tenant")
            .order_by("established_at", "id")
        )
        rows = {}
        for r in rels:
            rows.setdefault(
                (r.partner_id, r.kind),
                {
                    "partner": r.partner,
                    "type": RELATIONSHIP_TYPE_BY_KIND[r.kind],
                    "state": "Active",
                },
            )
        rows = list(rows.values())
        path = f"/customers/{customer.tenant_id}/relationships"
        return collection(request, rows, PartnerRelationshipSerializer, path)


# --- subscriptions -------------------------------------------------------------------------

SubscriptionResource = with_meta(SubscriptionSerializer)
SubscriptionCollection = collection_of(SubscriptionResource, "SubscriptionCollection")


def subscriptions_visible(partner, customer):
    """The customer's subscriptions the caller bills or is the reseller of record for."""
    from django.db.models import Q

    return (
        Subscription.objects.filter(customer=customer)
        .filter(Q(billing_partner=partner) | Q(partner_of_record=partner))
        .select_related("customer", "partner_of_record")
        .order_by("offer_name", "id")
    )


class SubscriptionListView(PartnerCenterView):
    @extend_schema(
        operation_id="subscriptions_list",
        parameters=[CUSTOMER_ID, *PAGING_PARAMS],
        responses={200: SubscriptionCollection, **errors(400, 404)},
    )
    def get(self, request, customer_id):
        customer = customer_of_caller(request.partner, customer_id)
        rows = subscriptions_visible(request.partner, customer)
        path = f"/customers/{customer.tenant_id}/subscriptions"
        return collection(request, rows, SubscriptionSerializer, path)


class SubscriptionDetailView(PartnerCenterView):
    @extend_schema(
        operation_id="subscriptions_get",
        parameters=[
            CUSTOMER_ID,
            OpenApiParameter("subscription_id", str, location=OpenApiParameter.PATH),
        ],
        responses={200: SubscriptionResource, **errors(404)},
    )
    def get(self, request, customer_id, subscription_id):
        customer = customer_of_caller(request.partner, customer_id)
        sid = parse_uuid(subscription_id, "subscription")
        sub = subscriptions_visible(request.partner, customer).filter(pk=sid).first()
        if sub is None:
            raise SubscriptionNotFound()
        return Response(SubscriptionSerializer(sub).data)


# --- partner relationships -----------------------------------------------------------------

# "Retrieve a list of indirect resellers"
# (https://learn.microsoft.com/en-us/partner-center/developer/retrieve-a-list-of-indirect-resellers):
# relationship_type names the caller's side of the relationship. A provider lists its indirect
# resellers with IsIndirectCloudSolutionProviderOf; a reseller lists its indirect providers with
# IsIndirectResellerOf. Each item's relationshipType is that name as Partner Center writes it
# (snake case, as in the documented response and the Java SDK's PartnerRelationshipType).
PROVIDER_SIDE = "IsIndirectCloudSolutionProviderOf"
RESELLER_SIDE = "IsIndirectResellerOf"
RELATIONSHIP_TYPES = (PROVIDER_SIDE, RESELLER_SIDE)
RELATIONSHIP_TYPE_WIRE = {
    PROVIDER_SIDE: "is_indirect_cloud_solution_provider_of",
    RESELLER_SIDE: "is_indirect_reseller_of",
}
# PartnerRelationshipSearchField has one member, Name, searched by substring (the SDKs'
# IRelationshipCollection.Query).
RELATIONSHIP_FILTER = OpenApiParameter(
    "filter",
    str,
    required=False,
    description='A URL-encoded {"Field": "Name", "Value": "<text>", "Operator": "substring"}.',
)


def partners_on_other_side(partner, relationship_type):
    """The partners of the caller's accepted partnerships (PV-2) on the other side of
    `relationship_type`; 400 when the caller is not on the side the type names."""
    accepted = ProviderPartnership.objects.filter(status=PartnershipStatus.ACCEPTED)
    if relationship_type == PROVIDER_SIDE:
        if not partner.is_indirect_provider:
            raise exceptions.ValidationError(
                {
                    "relationship_type": [
                        f"{PROVIDER_SIDE} lists an indirect provider's resellers and you are not "
                        f"an indirect provider; list your indirect providers with "
                        f"relationship_type={RESELLER_SIDE}."
                    ]
                }
            )
        ids = accepted.filter(provider=partner).values("reseller_id")
    else:
        if partner.is_indirect_provider:
            raise exceptions.ValidationError(
                {
                    "relationship_type": [
                        f"{RESELLER_SIDE} lists an indirect reseller's providers and you are an "
                        f"indirect provider; list your indirect resellers with "
                        f"relationship_type={PROVIDER_SIDE}, as Partner Center documents."
                    ]
                }
            )
        ids = accepted.filter(reseller=partner).values("provider_id")
    return Partner.objects.filter(pk__in=ids).select_related("tenant")


class RelationshipListView(PartnerCenterView):
    """GET /v1/relationships?relationship_type=IsIndirectCloudSolutionProviderOf: a provider's
    indirect resellers; `IsIndirectResellerOf`: a reseller's indirect providers (PV-2: each
    appears in the other's list once the partnership invitation is accepted). PartnerRelationship
    items (Relationships resources:
    https://learn.microsoft.com/en-us/partner-center/developer/relationships-resources)."""

    @extend_schema(
        operation_id="relationships_list",
        parameters=[
            OpenApiParameter(
                "relationship_type",
                str,
                enum=list(RELATIONSHIP_TYPES),
                required=True,
                description="Your side of the relationship (case and underscores ignored).",
            ),
            RELATIONSHIP_FILTER,
            *PAGING_PARAMS,
        ],
        responses={200: PartnerRelationshipCollection, **errors(400)},
    )
    def get(self, request):
        kind = enum_choice(
            request.query_params.get("relationship_type"),
            RELATIONSHIP_TYPES,
            param="relationship_type",
        )
        partners = partners_on_other_side(request.partner, kind)
        search = field_filter(request, ("Name",), operators=("substring",))
        if search:
            partners = partners.filter(legal_name__icontains=search.value)
        partners = partners.order_by("legal_name", "id")
        wire = RELATIONSHIP_TYPE_WIRE[kind]
        rows = [{"partner": p, "type": wire, "state": "Active"} for p in partners]
        query = f"relationship_type={kind}" + (f"&{search.query}" if search else "")
        return collection(
            request, rows, PartnerRelationshipSerializer, "/relationships", extra_query=query
        )


# --- audit records -------------------------------------------------------------------------

AuditRecord = with_meta(AuditRecordSerializer, links=False)
AuditRecordCollection = collection_of(AuditRecord, "AuditRecordCollection")


# The request sample of "Get a record of Partner Center activity" sends
# `startDate=6/1/2017 12:00:00 AM`; the URI parameters table says yyyy-mm-dd.
US_DATE_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y")


def _parse_us_date(value: str) -> datetime | None:
    """A date as the docs' request sample writes it (`6/1/2017 12:00:00 AM`), or None."""
    for fmt in US_DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None


def _parse_date(value, name, *, end=False):
    """An ISO 8601 date or date-time, or the docs' `6/1/2017 12:00:00 AM`; a date-only `end`
    means the end of that day."""
    if value in (None, ""):
        return None
    try:
        parsed = _parse_us_date(value.strip()) or datetime.fromisoformat(value)
        if len(value) <= 10:
            parsed = datetime.combine(parsed.date(), time.min)
            if end:
                parsed += timedelta(days=1)
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed, UTC)
    except (ValueError, OverflowError):
        raise exceptions.ValidationError(
            {name: ["Use an ISO 8601 date, e.g. 2026-05-01 or 2026-05-01T00:00:00Z."]}
        ) from None
    return parsed


# Get a record of Partner Center activity, request syntax and filter syntax:
# https://learn.microsoft.com/en-us/partner-center/developer/get-a-record-of-partner-center-activity-by-user
# `{"Field":"CompanyName","Value":"bri","Operator":"substring"}`, `{"Field":"CustomerId",
# "Value":"<guid>","Operator":"equals"}`, `{"Field":"ResourceType","Value":"Subscription",
# "Operator":"equals"}`; "the case of the value is ignored". `Search` is our contract's name
# (API.md) for the company-name substring search.
AUDIT_FILTER_OPERATORS = {
    "CompanyName": "substring",
    "Search": "substring",
    "CustomerId": "equals",
    "ResourceType": "equals",
}


def _audit_filter(request, events):
    """`events` narrowed in SQL by the request's `filter`, and the filter's query option for the
    links ("" without one). Another field, an operator that does not go with the field, a
    customer id that is not a GUID or a resource type Partner Center does not have is a 400."""
    search = field_filter(request, tuple(AUDIT_FILTER_OPERATORS), operators=("substring", "equals"))
    if search is None:
        return events, ""
    expected = AUDIT_FILTER_OPERATORS[search.field]
    if search.operator != expected:
        raise exceptions.ValidationError(
            {"filter.Operator": [f"Field {search.field} takes the operator {expected!r}."]}
        )
    if search.field == "CustomerId":
        try:
            tenant_id = uuid.UUID(search.value)
        except ValueError:
            raise exceptions.ValidationError(
                {"filter.Value": ["A CustomerId filter needs the customer's GUID."]}
            ) from None
        events = events.filter(customer__tenant_id=tenant_id)
    elif search.field == "ResourceType":
        kind = enum_choice(
            search.value, audit_vocabulary.MICROSOFT_RESOURCE_TYPES, param="filter.Value"
        )
        events = events.filter(audit_vocabulary.resource_type_q(kind))
    else:
        events = events.filter(customer__company_name__icontains=search.value)
    return events, search.query


class AuditRecordListView(PartnerCenterView):
    """GET /v1/auditrecords?startDate=&endDate=&filter= ("Get a record of Partner Center
    activity"): the caller's own audit events of the last 90 days (AC-4), filtered in SQL, in
    Microsoft's resourceType / operationType words (`audit_vocabulary`)."""

    @extend_schema(
        operation_id="auditrecords_list",
        parameters=[
            OpenApiParameter("startDate", str, required=False, description="ISO 8601"),
            OpenApiParameter("endDate", str, required=False, description="ISO 8601"),
            OpenApiParameter(
                "filter",
                str,
                required=False,
                description='URL-encoded JSON, e.g. {"Field":"CustomerId","Value":"<guid>",'
                '"Operator":"equals"}; fields CompanyName, Search (substring), CustomerId, '
                "ResourceType (equals)",
            ),
            *PAGING_PARAMS,
        ],
        responses={200: AuditRecordCollection, **errors(400)},
    )
    def get(self, request):
        retention = settings.PROGRAM_RULES["AUDIT_RETENTION_DAYS"]
        oldest = clock.now() - timedelta(days=retention)
        start = _parse_date(request.query_params.get("startDate"), "startDate")
        end = _parse_date(request.query_params.get("endDate"), "endDate", end=True)
        if start and end and end <= start:
            raise exceptions.ValidationError({"endDate": ["endDate is before startDate."]})
        events = AuditEvent.objects.filter(
            partner=request.partner, occurred_at__gte=max(start or oldest, oldest)
        ).select_related("partner", "customer")
        if end:
            events = events.filter(occurred_at__lt=end)
        events, filter_query = _audit_filter(request, events)
        events = events.order_by("-occurred_at", "-id")
        query = "&".join(
            [
                f"{k}={quote(request.query_params[k], safe='')}"
                for k in ("startDate", "endDate")
                if request.query_params.get(k)
            ]
            + ([filter_query] if filter_query else [])
        )
        return collection(
            request, events, AuditRecordSerializer, "/auditrecords", extra_query=query
        )
