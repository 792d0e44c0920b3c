"""The /v1/ operations that change state. Each calls the SAME service function as the portal
page (AP-3): customers.services.customer_create / mca_attest /
subscription_migrate_to_new_commerce / subscription_update,
relationships.services.invitation_drafts.customer_invitation_create,
transfers.services.transfer_create / transfer_submit / transfer_cancel. Refusals are the
services' RuleViolations, mapped to the error body in api.exceptions.exception_handler."""

import uuid

from django.db.models import Q
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

from core.exceptions import InvalidInput
from core.models import CustomerRelationship, Partner
from customers import nce_migrations
from customers import services as customer_services
from customers.models import McaAcceptance, McaMethod, NewCommerceMigration, Subscription
from relationships.models import InvitationKind
from relationships.services import invitation_drafts as invitation_services
from transfers import services as transfer_services
from transfers.exceptions import NotAnAddOnOf, PartialTransferNotSupported
from transfers.models import TransferRequest

from .base import PAGING_PARAMS, PartnerCenterView, collection, errors, idempotent
from .exceptions import SubscriptionNotFound
from .filters import enum_choice
from .inputs import (
    AgreementIn,
    CustomerCreateIn,
    MigrationIn,
    SubscriptionUpdateIn,
    TransferCreateIn,
    TransferUpdateIn,
    with_canonical_names,
)
from .representations import (
    PC_TO_PRODUCT_TYPE,
    AgreementMetaDataSerializer,
    AgreementSerializer,
    CustomerSerializer,
    MigrationEligibilitySerializer,
    MigrationSerializer,
    RelationshipRequestSerializer,
    SubscriptionSerializer,
    TransferEligibilitySerializer,
    TransferEntitySerializer,
    collection_of,
    with_meta,
)
from .views import (
    CUSTOMER_ID,
    Customer,
    CustomerListView,
    SubscriptionDetailView,
    SubscriptionResource,
    customer_of_caller,
    parse_uuid,
    subscriptions_visible,
)


class UnknownPartner(InvalidInput):
    """An id in the request names no partner (tenant ID or PartnerID)."""

    code = "unknown_partner"
    rule = "AP-1"
    http_status = 400
    default_message = "No partner has that tenant ID or PartnerID."


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


# --- agreements (MCA-2, MCA-3) -------------------------------------------------------------

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


# --- /v1/customers/{id}/migrations/newcommerce[...] (TR-5) ----------------------------------

Migration = with_meta(MigrationSerializer, links=False)
MigrationCollection = collection_of(Migration, "MigrationCollection")


def _migration_subscription(request, customer, data):
    """The legacy subscription the body names, among those the caller may see (404 otherwise)."""
    sub = (
        subscriptions_visible(request.partner, customer)
        .filter(pk=data["currentSubscriptionId"])
        .first()
    )
    if sub is None:
        raise SubscriptionNotFound()
    return sub


def _migration_options(data) -> dict:
    return {
        "term_duration": data.get("termDuration") or None,
        "billing_cycle": data.get("billingCycle") or None,
        "quantity": data.get("quantity"),
        "full_term": data.get("purchaseFullTerm"),
    }


def _migrations_of(request, customer):
    return (
        NewCommerceMigration.objects.filter(customer=customer, partner=request.partner)
        .select_related("customer", "current_subscription", "new_subscription")
        .order_by("-created_at", "-pk")
    )


