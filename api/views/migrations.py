"""Migrations to new commerce (TR-5): create, list, get, validate (customers.nce_migrations)."""

import uuid

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from customers import nce_migrations
from customers.models import NewCommerceMigration

from ..base import PAGING_PARAMS, PartnerCenterView, collection, errors, idempotent
from ..exceptions import SubscriptionNotFound
from ..inputs import MigrationIn
from ..representations.common import collection_of, with_meta
from ..representations.migrations import MigrationEligibilitySerializer, MigrationSerializer
from .common import CUSTOMER_ID, customer_of_caller, validated
from .subscriptions import subscriptions_visible

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
