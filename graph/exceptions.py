"""Refusals of the Graph GDAP API's own actions (GD-1, GD-3), and Graph's protocol errors (a
bad request, a failed `If-Match`): DRF errors rendered as Graph's error body by
`graph.odata.exception_handler`."""

from rest_framework import exceptions as drf

from core.exceptions import RuleViolation


class GraphRequestRefused(RuleViolation):
    """GD-1/GD-3: a relationship request (lockForApproval, terminate) the relationship's state
    does not allow. Nothing was changed."""

    code = "relationship_request_refused"
    rule = "GD-1"
    http_status = 409
    default_message = "This action is not possible for the relationship in its current state."


class AccessAssignmentRefused(RuleViolation):
    """GD-1/CU-6: an access assignment may only give a security group roles the customer
    approved, in an active relationship. Nothing was changed."""

    code = "access_assignment_refused"
    rule = "CU-6"
    http_status = 409
    default_message = "The access assignment cannot be created."


class GraphBadRequest(drf.ValidationError):
    """A request Graph answers with 400 `invalidRequest`; the sentence says what to change."""


class GraphPreconditionFailed(drf.APIException):
    """`If-Match` names another version of the object than the current one: 412."""

    status_code = 412
    default_detail = "The object changed since you read it: read it again and retry."