class MigrationView(PartnerCenterView):
    @extend_schema(
        operation_id="migrations_newcommerce_create",
        parameters=[CUSTOMER_ID],
        request=MigrationIn,
        responses={201: Migration, **errors(400, 404, 409, 413)},
    )
    @idempotent
    def post(self, request, customer_id):
        """ "Create a migration": accepted `Processing`; the worker completes it (TR-5)."""
        customer = customer_of_caller(request.partner, customer_id)
        data = validated(MigrationIn, request)
        migration = nce_migrations.migration_create(
            actor=request.user,
            subscription=_migration_subscription(request, customer, data),
            **_migration_options(data),
        )
        migration = _migrations_of(request, customer).get(pk=migration.pk)
        return Response(MigrationSerializer(migration).data, status=201)

    @extend_schema(
        operation_id="migrations_newcommerce_list",
        parameters=[CUSTOMER_ID, *PAGING_PARAMS],
        responses={200: MigrationCollection, **errors(404)},
    )
    def get(self, request, customer_id):
        """ "Get migrations": the caller's migrations of this customer, newest first."""
        customer = customer_of_caller(request.partner, customer_id)
        path = f"/customers/{customer.tenant_id}/migrations/newcommerce"
        return collection(request, _migrations_of(request, customer), MigrationSerializer, path)


class MigrationDetailView(PartnerCenterView):
    @extend_schema(
        operation_id="migrations_newcommerce_get",
        parameters=[
            CUSTOMER_ID,
            OpenApiParameter("migration_id", str, OpenApiParameter.PATH),
        ],
        responses={200: Migration, **errors(404)},
    )
    def get(self, request, customer_id, migration_id):
        """ "Get a migration": poll its status (`Processing`, `Completed`, `Failed`)."""
        customer = customer_of_caller(request.partner, customer_id)
        try:
            migration = _migrations_of(request, customer).get(pk=uuid.UUID(migration_id))
        except (ValueError, NewCommerceMigration.DoesNotExist):
            raise Http404("No such migration.") from None
        return Response(MigrationSerializer(migration).data)


class MigrationValidateView(PartnerCenterView):
    @extend_schema(
        operation_id="migrations_newcommerce_validate",
        parameters=[CUSTOMER_ID],
        request=MigrationIn,
        responses={200: MigrationEligibilitySerializer, **errors(400, 404, 413)},
    )
    def post(self, request, customer_id):
        """ "Validate migration eligibility": whether the same body posted to create a
        migration would be accepted now, and why not (changes nothing)."""
        customer = customer_of_caller(request.partner, customer_id)
        data = validated(MigrationIn, request)
        sub = _migration_subscription(request, customer, data)
        refusal = nce_migrations.migration_eligibility(
            actor=request.user, subscription=sub, **_migration_options(data)
        )
        row = {"subscription": sub, "refusal": refusal}
        return Response(MigrationEligibilitySerializer(row).data)


# --- GET /v1/customers/{id}/transferseligibility (TR-5, TR-6, TR-10, TR-11) -------------------

TransferEligibility = with_meta(TransferEligibilitySerializer, links=False)
TransferEligibilityCollection = collection_of(TransferEligibility, "TransferEligibilityCollection")
# "Get a customer's subscriptions transfer eligibility": transferType is required there; the
# values name the billing models on each side. Ours are all new commerce partner-to-partner
# transfers, so it may be left out; a value that is not one of these is a 400.
TRANSFER_TYPES = ("DirectToIndirect", "IndirectToDirect", "IndirectToIndirect", "DirectToDirect")


class TransferEligibilityView(PartnerCenterView):
    @extend_schema(
        operation_id="transfers_eligibility",
        parameters=[
            CUSTOMER_ID,
            OpenApiParameter("transferType", str, enum=list(TRANSFER_TYPES), required=False),
            OpenApiParameter(
                "transferId",
                str,
                required=False,
                description="Ours: check against this pending transfer (its target and product "
                "types); the caller must be its source.",
            ),
            *PAGING_PARAMS,
        ],
        responses={200: TransferEligibilityCollection, **errors(400, 404)},
    )
    def get(self, request, customer_id):
        """The caller's subscriptions of this customer, each eligible for a transfer or not and
        why (the transfer page's eligibility, transfers.services.customer_eligibility)."""
        customer = customer_of_caller(request.partner, customer_id)
        query = []
        if request.query_params.get("transferType"):
            kind = enum_choice(
                request.query_params["transferType"], TRANSFER_TYPES, param="transferType"
            )
            query.append(f"transferType={kind}")
        transfer = None
        if request.query_params.get("transferId"):
            transfer = transfer_services.transfer_for(
                request.partner, request.query_params["transferId"]
            )
            query.append(f"transferId={transfer.pk}")
        rows = transfer_services.customer_eligibility(request.partner, customer, transfer)
        path = f"/customers/{customer.tenant_id}/transferseligibility"
        return collection(
            request, rows, TransferEligibilitySerializer, path, extra_query="&".join(query)
        )


