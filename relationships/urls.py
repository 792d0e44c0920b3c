from django.urls import path

from . import views

urlpatterns = [
    # Indirect provider (PV-2)
    path("providers/resellers/", views.provider_resellers, name="provider_resellers"),
    path("providers/resellers/invite/", views.partnership_invite, name="partnership_invite"),
    path(
        "providers/invitations/<int:pk>/revoke/",
        views.partnership_revoke,
        name="partnership_revoke",
    ),
    # Indirect reseller (PV-1, PV-2, CU-2, MV-7, MV-8)
    path("indirect-providers/", views.indirect_providers, name="indirect_providers"),
    path("indirect-providers/directory/", views.provider_directory, name="provider_directory"),
    path("invitations/provider/<str:token>/", views.partnership_link, name="partnership_link"),
    path("customer-invitations/", views.customer_invitations, name="customer_invitations"),
    path(
        "customer-invitations/new/",
        views.customer_invitation_new,
        name="customer_invitation_new",
    ),
    path(
        "customer-invitations/<int:pk>/",
        views.customer_invitation_draft,
        name="customer_invitation_draft",
    ),
    path(
        "customer-invitations/<int:pk>/cancel/",
        views.customer_invitation_cancel,
        name="customer_invitation_cancel",
    ),
    # Customer admin (CU-2, MV-6, GD-1, GD-2, CU-6)
    path(
        "invitations/customer/<str:token>/",
        views.customer_invitation_link,
        name="customer_invitation_link",
    ),
    path("admin-center/partners/", views.partner_relationships, name="partner_relationships"),
    path("admin-center/gdap/", views.customer_gdap, name="customer_gdap"),
    path(
        "admin-center/gdap/<int:pk>/<str:action>/",
        views.customer_gdap_decide,
        name="customer_gdap_decide",
    ),
    # GDAP for partners (GD-1)
    path("gdap/", views.partner_gdap, name="partner_gdap"),
    path("gdap/request/", views.gdap_request, name="gdap_request"),
    path("gdap/<int:pk>/terminate/", views.partner_gdap_terminate, name="partner_gdap_terminate"),
]

# Reseller relationship extension (MV-2..MV-6), owned by the extension feature.
from . import views_extension  # noqa: E402

urlpatterns += [
    path(
        "customers/<int:customer_id>/extend/",
        views_extension.extension_create,
        name="relationship_extend",
    ),
    path(
        "customers/transfer-to-provider/",
        views_extension.extension_bulk,
        name="relationship_extend_bulk",
    ),
]
