from django.urls import path

from .views import customer, extension, gdap, invitations, providers, resellers

urlpatterns = [
    # Indirect provider (PV-2)
    path("providers/resellers/", providers.provider_resellers, name="provider_resellers"),
    path("providers/resellers/invite/", providers.partnership_invite, name="partnership_invite"),
    path(
        "providers/invitations/<int:pk>/revoke/",
        providers.partnership_revoke,
        name="partnership_revoke",
    ),
    # Indirect reseller (PV-1, PV-2, CU-2, MV-7, MV-8)
    path("indirect-providers/", resellers.indirect_providers, name="indirect_providers"),
    path("indirect-providers/directory/", resellers.provider_directory, name="provider_directory"),
    path("invitations/provider/<str:token>/", resellers.partnership_link, name="partnership_link"),
    path("customer-invitations/", invitations.customer_invitations, name="customer_invitations"),
    path(
        "customer-invitations/new/",
        invitations.customer_invitation_new,
        name="customer_invitation_new",
    ),
    path(
        "customer-invitations/<int:pk>/",
        invitations.customer_invitation_draft,
        name="customer_invitation_draft",
    ),
    path(
        "customer-invitations/<int:pk>/cancel/",
        invitations.customer_invitation_cancel,
        name="customer_invitation_cancel",
    ),
    # Customer admin (CU-2, MV-6, GD-1, GD-2, CU-6)
    path(
        "invitations/customer/<str:token>/",
        invitations.customer_invitation_link,
        name="customer_invitation_link",
    ),
    path("admin-center/partners/", customer.partner_relationships, name="partner_relationships"),
    path("admin-center/gdap/", gdap.customer_gdap, name="customer_gdap"),
    path(
        "admin-center/gdap/<int:pk>/<str:action>/",
        gdap.customer_gdap_decide,
        name="customer_gdap_decide",
    ),
    # GDAP for partners (GD-1)
    path("gdap/", gdap.partner_gdap, name="partner_gdap"),
    path("gdap/request/", gdap.gdap_request, name="gdap_request"),
    path("gdap/<int:pk>/terminate/", gdap.partner_gdap_terminate, name="partner_gdap_terminate"),
    # Reseller relationship extension (MV-2..MV-6)
    path(
        "customers/<int:customer_id>/extend/",
        extension.extension_create,
        name="relationship_extend",
    ),
    path(
        "customers/transfer-to-provider/",
        extension.extension_bulk,
        name="relationship_extend_bulk",
    ),
]
