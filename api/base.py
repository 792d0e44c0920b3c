"""The base of every /v1/ view: bearer auth, TX-2, per-partner throttling (AP-2), request-id
echo, body size limit, collections with `size` paging, and POST idempotency."""

import functools
import hashlib
import json
import logging
import uuid

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, throttling
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from core import keyset
from core.validators import BIGINT_MAX, parse_int

from .authentication import BearerTokenAuthentication, PartnerApiAccess
from .exceptions import RequestIdReused, RequestTooLarge, exception_handler
from .models import IdempotencyRecord
from .parsers import BoundedJSONParser
from .representations.common import ErrorSerializer, link

log = logging.getLogger(__name__)

REQUEST_ID = "MS-RequestId"
CORRELATION_ID = "MS-CorrelationId"
CONTINUATION = "MS-ContinuationToken"


class PartnerRateThrottle(throttling.SimpleRateThrottle):
    """AP-2: `settings.API_THROTTLE_RATE` calls per partner; 429 with Retry-After beyond."""

    scope = "partner"

    def __init__(self):
        self.cache = caches[getattr(settings, "API_THROTTLE_CACHE", "default")]
        super().__init__()

    def get_rate(self):
        return getattr(settings, "API_THROTTLE_RATE", "600/min")

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception:  # the counter's cache (e.g. Redis) is down: fail open, loudly
            log.exception("API throttle cache unavailable; request allowed")
            return True

    def get_cache_key(self, request, view):
        partner = getattr(request, "partner", None)
        if partner is None:
            return None
        return f"api-throttle:partner:{partner.pk}"


def _header_id(request, name):
    value = request.headers.get(name, "").strip()
    return value[:100] if value else ""


class PartnerCenterView(APIView):
    authentication_classes = [BearerTokenAuthentication]
    permission_classes = [PartnerApiAccess]
    throttle_classes = [PartnerRateThrottle]
    parser_classes = [BoundedJSONParser]

    def get_throttles(self):
        if not getattr(settings, "API_THROTTLE_ENABLED", True):
            return []
        return super().get_throttles()

    def initial(self, request, *args, **kwargs):
        request.ms_request_id = _header_id(request, REQUEST_ID)
        request.ms_correlation_id = _header_id(request, CORRELATION_ID)
        limit = getattr(settings, "API_MAX_BODY_BYTES", 256 * 1024)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            raise RequestTooLarge(f"The request body is larger than {limit // 1024} KB.")
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        request_id = getattr(request, "ms_request_id", "") or _header_id(request, REQUEST_ID)
        correlation = getattr(request, "ms_correlation_id", "") or _header_id(
            request, CORRELATION_ID
        )
        response[REQUEST_ID] = request_id or str(uuid.uuid4())
        response[CORRELATION_ID] = correlation or str(uuid.uuid4())
        return response

    def get_exception_handler(self):
        return exception_handler


# --- paging --------------------------------------------------------------------------------

SIZE_PARAM = OpenApiParameter(
    "size", int, description="Page size (default 100, max 500; 0: the default).", required=False
)
SEEK_PARAM = OpenApiParameter(
    "seekOperation", str, enum=["Next"], required=False, description="With MS-ContinuationToken."
)
CONTINUATION_PARAM = OpenApiParameter(
    CONTINUATION,
    str,
    location=OpenApiParameter.HEADER,
    required=False,
    description="The continuation token from the previous page's `links.next`.",
)
PAGING_PARAMS = [SIZE_PARAM, SEEK_PARAM, CONTINUATION_PARAM]


def _invalid_token() -> exceptions.ValidationError:
    return exceptions.ValidationError({CONTINUATION: ["The continuation token is not valid."]})


def _cursor(token: str, decode):
    """`decode(token)`, or the API's invalid_input error (400) for a token we didn't make."""
    try:
        return decode(token)
    except keyset.BadCursor:
        raise _invalid_token() from None


def page_size(request) -> int:
    """`size`: the page size asked for; absent or 0 is the default page size, as the SDKs'
    simple queries send `size=0` (e.g. "Get customers of an indirect reseller":
    https://learn.microsoft.com/en-us/partner-center/developer/get-customers-of-an-indirect-reseller).
    """
    default = getattr(settings, "API_PAGE_SIZE", 100)
    maximum = getattr(settings, "API_MAX_PAGE_SIZE", 500)
    raw = request.query_params.get("size")
    if raw in (None, ""):
        return default
    size = parse_int(raw, maximum=BIGINT_MAX)
    if size is None:
        raise exceptions.ValidationError({"size": ["size must be a whole number."]})
    if size == 0:
        return default
    if not 1 <= size <= maximum:
        raise exceptions.ValidationError(
            {"size": [f"size must be between 1 and {maximum} (0: the default)."]}
        )
    return size


