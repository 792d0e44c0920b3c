from django.urls import path, re_path
from drf_spectacular.renderers import OpenApiJsonRenderer
from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    permission_classes,
)
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny

from .views import (
    agreements,
    audit,
    customers,
    migrations,
    profiles,
    relationships,
    subscriptions,
    transfers,
)


@extend_schema_view(get=extend_schema(exclude=True))
class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema of /v1/ as JSON (not itself an operation of the API)."""

    renderer_classes = [OpenApiJsonRenderer]


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@authentication_classes([])
@permission_classes([AllowAny])
def not_found(request, rest=""):
    """Any other /v1/ path: Partner Center's error body, not the portal's HTML 404."""
    raise NotFound("No such resource.")


urlpatterns = [
    path("openapi.json", SchemaView.as_view(), name="api_schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("profiles/mpn", profiles.MpnProfileView.as_view(), name="api_profile_mpn"),
    path("customers", customers.CustomersView.as_view(), name="api_customers"),
    path(
        "customers/relationshiprequests",
        relationships.RelationshipRequestView.as_view(),
        name="api_relationship_requests",
    ),
    path(
        "customers/<str:customer_id>", customers.CustomerDetailView.as_view(), name="api_customer"
    ),
    path(
        "customers/<str:customer_id>/profiles/company",
        customers.CustomerCompanyProfileView.as_view(),
        name="api_customer_company_profile",
    ),
    path(
        "customers/<str:customer_id>/profiles/billing",
        customers.CustomerBillingProfileView.as_view(),
        name="api_customer_billing_profile",
    ),
    path(
        "customers/<str:customer_id>/relationships",
        relationships.CustomerRelationshipsView.as_view(),
        name="api_customer_relationships",
    ),
    path(
        "customers/<str:customer_id>/subscriptions",
        subscriptions.SubscriptionListView.as_view(),
        name="api_subscriptions",
    ),
    path(
        "customers/<str:customer_id>/subscriptions/<str:subscription_id>",
        subscriptions.SubscriptionView.as_view(),
        name="api_subscription",
    ),
    path(
        "customers/<str:customer_id>/agreements",
        agreements.AgreementsView.as_view(),
        name="api_agreements",
    ),
    path(
        "customers/<str:customer_id>/migrations/newcommerce",
        migrations.MigrationView.as_view(),
        name="api_migrations",
    ),
    path(
        "customers/<str:customer_id>/migrations/newcommerce/validate",
        migrations.MigrationValidateView.as_view(),
        name="api_migration_validate",
    ),
    path(
        "customers/<str:customer_id>/migrations/newcommerce/<str:migration_id>",
        migrations.MigrationDetailView.as_view(),
        name="api_migration",
    ),
    path(
        "customers/<str:customer_id>/transferseligibility",
        transfers.TransferEligibilityView.as_view(),
        name="api_transfers_eligibility",
    ),
    path(
        "customers/<str:customer_id>/transfers",
        transfers.TransferListView.as_view(),
        name="api_transfers",
    ),
    path(
        "customers/<str:customer_id>/transfers/<str:transfer_id>",
        transfers.TransferDetailView.as_view(),
        name="api_transfer",
    ),
    path("agreements", agreements.AgreementMetaDataView.as_view(), name="api_agreement_metadata"),
    path("relationships", relationships.RelationshipListView.as_view(), name="api_relationships"),
    path("auditrecords", audit.AuditRecordListView.as_view(), name="api_auditrecords"),
    re_path(r"^(?P<rest>.*)$", not_found),
]
