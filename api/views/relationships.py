"""Relationships: a customer's partners, the caller's indirect resellers or providers
(PartnerRelationship), and the reseller relationship request link (through
relationships.services.invitation_drafts.customer_invitation_create)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

from core.models import Partner
from customers.selectors import visible_relationships
from relationships.models import InvitationKind, PartnershipStatus, ProviderPartnership
from relationships.services import invitation_drafts as invitation_services

from ..base import PAGING_PARAMS, PartnerCenterView, collection, errors
from ..filters import enum_choice, field_filter
from ..representations.common import collection_of, with_meta
from ..representations.relationships import (
    RELATIONSHIP_TYPE_BY_KIND,
    PartnerRelationshipSerializer,
    RelationshipRequestSerializer,
)
from .common import CUSTOMER_ID, customer_of_caller, partner_by_id

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


# --- GET /v1/customers/relationshiprequests (MV-7, CU-2) -----------------------------------


class RelationshipRequestView(PartnerCenterView):
    """ "Request a reseller relationship" (RelationshipRequest: `url`): the invitation link for
    a customer. With `indirectCloudSolutionProviderId` (provider tenant ID or PartnerID) it is
    an indirect reseller invitation naming that provider (CU-2); with `indirectResellerId` an
    indirect provider asks for the link on behalf of one of its resellers (the same indirect
    invitation, the reseller's, naming the provider); otherwise a direct reseller relationship
    request (MV-7). Each call creates a new draft invitation through the same service as the
    page, so the link is personal and expires (PV-3).
    https://learn.microsoft.com/en-us/partner-center/developer/request-reseller-relationship"""

    @extend_schema(
        operation_id="customers_relationshiprequests",
        parameters=[
            OpenApiParameter("indirectCloudSolutionProviderId", str, required=False),
            OpenApiParameter(
                "indirectResellerId",
                str,
                required=False,
                description="Indirect providers: the reseller (tenant ID or PartnerID) the "
                "customer is invited for.",
            ),
        ],
        responses={200: RelationshipRequestSerializer, **errors(400, 403, 409)},
    )
    def get(self, request):
        provider_ref = request.query_params.get("indirectCloudSolutionProviderId")
        reseller_ref = request.query_params.get("indirectResellerId")
        if provider_ref and reseller_ref:
            raise exceptions.ValidationError(
                {
                    "indirectResellerId": [
                        "Send indirectResellerId or indirectCloudSolutionProviderId, not both."
                    ]
                }
            )
        provider = (
            partner_by_id(provider_ref, "indirectCloudSolutionProviderId") if provider_ref else None
        )
        reseller = partner_by_id(reseller_ref, "indirectResellerId") if reseller_ref else None
        indirect = provider is not None or reseller is not None
        invitation = invitation_services.customer_invitation_create(
            actor=request.user,
            kind=InvitationKind.INDIRECT if indirect else InvitationKind.DIRECT,
            provider=provider,
            for_reseller=reseller,
        )
        return Response(
            {
                "url": invitation_services.link_url(invitation),
                "indirectResellerId": (str(invitation.partner.tenant_id) if indirect else None),
                "indirectCloudSolutionProviderId": (
                    str(invitation.provider.tenant_id) if indirect else None
                ),
                # The sample's objectType (the SDK class is CustomerRelationshipRequest).
                "attributes": {"objectType": "RelationshipRequest"},
            }
        )