def _page(request, rows, path: str, extra_query: str):
    """The window of `rows` a collection request asks for, its links and the next page's
    continuation token.

    Paging follows "Get a list of customers": `GET /customers?size=N`; the response's
    `links.next` is `/customers?size=N&seekOperation=Next` with the `MS-ContinuationToken`
    header to send (also in `continuationToken`). Link URIs are relative to /v1, as
    Microsoft's are.
    """
    size = page_size(request)
    token = request.headers.get(CONTINUATION) or request.query_params.get("continuationToken")
    # The token is the signed sort key of the last item sent (keyset, no OFFSET), bound to
    # this collection: a changed token, or one from another collection, is a 400.
    salt = f"v1:{path}"
    if isinstance(rows, QuerySet):
        window, next_token, _ = _cursor(
            token, lambda t: keyset.window(rows, size=size, salt=salt, after=t or None)
        )
    elif hasattr(rows, "window"):  # a hand-written statement that pages itself by key
        window, next_token = _cursor(token, lambda t: rows.window(size=size, salt=salt, after=t))
    else:  # a short list built in Python (a customer's agreements, relationships): by position
        start = _cursor(token, lambda t: keyset.decode(t, salt=salt, length=1)[0] if t else 0)
        if type(start) is not int or start < 0:
            raise _invalid_token()
        rows = list(rows)
        window = rows[start : start + size]
        more = len(rows) > start + size
        next_token = keyset.encode([start + size], salt=salt) if more else None
    query = f"size={size}" + (f"&{extra_query}" if extra_query else "")
    headers = [{"key": CONTINUATION, "value": token}] if token else []
    links = {"self": link(f"{path}?{query}", headers=headers)}
    if next_token:
        links["next"] = link(
            f"{path}?{query}&seekOperation=Next",
            headers=[{"key": CONTINUATION, "value": next_token}],
        )
    return window, links, next_token


def _envelope(items, links, next_token) -> dict:
    """Partner Center's collection envelope. `totalCount` is the number of items in this page,
    as in Partner Center."""
    return {
        "totalCount": len(items),
        "items": items,
        "continuationToken": next_token,
        "links": links,
        "attributes": {"objectType": "Collection"},
    }


def collection(request, rows, serializer_class, path: str, *, extra_query: str = "", context=None):
    """Partner Center's collection of `rows`, serialised by `serializer_class`, with `size`
    paging and a continuation link."""
    window, links, next_token = _page(request, rows, path, extra_query)
    items = serializer_class(window, many=True, context=context or {}).data
    return Response(_envelope(items, links, next_token))


def encoded_collection(request, rows, encode, path: str, *, extra_query: str = ""):
    """`collection` for items that come already encoded: `encode(row)` returns an item's JSON
    as the JSON renderer writes it, and the envelope is written around the items, which are
    not decoded and encoded again. The same bytes as `collection` would send."""
    window, links, next_token = _page(request, rows, path, extra_query)
    items = [encode(row) for row in window]
    renderer = JSONRenderer()
    if renderer.get_indent(request.accepted_media_type, {}) is not None:  # asked to indent
        return Response(_envelope([json.loads(item) for item in items], links, next_token))
    # The envelope's first two keys by hand, then the rest as the renderer writes them.
    envelope = _envelope(items, links, next_token)
    head = b'{"totalCount":%d,"items":[' % envelope.pop("totalCount")
    del envelope["items"]
    rest = renderer.render(envelope)  # b'{"continuationToken":...}'
    return HttpResponse(
        head + b",".join(items) + b"]," + rest[1:], content_type=renderer.media_type
    )


# --- documented error responses ------------------------------------------------------------


def errors(*statuses: int) -> dict:
    """OpenAPI responses for the error statuses an operation can return (always 401/403/429)."""
    text = {
        400: "Invalid input",
        401: "Missing, invalid or revoked token",
        403: "Role or program rule refuses (e.g. TX-2 api_access_direct_bill_only)",
        404: "Not found (or another partner's object, AC-2)",
        409: "A program rule refuses in the current state",
        413: "Request body too large",
        429: "Throttled (Retry-After)",
    }
    wanted = sorted({401, 403, 429, *statuses})
    return {s: OpenApiResponse(ErrorSerializer, description=text[s]) for s in wanted}


# --- idempotency ---------------------------------------------------------------------------


def idempotent(handler):
    """A POST repeated with the same MS-RequestId by the same user, to the same path with the
    same body, returns the first response (status and body) instead of acting twice; any other
    request under a used id is refused with 409 `request_id_reused` and not executed. A retry
    that arrives while the first is still running waits for it (a transaction-level advisory
    lock on the partner and the id), then replays its response.

    Partner Center: "If there's a timeout, the retry call should include the same value"
    (https://learn.microsoft.com/en-us/partner-center/developer/headers)."""

    @functools.wraps(handler)
    def wrapper(self, request, *args, **kwargs):
        request_id = getattr(request, "ms_request_id", "")
        if not request_id:
            return handler(self, request, *args, **kwargs)
        partner = request.partner
        body_sha256 = hashlib.sha256(request.body).hexdigest()
        with transaction.atomic():
            _lock_request_id(partner, request_id)
            previous = IdempotencyRecord.objects.filter(
                partner=partner, request_id=request_id
            ).first()
            if previous is not None:
                return _replay(previous, request, body_sha256)
            try:
                response = handler(self, request, *args, **kwargs)
            except Exception as exc:  # a refusal is a response too: replay the same error
                response = self.handle_exception(exc)
            if response.status_code < 500:
                IdempotencyRecord.objects.create(
                    partner=partner,
                    user=request.user,
                    request_id=request_id,
                    method=request.method,
                    path=request.path,
                    body_sha256=body_sha256,
                    status_code=response.status_code,
                    body=response.data,
                )
        return response

    return wrapper


def _lock_request_id(partner, request_id: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [partner.pk, request_id])


def _replay(previous, request, body_sha256: str) -> Response:
    same_call = (
        previous.user_id == request.user.pk
        and previous.method == request.method
        and previous.path == request.path
        and previous.body_sha256 == body_sha256
    )
    if not same_call:
        raise RequestIdReused()
    response = Response(previous.body, status=previous.status_code)
    response["MS-Idempotent-Replay"] = "true"
    return response
