"""The Microsoft Customer Agreement: its metadata, a customer's acceptances, and attestation
(through customers.services.mca_attest)."""

from django.db.models import Q
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

from customers import services as customer_services
from customers.models import McaAcceptance, McaMethod

from ..base import PAGING_PARAMS, PartnerCenterView, collection, errors, idempotent
from ..inputs import AgreementIn
from ..representations.agreements import AgreementMetaDataSerializer, AgreementSerializer
from ..representations.common import collection_of, with_meta
from .common import CUSTOMER_ID, customer_of_caller, validated

Agreement = with_meta(AgreementSerializer, links=False)
AgreementCollection = collection_of(Agreement, "AgreementCollection")
AGREEMENT_TYPES = ("MicrosoftCustomerAgreement", "*")


AgreementMetaData = with_meta(AgreementMetaDataSerializer, links=False)
AgreementMetaDataCollection = collection_of(AgreementMetaData, "AgreementMetaDataCollection")


def agreement_type_of(request) -> str:
    """The `agreementType` query option (any case; `*` or absent: all, i.e. the MCA); another
    agreement type is a 400 saying which one this portal has."""
    raw = (request.query_params.get("agreementType") or "*").strip()
    if raw == "*" or raw.lower() == "microsoftcustomeragreement":
        return "MicrosoftCustomerAgreement"
    raise exceptions.ValidationError(
        {"agreementType": ["Only MicrosoftCustomerAgreement (or *) is supported."]}
    )


class AgreementMetaDataView(PartnerCenterView):
    @extend_schema(
        operation_id="agreements_metadata_list",
        parameters=[
            OpenApiParameter("agreementType", str, enum=list(AGREEMENT_TYPES), required=False),
            *PAGING_PARAMS,
        ],
        responses={200: AgreementMetaDataCollection, **errors(400)},
    )
    def get(self, request):
        """GET /v1/agreements?agreementType=MicrosoftCustomerAgreement: the agreement's
        `templateId`, `agreementLink` and `versionRank`, which an attestation then names (step 1
        of "Confirm customer acceptance of the Microsoft Customer Agreement", MCA-2)."""
        kind = agreement_type_of(request)
        return collection(
            request,
            [kind],
            AgreementMetaDataSerializer,
            "/agreements",
            extra_query=f"agreementType={kind}",
        )


class AgreementsView(PartnerCenterView):
    @extend_schema(
        operation_id="agreements_list",
        parameters=[
            CUSTOMER_ID,
            OpenApiParameter("agreementType", str, enum=list(AGREEMENT_TYPES), required=False),
            *PAGING_PARAMS,
        ],
        responses={200: AgreementCollection, **errors(400, 404)},
    )
    def get(self, request, customer_id):
        """The MCA acceptances valid for the caller: the customer's admin-center acceptance
        and the caller's own attestations (MCA-3; same rule as customers.mca)."""
        customer = customer_of_caller(request.partner, customer_id)
        kind = agreement_type_of(request)
        rows = (
            McaAcceptance.objects.filter(customer=customer)
            .filter(
                Q(method=McaMethod.ADMIN_CENTER)
                | Q(method=McaMethod.ATTESTATION, partner=request.partner)
            )
            .select_related("partner")
            .order_by("-recorded_at", "-id")
        )
        path = f"/customers/{customer.tenant_id}/agreements"
        return collection(
            request, rows, AgreementSerializer, path, extra_query=f"agreementType={kind}"
        )

    @extend_schema(
        operation_id="agreements_create",
        parameters=[CUSTOMER_ID],
        request=AgreementIn,
        responses={201: Agreement, **errors(400, 404, 409, 413)},
    )
    @idempotent
    def post(self, request, customer_id):
        """MCA attestation as Microsoft's sample sends it (MCA-2); the same attestation again
        returns the one on record."""
        customer = customer_of_caller(request.partner, customer_id)
        data = validated(AgreementIn, request)
        contact = data["primaryContact"]
        acceptance = customer_services.mca_attest(
            actor=request.user,
            customer=customer,
            signatory_name=f"{contact['firstName']} {contact['lastName']}".strip(),
            signatory_email=contact["email"],
            accepted_on=data["dateAgreed"],
        )
        return Response(AgreementSerializer(acceptance).data, status=201)