# --- PATCH /v1/customers/{id}/subscriptions/{sid} (NC-1..NC-4, DB-2) -----------------------


class SubscriptionView(SubscriptionDetailView):
    """GET a subscription; PATCH changes its `quantity`, `autoRenewEnabled` and `status`
    (suspended / active / deleted) through customers.services.subscription_update, as Partner
    Center's "Update a subscription by ID"
    (https://learn.microsoft.com/en-us/partner-center/developer/update-a-subscription-by-id)."""

    @extend_schema(
        operation_id="subscriptions_update",
        parameters=[
            CUSTOMER_ID,
            OpenApiParameter("subscription_id", str, location=OpenApiParameter.PATH),
        ],
        request=SubscriptionUpdateIn,
        responses={200: SubscriptionResource, **errors(400, 403, 404, 409, 413)},
    )
    @idempotent
    def patch(self, request, customer_id, subscription_id):
        customer = customer_of_caller(request.partner, customer_id)
        data = validated(SubscriptionUpdateIn, request)
        sid = parse_uuid(subscription_id, "subscription")
        sub = subscriptions_visible(request.partner, customer).filter(pk=sid).first()
        if sub is None:
            raise SubscriptionNotFound()
        customer_services.subscription_update(
            actor=request.user,
            subscription=sub,
            quantity=data.get("quantity"),
            auto_renew=data.get("autoRenewEnabled"),
            status=data.get("status"),
            renewal_quantity=(data.get("scheduledNextTermInstructions") or {}).get("quantity"),
        )
        sub = subscriptions_visible(request.partner, customer).get(pk=sid)
        return Response(SubscriptionSerializer(sub).data)


# --- transfers (TR-3..TR-7) ----------------------------------------------------------------

TransferEntity = with_meta(TransferEntitySerializer)
TransferCollection = collection_of(TransferEntity, "TransferEntityCollection")
TRANSFER_ID = OpenApiParameter("transfer_id", str, location=OpenApiParameter.PATH)


def _transfers():
    return TransferRequest.objects.select_related(
        "customer__tenant", "source__tenant", "target__tenant", "partner_of_record"
    ).prefetch_related("lines__subscription", "lines__request__partner_of_record")


def _transfer_of(partner, customer, transfer_id) -> TransferRequest:
    """The transfer if the caller is its source or target and it is this customer's (AC-2)."""
    transfer = transfer_services.transfer_for(partner, transfer_id)  # TransferNotFound → 404
    if transfer.customer_id != customer.pk:
        raise Http404("No such transfer.")
    return _transfers().get(pk=transfer.pk)


class TransferListView(PartnerCenterView):
    @extend_schema(
        operation_id="transfers_list",
        parameters=[CUSTOMER_ID, *PAGING_PARAMS],
        responses={200: TransferCollection, **errors(400, 404)},
    )
    def get(self, request, customer_id):
        customer = customer_of_caller(request.partner, customer_id)
        partner = request.partner
        rows = (
            _transfers()
            .filter(customer=customer)
            .filter(Q(source=partner) | Q(target=partner))
            .order_by("-created_at", "-id")
        )
        path = f"/customers/{customer.tenant_id}/transfers"
        return collection(request, rows, TransferEntitySerializer, path)

    @extend_schema(
        operation_id="transfers_create",
        parameters=[CUSTOMER_ID],
        request=TransferCreateIn,
        responses={201: TransferEntity, **errors(400, 404, 409, 413)},
    )
    @idempotent
    def post(self, request, customer_id):
        """ "Create a transfer": the target (the caller) asks the source to transfer."""
        customer = customer_of_caller(request.partner, customer_id)
        data = validated(TransferCreateIn, request)
        types = [PC_TO_PRODUCT_TYPE.get(t, t) for t in data.get("targetProductTypes") or []]
        por = data.get("partnerOnRecord")
        transfer = transfer_services.transfer_create(
            actor=request.user,
            customer=customer,
            source_partner_id=partner_id_of(data["sourcePartnerTenantId"]),
            customer_email=data["customerEmailId"],
            target_product_types=types,
            partner_of_record=partner_id_of(por) if por else None,
        )
        return Response(TransferEntitySerializer(_transfers().get(pk=transfer.pk)).data, status=201)


