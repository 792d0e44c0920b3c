from django.urls import path

from . import views

RELATIONSHIPS = "tenantRelationships/delegatedAdminRelationships"
ONE = f"{RELATIONSHIPS}/<str:relationship_id>"

urlpatterns = [
    path(RELATIONSHIPS, views.RelationshipsView.as_view(), name="graph_relationships"),
    path(ONE, views.RelationshipView.as_view(), name="graph_relationship"),
    path(f"{ONE}/requests", views.RelationshipRequestsView.as_view(), name="graph_requests"),
    path(
        f"{ONE}/requests/<str:request_id>",
        views.RelationshipRequestView.as_view(),
        name="graph_request",
    ),
    path(
        f"{ONE}/accessAssignments",
        views.AccessAssignmentsView.as_view(),
        name="graph_access_assignments",
    ),
    path(
        f"{ONE}/accessAssignments/<str:assignment_id>",
        views.AccessAssignmentView.as_view(),
        name="graph_access_assignment",
    ),
]
