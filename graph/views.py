"""/graph/v1.0/tenantRelationships/delegatedAdminRelationships: the Graph GDAP API over the
portal's GDAP services, with the portal's API tokens (AP-1, TX-2) and Graph's shapes.

https://learn.microsoft.com/graph/api/resources/delegatedadminrelationship
"""

import re
import uuid

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from api.authentication import BearerTokenAuthentication, PartnerApiAccess
from api.base import PartnerRateThrottle
from api.exceptions import RequestTooLarge
from api.parsers import BoundedJSONParser
from core.models import Customer
from core.validators import parse_id
from relationships import selectors as relationship_selectors
from relationships.services import gdap as gdap_services

from . import inputs, odata, representations, services
from .exceptions import GraphBadRequest, GraphPreconditionFailed
from .models import AccessAssignment, RelationshipRequest, RequestAction
from .vocabulary import STATUSES_OF_GRAPH_WORD

RELATIONSHIPS = "tenantRelationships/delegatedAdminRelationships"
FILTER_CLAUSE = re.compile(r"\s*status\s+eq\s+'(\w+)'\s*", re.IGNORECASE)


GRAPH_ERROR = inline_serializer(
    "GraphError",
    {"error": serializers.DictField(help_text="code, message, innerError (rule, request-id)")},
)
LIST_PARAMS = [
    OpenApiParameter("$top", int, description="Page size, 1 to 300 (default 100)."),
    OpenApiParameter("$skiptoken", str, description="From @odata.nextLink."),
]
FILTER_PARAM = OpenApiParameter("$filter", str, description="status eq 'active' (or ...).")
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    location=OpenApiParameter.HEADER,
    description="The @odata.etag last read; a stale one is a 412 (optional here).",
)


def graph_schema(operation_id: str, ok: int, *, request=None, parameters=(), errors=(400, 404)):
    """The OpenAPI description of a Graph operation: a Graph object or collection on success,
    Graph's error body for the rest."""
    statuses = sorted({401, 403, 405, 413, 415, 429, *errors})
    responses = {ok: OpenApiResponse(OpenApiTypes.OBJECT)}
    responses |= {status: OpenApiResponse(GRAPH_ERROR) for status in statuses}
    return extend_schema(
        operation_id=f"graph_{operation_id}",
        tags=["Graph GDAP"],
        request=request,
        responses=responses,
        parameters=list(parameters),
    )


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
        limit = getattr(settings, "API_MAX_BODY_BYTES", 256 * 1024)
        if (parse_id(request.META.get("CONTENT_LENGTH")) or 0) > limit:
            raise RequestTooLarge(f"The request body is larger than {limit // 1024} KB.")
        super().initial(request, *args, **kwargs)
        odata.require_query_options(request, self.query_options.get(request.method, ()))

    def relationship(self, relationship_id):
        """The partner's own relationship; another partner's, or no such id, is a 404 (AC-2)."""
        pk = parse_id(relationship_id)
        return get_object_or_404(
            relationship_selectors.gdap_of_partner(partner=self.request.partner), pk=pk
        )


def _status_filter(expression: str) -> list[str]:
    """`$filter=status eq 'active'` (clauses joined by `or`): the portal statuses it names."""
    statuses = []
    for clause in re.split(r"\s+or\s+", expression.strip(), flags=re.IGNORECASE):
        match = FILTER_CLAUSE.fullmatch(clause)
        if not match or match.group(1) not in STATUSES_OF_GRAPH_WORD:
            raise GraphBadRequest(
                "$filter supports status eq '<status>' (joined by or), with a status of "
                + ", ".join(STATUSES_OF_GRAPH_WORD)
                + "."
            )
        statuses += STATUSES_OF_GRAPH_WORD[match.group(1)]
    return statuses


