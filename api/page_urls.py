"""Portal pages of the API app (outside /v1/): App management."""

from django.urls import path

from . import pages

urlpatterns = [
    path("apps/", pages.token_list, name="api_tokens"),
    path("apps/<int:pk>/revoke/", pages.token_revoke, name="api_token_revoke"),
]
