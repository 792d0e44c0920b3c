"""API-only refusals and THE one place that turns every error into Partner Center's error body.

Error body per "Partner Center REST error codes"
(https://learn.microsoft.com/en-us/partner-center/developer/error-codes): `code` (always),
`description` (always), `data` (array, may be empty) and `source`, which Partner Center sends
as "PartnerFD". `code` is a number (api.numeric_codes); we add `errorName`, the refusal's
stable name, and end `data` with `{"errorName": ..., "rule": <rule ID or null>}`.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import InvalidInput, RuleViolation

from .numeric_codes import numeric_code

SOURCE = "PartnerFD"


class ApiAccessDirectBillOnly(RuleViolation):
    """TX-2: API access exists only for direct-bill partners (Active or Restricted) and
    indirect providers; a Closed direct-bill enrollment switches the credentials off."""

    code = "api_access_direct_bill_only"
    rule = "TX-2"
    http_status = 403
    default_message = (
        "API access is available only to direct-bill partners and indirect providers. "
        "Your organisation has no open direct-bill enrollment, so its API credentials do not "
        "work."
    )


class NotPartnerUser(RuleViolation):
    """AC-1: API tokens belong to partner users only."""

    code = "not_partner_user"
    rule = "AC-1"
    http_status = 403
    default_message = "API tokens act for a partner user; this user belongs to no partner."


class RequestIdReused(RuleViolation):
    """AP-1: an MS-RequestId is replayed only for a retry of the same call: the same user,
    method, path and body. Another request under a used id is refused, and not executed."""

    code = "request_id_reused"
    rule = "AP-1"
    http_status = 409
    default_message = (
        "This MS-RequestId was already used for a different request (another user, operation or "
        "body). Send a new MS-RequestId for every new call; reuse it only to retry the same call."
    )


class UnknownPartner(InvalidInput):
    """An id in the request names no partner (tenant ID or PartnerID)."""

    code = "unknown_partner"
    rule = "AP-1"
    http_status = 400
    default_message = "No partner has that tenant ID or PartnerID."


class TokenNotPartnerUser(InvalidInput):
    code = "token_user_not_partner"
    rule = "AC-1"
    http_status = 400
    default_message = "API tokens can be issued only to partner users."


class SubscriptionNotFound(drf.NotFound):
    """An unknown subscription id, or one the caller may not see (AC-2): Partner Center's
    20003 "Subscription with ID {0} can't be found"."""

    default_code = "subscription_not_found"
    default_detail = "No such subscription."


class RequestTooLarge(drf.APIException):
    status_code = 413
    default_code = "request_too_large"
    default_detail = "The request body is larger than the API accepts."


# DRF exception class → (stable code, default sentence) for the non-rule errors.
_DRF_CODES = [
    (drf.NotAuthenticated, "unauthenticated", "Send 'Authorization: Bearer <token>'."),
    (drf.AuthenticationFailed, "invalid_token", "The bearer token is not valid."),
    (drf.PermissionDenied, "forbidden", "You are not allowed to do this."),
    (SubscriptionNotFound, "subscription_not_found", "No such subscription."),
    (drf.NotFound, "not_found", "No such resource."),
    (drf.MethodNotAllowed, "method_not_allowed", "That method is not allowed here."),
    (drf.NotAcceptable, "not_acceptable", "That response format is not available."),
    (drf.UnsupportedMediaType, "unsupported_media_type", "Send JSON (application/json)."),
    (drf.Throttled, "too_many_requests", "Too many requests; retry after the given delay."),
    (drf.ParseError, "malformed_request", "The request body is not valid JSON."),
    (drf.ValidationError, "invalid_input", "The request is not valid."),
    (RequestTooLarge, "request_too_large", RequestTooLarge.default_detail),
]


# The rule behind a protocol error, for `data`.
PROTOCOL_RULES = {
    "not_found": "AC-2",
    "subscription_not_found": "AC-2",
    "too_many_requests": "AP-2",
}


def error_body(name: str, description: str, data=None, *, rule: str = "") -> dict:
    """Partner Center's error body for the error named `name` (its numeric code, the name as
    `errorName`, the rule ID at the end of `data`)."""
    return {
        "code": numeric_code(name),
        "description": description,
        "data": [*(data or []), {"errorName": name, "rule": rule or None}],
        "source": SOURCE,
        "errorName": name,
    }


def _validation_data(detail, prefix=""):
    """Flatten DRF's nested validation errors into [{"field": ..., "message": ...}]."""
    out = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.extend(_validation_data(value, name))
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                out.extend(_validation_data(value, f"{prefix}[{index}]"))
            else:
                out.append({"field": prefix or "body", "message": str(value)})
    else:
        out.append({"field": prefix or "body", "message": str(detail)})
    return out


def exception_handler(exc, context):
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: every /v1/ error goes through here (AP-1, AP-3)."""
    if isinstance(exc, RuleViolation):
        body = error_body(exc.code, exc.message, exc.data, rule=exc.rule)
        return Response(body, status=exc.http_status)
    if isinstance(exc, Http404):
        exc = drf.NotFound(str(exc) or None)
    elif isinstance(exc, PermissionDenied):
        exc = drf.PermissionDenied(str(exc) or None)

    response = drf_exception_handler(exc, context)  # sets Retry-After / WWW-Authenticate
    if response is None:
        return None
    code, sentence = "error", "The request failed."
    for cls, stable, default in _DRF_CODES:
        if isinstance(exc, cls):
            code, sentence = stable, default
            break
    data = []
    if isinstance(exc, drf.ValidationError):
        data = _validation_data(exc.detail)
        description = "; ".join(f"{d['field']}: {d['message']}" for d in data) or sentence
    elif isinstance(exc.detail, str) and exc.detail:
        description = str(exc.detail)
    else:
        description = sentence
    if isinstance(exc, drf.Throttled):
        description = f"Too many requests. Retry after {response.get('Retry-After', '1')} s."
    response.data = error_body(code, description, data, rule=PROTOCOL_RULES.get(code, ""))
    return response
