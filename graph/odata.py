"""What every Graph answer shares: the error body, the `@odata` collection envelope with
`$top` / `@odata.nextLink` paging, and the query options a route accepts.

Error body: https://learn.microsoft.com/graph/errors
Paging: https://learn.microsoft.com/graph/paging
Query options: https://learn.microsoft.com/graph/query-parameters
"""

import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from api.exceptions import RequestTooLarge
from core import clock, keyset
from core.exceptions import RuleViolation
from core.validators import parse_int

from .exceptions import GraphBadRequest, GraphPreconditionFailed

METADATA = "/graph/v1.0/$metadata#"
DEFAULT_TOP = 100
MAX_TOP = 300  # delegatedAdminRelationships pages hold up to 300 items

# HTTP status → Graph's error code (https://learn.microsoft.com/graph/errors#code-property).
GRAPH_CODES = {
    400: "invalidRequest",
    401: "unauthenticated",
    403: "accessDenied",
    404: "itemNotFound",
    405: "notSupported",
    406: "notSupported",
    409: "notAllowed",
    412: "preconditionFailed",
    413: "invalidRequest",
    415: "invalidRequest",
    429: "activityLimitReached",
}


def error_body(request, status: int, message: str, *, code: str = "", rule: str = "") -> dict:
    inner = {
        "date": clock.now().strftime("%Y-%m-%dT%H:%M:%S"),
        "request-id": str(uuid.uuid4()),
        "client-request-id": request.headers.get("client-request-id", "")[:100] if request else "",
    }
    if code:
        inner["code"] = code
    if rule:
        inner["rule"] = rule
    return {
        "error": {
            "code": GRAPH_CODES.get(status, "generalException"),
            "message": message,
            "innerError": inner,
        }
    }


def _message(exc) -> str:
    detail = getattr(exc, "detail", "")
    if isinstance(detail, list | tuple):
        return " ".join(str(d) for d in detail)
    if isinstance(detail, dict):
        return " ".join(f"{key}: {' '.join(map(str, value))}" for key, value in detail.items())
    return str(detail) or "The request failed."


def exception_handler(exc, context):
    """Every error of /graph/ in Graph's body; a RuleViolation keeps its sentence, and its rule
    and stable code go in `innerError`."""
    request = context.get("request")
    if isinstance(exc, RuleViolation):
        body = error_body(request, exc.http_status, exc.message, code=exc.code, rule=exc.rule)
        return Response(body, status=exc.http_status)
    if isinstance(exc, Http404):
        exc = drf.NotFound("The resource does not exist (or belongs to another partner).")
    elif isinstance(exc, PermissionDenied):
        exc = drf.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    message = _message(exc)
    if isinstance(exc, drf.ParseError | RequestTooLarge | GraphPreconditionFailed):
        message = str(exc.detail)
    response.data = error_body(request, response.status_code, message)
    return response


def require_query_options(request, allowed=()) -> None:
    """400 for a query option the route does not support (Graph refuses unknown `$` options)."""
    unknown = sorted(set(request.query_params) - set(allowed))
    if unknown:
        supported = ", ".join(allowed) or "none"
        raise GraphBadRequest(
            f"Unsupported query option: {', '.join(unknown)}. Supported here: {supported}."
        )


def top(request) -> int:
    raw = request.query_params.get("$top")
    if raw is None:
        return getattr(settings, "GRAPH_PAGE_SIZE", DEFAULT_TOP)
    value = parse_int(raw, minimum=1, maximum=MAX_TOP)
    if value is None:
        raise GraphBadRequest(f"$top must be a whole number from 1 to {MAX_TOP}.")
    return value


def collection(request, rows, represent, context: str, **extra):
    """`{"@odata.context", "value", "@odata.nextLink"?}` for a page of `rows` (a queryset in a
    stable order); the next link repeats the query with a `$skiptoken`: the signed sort key of
    the last item sent (keyset paging, no OFFSET), bound to this path — a changed one is a 400."""
    size = top(request)
    token = request.query_params.get("$skiptoken")
    try:
        window, next_token, _ = keyset.window(
            rows, size=size, salt=f"graph:{request.path}", after=token or None
        )
    except keyset.BadCursor:
        raise GraphBadRequest(
            "The $skiptoken is not valid: follow @odata.nextLink as given."
        ) from None
    body = {"@odata.context": request.build_absolute_uri(METADATA + context)}
    if next_token:
        query = {k: v for k, v in request.query_params.items() if k != "$skiptoken"}
        query["$skiptoken"] = next_token
        body["@odata.nextLink"] = request.build_absolute_uri(f"{request.path}?{urlencode(query)}")
    body["value"] = [represent(row, **extra) for row in window]
    return body


def entity(request, context: str, item: dict) -> dict:
    return {"@odata.context": request.build_absolute_uri(METADATA + context + "/$entity"), **item}