class TransferDetailView(PartnerCenterView):
    @extend_schema(
        operation_id="transfers_get",
        parameters=[CUSTOMER_ID, TRANSFER_ID],
        responses={200: TransferEntity, **errors(404)},
    )
    def get(self, request, customer_id, transfer_id):
        customer = customer_of_caller(request.partner, customer_id)
        transfer = _transfer_of(request.partner, customer, transfer_id)
        return Response(TransferEntitySerializer(transfer).data)

    @extend_schema(
        operation_id="transfers_update",
        parameters=[CUSTOMER_ID, TRANSFER_ID],
        request=TransferUpdateIn,
        responses={200: TransferEntity, **errors(400, 404, 409, 413)},
    )
    def patch(self, request, customer_id, transfer_id):
        """ "Update a transfer": the source submits the selected `lineItems` (the transfer
        completes at once, TR-4); the target cancels with `status: "Cancel"` (TR-7)."""
        customer = customer_of_caller(request.partner, customer_id)
        transfer = _transfer_of(request.partner, customer, transfer_id)
        data = validated(TransferUpdateIn, request)
        if data.get("status") == "Cancel":
            transfer_services.transfer_cancel(actor=request.user, transfer=transfer)
        else:
            lines = data.get("lineItems") or []
            check_line_items(transfer, lines)
            ids = [str(line["subscriptionId"]) for line in lines]
            transfer_services.transfer_submit(
                actor=request.user, transfer=transfer, subscription_ids=ids
            )
        return Response(TransferEntitySerializer(_transfers().get(pk=transfer.pk)).data)


def check_line_items(transfer, lines) -> None:
    """The source's `lineItems` as Partner Center's TransferLineItem: an add-on sent in a line's
    `addonItems` must be an add-on of that line's subscription and moves with it (TR-11, not a
    line of its own); a `quantity` other than the subscription's is refused, a new commerce
    subscription moving whole (TR-6)."""
    wanted = {line["subscriptionId"] for line in lines}
    wanted |= {a["subscriptionId"] for line in lines for a in line.get("addonItems") or []}
    subs = Subscription.objects.filter(customer=transfer.customer_id, pk__in=wanted).in_bulk()
    for line in lines:
        items = [line, *(line.get("addonItems") or [])]
        for add_on in line.get("addonItems") or []:
            sub = subs.get(add_on["subscriptionId"])
            if sub is None or sub.parent_id != line["subscriptionId"]:
                raise NotAnAddOnOf(
                    f"{add_on['subscriptionId']} is not an add-on of {line['subscriptionId']}; "
                    "list each add-on under its base subscription's line."
                )
        for item in items:
            sub = subs.get(item["subscriptionId"])
            if sub is not None and item.get("quantity") not in (None, sub.quantity):
                raise PartialTransferNotSupported(
                    f"{sub.offer_name} transfers with all its {sub.quantity} seats, not "
                    f"{item['quantity']}: leave out quantity or send {sub.quantity}."
                )


class CustomersView(CustomerCreateView):
    """GET /v1/customers (list) and POST /v1/customers (create) share the path."""

    get = CustomerListView.get
