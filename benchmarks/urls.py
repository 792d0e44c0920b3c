from django.urls import path

from partnerportal.urls import urlpatterns as portal_urlpatterns

from . import bare

urlpatterns = [
    path("bare/customers/", bare.customers, name="bare_customers"),
    path("bare/transition/", bare.transition, name="bare_transition"),
    path("bare/v1/customers", bare.api_customers, name="bare_api_customers"),
    *portal_urlpatterns,
]
