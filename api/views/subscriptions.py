"""Subscriptions: list, get, and PATCH (through customers.services.subscription_update)."""

from django.db.models import Q
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from customers import services as customer_services
from customers.models import Subscription

from ..base import PAGING_PARAMS, PartnerCenterView, collection, errors, idempotent
from ..exceptions import SubscriptionNotFound
from ..inputs import SubscriptionUpdateIn
from ..representations.common import collection_of, with_meta
from ..representations.subscriptions import SubscriptionSerializer
from .common import CUSTOMER_ID, customer_of_caller, parse_uuid, validated

# --- subscriptions -------------------------------------------------------------------------

SubscriptionResource = with_meta(SubscriptionSerializer)
SubscriptionCollection = collection_of(SubscriptionResource, "SubscriptionCollection")


def subscriptions_visible(partner, customer):
    """The customer's subscriptions the caller bills or is the reseller of record for."""
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
