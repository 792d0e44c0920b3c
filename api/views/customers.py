"""Customers: list, get, the company and billing profiles, and create (POST /v1/customers,
through customers.services.customer_create)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

from core.models import CustomerRelationship
from customers import services as customer_services

from ..base import PAGING_PARAMS, PartnerCenterView, encoded_collection, errors, idempotent
from ..customer_list import SEARCH_FIELDS, CustomerRows, customer_json
from ..filters import field_filter
from ..inputs import CustomerCreateIn
from ..representations.common import collection_of, with_meta
from ..representations.customers import (
    BillingProfileSerializer,
    CompanyProfileSerializer,
    CustomerSerializer,
    customer_resource,
)
from .common import CUSTOMER_ID, caller_relationship, partner_by_id, validated

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


# --- POST /v1/customers (DB-2, CU-3) -------------------------------------------------------


class CustomerCreateView(PartnerCenterView):
    @extend_schema(
        operation_id="customers_create",
        request=CustomerCreateIn,
        responses={201: Customer, **errors(400, 409, 413)},
    )
    @idempotent
    def post(self, request):
        data = validated(CustomerCreateIn, request)
        partner = request.partner
        reseller = None
        associated = data.get("associatedPartnerId")
        if associated:
            if not partner.is_indirect_provider:
                raise exceptions.ValidationError(
                    {"associatedPartnerId": ["Only an indirect provider names a reseller."]}
                )
            reseller = partner_by_id(associated, "associatedPartnerId")
        billing = data["billingProfile"]
        address = billing.get("defaultAddress") or {}
        contact = " ".join(
            p for p in (address.get("firstName", ""), address.get("lastName", "")) if p
        )
        customer = customer_services.customer_create(
            actor=request.user,
            company_name=billing["companyName"],
            domain=data["companyProfile"]["domain"],
            email=billing["email"],
            contact_name=contact,
            address_line=address.get("addressLine1", ""),
            city=address.get("city", ""),
            postal_code=address.get("postalCode", ""),
            country=(address.get("country") or "US").upper(),
            phone=address.get("phoneNumber", ""),
            reseller=reseller,
        )
        rel = (
            CustomerRelationship.objects.active()
            .select_related("customer__tenant", "reseller__tenant")
            .get(partner=partner, customer=customer)
        )
        return Response(CustomerSerializer(rel).data, status=201)


class CustomersView(CustomerCreateView):
    """GET /v1/customers (list) and POST /v1/customers (create) share the path."""

    get = CustomerListView.get
