"""/graph/v1.0/tenantRelationships/delegatedAdminRelationships: the Graph GDAP API over the
portal's GDAP services, with the portal's API tokens (AP-1, TX-2) and Graph's shapes.

https://learn.microsoft.com/graph/api/resources/delegatedadminrelationship
"""

import re
import uuid

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from api.authentication import BearerTokenAuthentication, PartnerApiAccess
from api.base import PartnerRateThrottle
from api.parsers import BoundedJSONParser
from partnerportal.models import Customer
from partnerportal.validators import parse_id
from relationships.services import gdap as gdap_services

from . import inputs, odata, representations, services
from .models import AccessAssignment, RelationshipRequest, RequestAction
from .vocabulary import STATUSES_OF_GRAPH_WORD

RELATIONSHIPS = "tenantRelationships/delegatedAdminRelationships"
FILTER_CLAUSE = re.compile(r"\s*status\s+eq\s+'(\w+)'\s*", re.IGNORECASE)


@extend_schema(exclude=True)
class GraphView(APIView):
    """Bearer token of a partner user (the portal's API tokens), per-partner throttling, Graph's
    error body, and only the query options a route lists."""

    authentication_classes = [BearerTokenAuthentication]
    permission_classes = [PartnerApiAccess]
    throttle_classes = [PartnerRateThrottle]
    parser_classes = [BoundedJSONParser]
    query_options: dict[str, tuple] = {}

    def get_throttles(self):
        if not getattr(settings, "API_THROTTLE_ENABLED", True):
            return []
        return super().get_throttles()

    def get_exception_handler(self):
        return odata.exception_handler

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        odata.require_query_options(request, self.query_options.get(request.method, ()))

    def relationship(self, relationship_id):
        """The partner's own relationship; another partner's, or no such id, is a 404 (AC-2)."""
        pk = parse_id(relationship_id)
        return get_object_or_404(gdap_services.gdap_of_partner(self.request.partner), pk=pk)


def _status_filter(expression: str) -> list[str]:
    """`$filter=status eq 'active'` (clauses joined by `or`): the portal statuses it names."""
    statuses = []
    for clause in re.split(r"\s+or\s+", expression.strip(), flags=re.IGNORECASE):
        match = FILTER_CLAUSE.fullmatch(clause)
        if not match or match.group(1) not in STATUSES_OF_GRAPH_WORD:
            raise odata.GraphBadRequest(
                "$filter supports status eq '<status>' (joined by or), with a status of "
                + ", ".join(STATUSES_OF_GRAPH_WORD)
                + "."
            )
        statuses += STATUSES_OF_GRAPH_WORD[match.group(1)]
    return statuses


class RelationshipsView(GraphView):
    """List (newest first) and create (GD-1, GD-2 through `gdap_request`)."""

    query_options = {"GET": ("$top", "$filter", "$skiptoken")}

    def get(self, request):
        rows = gdap_services.gdap_of_partner(request.partner).order_by("-requested_at", "-id")
        if "$filter" in request.query_params:
            rows = rows.filter(status__in=_status_filter(request.query_params["$filter"]))
        body = odata.collection(request, rows, representations.relationship, RELATIONSHIPS)
        return Response(body)

    def post(self, request):
        """https://learn.microsoft.com/graph/api/tenantrelationship-post-delegatedadminrelationships"""
        wanted = inputs.relationship_create(request.data)
        customer = Customer.objects.filter(tenant_id=wanted.pop("tenant_id")).first()
        if customer is None:
            raise odata.GraphBadRequest("customer.tenantId names no customer tenant.")
        gdap = gdap_services.gdap_request(actor=request.user, customer=customer, **wanted)
        item = representations.relationship(gdap)
        return Response(odata.entity(request, RELATIONSHIPS, item), status=201)


class RelationshipView(GraphView):
    def get(self, request, relationship_id):
        item = representations.relationship(self.relationship(relationship_id))
        return Response(odata.entity(request, RELATIONSHIPS, item))


class RelationshipRequestsView(GraphView):
    """`lockForApproval` and `terminate` (GD-3) through `relationship_request_create`."""

    query_options = {"GET": ("$top", "$skiptoken")}

    def context(self, relationship_id):
        return f"{RELATIONSHIPS}('{relationship_id}')/requests"

    def get(self, request, relationship_id):
        gdap = self.relationship(relationship_id)
        rows = RelationshipRequest.objects.filter(gdap=gdap)
        body = odata.collection(
            request, rows, representations.relationship_request, self.context(gdap.pk)
        )
        return Response(body)

    def post(self, request, relationship_id):
        gdap = self.relationship(relationship_id)
        action = request.data.get("action") if isinstance(request.data, dict) else None
        if action not in RequestAction.values:
            raise odata.GraphBadRequest("action must be lockForApproval or terminate.")
        made = services.relationship_request_create(actor=request.user, gdap=gdap, action=action)
        item = representations.relationship_request(made)
        return Response(odata.entity(request, self.context(gdap.pk), item), status=201)


class RelationshipRequestView(GraphView):
    def get(self, request, relationship_id, request_id):
        gdap = self.relationship(relationship_id)
        made = get_object_or_404(RelationshipRequest, gdap=gdap, pk=_uuid_or_404(request_id))
        item = representations.relationship_request(made)
        context = f"{RELATIONSHIPS}('{gdap.pk}')/requests"
        return Response(odata.entity(request, context, item))


class AccessAssignmentsView(GraphView):
    """Security groups given roles of an active relationship (CU-6)."""

    query_options = {"GET": ("$top", "$skiptoken")}

    def context(self, relationship_id):
        return f"{RELATIONSHIPS}('{relationship_id}')/accessAssignments"

    def get(self, request, relationship_id):
        gdap = self.relationship(relationship_id)
        rows = AccessAssignment.objects.filter(gdap=gdap)
        body = odata.collection(
            request, rows, representations.access_assignment, self.context(gdap.pk), gdap=gdap
        )
        return Response(body)

    def post(self, request, relationship_id):
        """https://learn.microsoft.com/graph/api/delegatedadminrelationship-post-accessassignments"""
        gdap = self.relationship(relationship_id)
        wanted = inputs.access_assignment_create(request.data)
        made = services.access_assignment_create(actor=request.user, gdap=gdap, **wanted)
        gdap.refresh_from_db()
        item = representations.access_assignment(made, gdap=gdap)
        return Response(odata.entity(request, self.context(gdap.pk), item), status=201)


class AccessAssignmentView(GraphView):
    def get(self, request, relationship_id, assignment_id):
        gdap = self.relationship(relationship_id)
        made = get_object_or_404(AccessAssignment, gdap=gdap, pk=_uuid_or_404(assignment_id))
        item = representations.access_assignment(made, gdap=gdap)
        context = f"{RELATIONSHIPS}('{gdap.pk}')/accessAssignments"
        return Response(odata.entity(request, context, item))


def _uuid_or_404(value):
    try:
        return uuid.UUID(value)
    except ValueError:
        raise Http404 from None