class RelationshipsView(GraphView):
    """List (newest first) and create (GD-1, GD-2 through `gdap_request`)."""

    query_options = {"GET": ("$top", "$filter", "$skiptoken")}

    @graph_schema("relationships_list", 200, parameters=[*LIST_PARAMS, FILTER_PARAM], errors=(400,))
    def get(self, request):
        rows = relationship_selectors.gdap_of_partner(partner=request.partner).order_by(
            "-requested_at", "-id"
        )
        if "$filter" in request.query_params:
            rows = rows.filter(status__in=_status_filter(request.query_params["$filter"]))
        body = odata.collection(request, rows, representations.relationship, RELATIONSHIPS)
        return Response(body)

    @graph_schema("relationships_create", 201, request=OpenApiTypes.OBJECT, errors=(400, 409))
    def post(self, request):
        """https://learn.microsoft.com/graph/api/tenantrelationship-post-delegatedadminrelationships"""
        wanted = inputs.relationship_create(request.data)
        customer = Customer.objects.filter(tenant_id=wanted.pop("tenant_id")).first()
        if customer is None:
            raise GraphBadRequest("customer.tenantId names no customer tenant.")
        gdap = gdap_services.gdap_create(actor=request.user, customer=customer, **wanted)
        item = representations.relationship(gdap)
        return Response(odata.entity(request, RELATIONSHIPS, item), status=201)


class RelationshipView(GraphView):
    @graph_schema("relationship_get", 200)
    def get(self, request, relationship_id):
        item = representations.relationship(self.relationship(relationship_id))
        return Response(odata.entity(request, RELATIONSHIPS, item))

    @graph_schema(
        "relationship_update",
        200,
        request=OpenApiTypes.OBJECT,
        parameters=[IF_MATCH],
        errors=(400, 404, 409, 412),
    )
    def patch(self, request, relationship_id):
        """displayName, duration, accessDetails while `created`; autoExtendDuration while
        `created` or `active` (GD-1, GD-2 through `gdap_update`).
        https://learn.microsoft.com/graph/api/delegatedadminrelationship-update"""
        gdap = self.relationship(relationship_id)
        wanted = inputs.relationship_update(request.data)
        expected = request.headers.get("If-Match", "").strip()
        current = representations.relationship(gdap)["@odata.etag"]
        if expected and expected != "*" and expected != current:
            raise GraphPreconditionFailed()
        gdap = gdap_services.gdap_update(actor=request.user, gdap=gdap, **wanted)
        item = representations.relationship(gdap)
        return Response(odata.entity(request, RELATIONSHIPS, item))


class RelationshipRequestsView(GraphView):
    """`lockForApproval` and `terminate` (GD-3) through `relationship_request_create`."""

    query_options = {"GET": ("$top", "$skiptoken")}

    def context(self, relationship_id):
        return f"{RELATIONSHIPS}('{relationship_id}')/requests"

    @graph_schema("requests_list", 200, parameters=LIST_PARAMS)
    def get(self, request, relationship_id):
        gdap = self.relationship(relationship_id)
        rows = RelationshipRequest.objects.filter(gdap=gdap)
        body = odata.collection(
            request, rows, representations.relationship_request, self.context(gdap.pk)
        )
        return Response(body)

    @graph_schema("requests_create", 201, request=OpenApiTypes.OBJECT, errors=(400, 404, 409))
    def post(self, request, relationship_id):
        gdap = self.relationship(relationship_id)
        action = request.data.get("action") if isinstance(request.data, dict) else None
        if action not in RequestAction.values:
            raise GraphBadRequest("action must be lockForApproval or terminate.")
        made = services.relationship_request_create(actor=request.user, gdap=gdap, action=action)
        item = representations.relationship_request(made)
        return Response(odata.entity(request, self.context(gdap.pk), item), status=201)


class RelationshipRequestView(GraphView):
    @graph_schema("request_get", 200)
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

    @graph_schema("access_assignments_list", 200, parameters=LIST_PARAMS)
    def get(self, request, relationship_id):
        gdap = self.relationship(relationship_id)
        rows = AccessAssignment.objects.filter(gdap=gdap)
        body = odata.collection(
            request, rows, representations.access_assignment, self.context(gdap.pk), gdap=gdap
        )
        return Response(body)

    @graph_schema(
        "access_assignments_create", 201, request=OpenApiTypes.OBJECT, errors=(400, 404, 409)
    )
    def post(self, request, relationship_id):
        """https://learn.microsoft.com/graph/api/delegatedadminrelationship-post-accessassignments"""
        gdap = self.relationship(relationship_id)
        wanted = inputs.access_assignment_create(request.data)
        made = services.access_assignment_create(actor=request.user, gdap=gdap, **wanted)
        gdap.refresh_from_db()
        item = representations.access_assignment(made, gdap=gdap)
        return Response(odata.entity(request, self.context(gdap.pk), item), status=201)


class AccessAssignmentView(GraphView):
    @graph_schema("access_assignment_get", 200)
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
