from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from core import views

handler400 = "core.views.error_400"
handler403 = "core.views.error_403"
handler404 = "core.views.error_404"
handler500 = "core.views.error_500"

urlpatterns = [
    path("", views.home, name="home"),
    path("signin/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("signout/", auth_views.LogoutView.as_view(), name="logout"),
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/export.csv", views.audit_log_export, name="audit_log_export"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notifications_mark_read, name="notifications_mark_read"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("notifications/open/", views.notification_open_link, name="notification_open_link"),
    path("jobs/<int:pk>/", views.bulk_job, name="bulk_job"),
    path("lookup/customers/", views.customer_lookup, name="customer_lookup"),
    path("staff/mail/", views.sent_mail, name="sent_mail"),
    path("staff/mail/<int:pk>/", views.sent_mail_detail, name="sent_mail_detail"),
    path("staff/clock/", views.clock_control, name="clock"),
    path("help/rules/", views.program_rules_view, name="program_rules"),
    path("admin/", admin.site.urls),
    path("", include("enrollment.urls")),
    path("", include("users.urls")),
    path("", include("customers.urls")),
    path("", include("relationships.urls")),
    path("", include("transfers.urls")),
    path("", include("api.page_urls")),
    path("", include("webhooks.page_urls")),
    path("", include("demo.urls")),
    path("webhooks/v1/", include("webhooks.api_urls")),
    path("v1/", include("api.urls")),
    path("graph/v1.0/", include("graph.urls")),
]
