from django.urls import path

from . import agreement_views
from .views import account, agreements, programs, support

urlpatterns = [
    path("account/", account.account_settings, name="account_settings"),
    path("account/profile/", account.profile, name="account_profile"),
    path("account/profile/confirm/", account.profile_confirm, name="profile_confirm"),
    path("account/programs/", programs.programs, name="account_programs"),
    path(
        "account/programs/indirect-reseller/enroll/",
        programs.indirect_enroll,
        name="indirect_enroll",
    ),
    path(
        "account/programs/direct-bill/apply/", programs.direct_bill_apply, name="direct_bill_apply"
    ),
    path(
        "account/programs/direct-bill/close/", programs.direct_bill_close, name="direct_bill_close"
    ),
    path("account/programs/sandbox/", programs.sandbox_create, name="sandbox_create"),
    path("account/legal/program-info/", programs.program_info, name="program_info"),
    path("account/agreements/", agreements.agreements, name="agreements"),
    path("account/agreements/accept/", agreements.agreement_accept, name="agreement_accept"),
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
    path("account/support/", support.contact_support, name="contact_support"),
    path(
        "account/support/<int:pk>/", support.support_request_detail, name="support_request_detail"
    ),
]
