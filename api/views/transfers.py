"""Transfers: eligibility, list, create, get and update (submit or cancel), through
transfers.services.transfer_create / transfer_submit / transfer_cancel."""

from django.db.models import Q
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from customers.models import Subscription
from transfers import selectors as transfer_selectors
from transfers import services as transfer_services
from transfers.exceptions import NotAnAddOnOf, PartialTransferNotSupported
from transfers.models import TransferRequest

from ..base import PAGING_PARAMS, PartnerCenterView, collection, errors, idempotent
from ..filters import enum_choice
from ..inputs import TransferCreateIn, TransferUpdateIn
from ..representations.common import collection_of, with_meta
from ..representations.transfers import (
    PC_TO_PRODUCT_TYPE,
    TransferEligibilitySerializer,
    TransferEntitySerializer,
)
from .common import CUSTOMER_ID, customer_of_caller, partner_id_of, validated

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
        why (the transfer page's eligibility, transfers.selectors.customer_eligibility)."""
        customer = customer_of_caller(request.partner, customer_id)
        query = []
        if request.query_params.get("transferType"):
            kind = enum_choice(
                request.query_params["transferType"], TRANSFER_TYPES, param="transferType"
            )
            query.append(f"transferType={kind}")
        transfer = None
        if request.query_params.get("transferId"):
            transfer = transfer_selectors.transfer_for(
                partner=request.partner, transfer_id=request.query_params["transferId"]
            )
            query.append(f"transferId={transfer.pk}")
        rows = transfer_selectors.customer_eligibility(
            partner=request.partner, customer=customer, transfer=transfer
        )
        path = f"/customers/{customer.tenant_id}/transferseligibility"
        return collection(
            request, rows, TransferEligibilitySerializer, path, extra_query="&".join(query)
        )


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
    # TransferNotFound → 404
    transfer = transfer_selectors.transfer_for(partner=partner, transfer_id=transfer_id)
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
