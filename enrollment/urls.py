from django.urls import path

from . import agreement_views, views

urlpatterns = [
    path("account/", views.account_settings, name="account_settings"),
    path("account/profile/", views.profile, name="account_profile"),
    path("account/profile/confirm/", views.profile_confirm, name="profile_confirm"),
    path("account/programs/", views.programs, name="account_programs"),
    path(
        "account/programs/indirect-reseller/enroll/",
        views.indirect_enroll,
        name="indirect_enroll",
    ),
    path("account/programs/direct-bill/apply/", views.direct_bill_apply, name="direct_bill_apply"),
    path("account/programs/direct-bill/close/", views.direct_bill_close, name="direct_bill_close"),
    path("account/programs/sandbox/", views.sandbox_create, name="sandbox_create"),
    path("account/legal/program-info/", views.program_info, name="program_info"),
    path("account/agreements/", views.agreements, name="agreements"),
    path("account/agreements/accept/", views.agreement_accept, name="agreement_accept"),
    path(
        "account/agreements/partner-agreement/",
        agreement_views.partner_agreement_text,
        name="agreement_partner_text",
    ),
    path(
        "account/agreements/partner-agreement/download/",
        agreement_views.partner_agreement_download,
        name="agreement_partner_download",
    ),
    path("account/support/", views.contact_support, name="contact_support"),
    path("account/support/<int:pk>/", views.support_request_detail, name="support_request_detail"),
]
