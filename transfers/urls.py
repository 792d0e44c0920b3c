from django.urls import path

from . import export_views, views

urlpatterns = [
    path("transfers/", views.transfer_list, name="transfer_list"),
    path("transfers/export.csv", export_views.transfer_export, name="transfer_export"),
    path("transfers/new/", views.transfer_create, name="transfer_create"),
    path("transfers/bulk/request/", views.bulk_request, name="transfer_bulk_request"),
    path("transfers/bulk/submit/", views.bulk_submit, name="transfer_bulk_submit"),
    path("transfers/<int:pk>/", views.transfer_detail, name="transfer_detail"),
    path("transfers/<int:pk>/submit/", views.transfer_submit, name="transfer_submit"),
    path("transfers/<int:pk>/cancel/", views.transfer_cancel, name="transfer_cancel"),
    path("transition/", views.transition, name="transition"),
    path("transition/export.csv", export_views.transition_export, name="transition_export"),
    path("transition/close/", views.transition_close, name="transition_close"),
    path("transition/orphans/<uuid:sid>/end/", views.orphan_end, name="orphan_end"),
]
