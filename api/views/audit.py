"""GET /v1/auditrecords: the caller's audit records (AC-4), in Microsoft's words."""

import uuid
from datetime import UTC, datetime, time, timedelta
from urllib.parse import quote

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions

from core import clock
from core.models import AuditEvent

from .. import audit_vocabulary
from ..base import PAGING_PARAMS, PartnerCenterView, collection, errors
from ..filters import enum_choice, field_filter
from ..representations.audit import AuditRecordSerializer
from ..representations.common import collection_of, with_meta

AuditRecord = with_meta(AuditRecordSerializer, links=False)
AuditRecordCollection = collection_of(AuditRecord, "AuditRecordCollection")


# The request sample of "Get a record of Partner Center activity" sends
# `startDate=6/1/2017 12:00:00 AM`; the URI parameters table says yyyy-mm-dd.
US_DATE_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y")


def _parse_us_date(value: str) -> datetime | None:
    """A date as the docs' request sample writes it (`6/1/2017 12:00:00 AM`), or None."""
    for fmt in US_DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None


def _parse_date(value, name, *, end=False):
    """An ISO 8601 date or date-time, or the docs' `6/1/2017 12:00:00 AM`; a date-only `end`
    means the end of that day."""
    if value in (None, ""):
        return None
    try:
        parsed = _parse_us_date(value.strip()) or datetime.fromisoformat(value)
        if len(value) <= 10:
            parsed = datetime.combine(parsed.date(), time.min)
            if end:
                parsed += timedelta(days=1)
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed, UTC)
    except (ValueError, OverflowError):
        raise exceptions.ValidationError(
            {name: ["Use an ISO 8601 date, e.g. 2026-05-01 or 2026-05-01T00:00:00Z."]}
        ) from None
    return parsed


# Get a record of Partner Center activity, request syntax and filter syntax:
# https://learn.microsoft.com/en-us/partner-center/developer/get-a-record-of-partner-center-activity-by-user
# `{"Field":"CompanyName","Value":"bri","Operator":"substring"}`, `{"Field":"CustomerId",
# "Value":"<guid>","Operator":"equals"}`, `{"Field":"ResourceType","Value":"Subscription",
# "Operator":"equals"}`; "the case of the value is ignored". `Search` is our contract's name
# (API.md) for the company-name substring search.
AUDIT_FILTER_OPERATORS = {
    "CompanyName": "substring",
    "Search": "substring",
    "CustomerId": "equals",
    "ResourceType": "equals",
}


def _audit_filter(request, events):
    """`events` narrowed in SQL by the request's `filter`, and the filter's query option for the
    links ("" without one). Another field, an operator that does not go with the field, a
    customer id that is not a GUID or a resource type Partner Center does not have is a 400."""
    search = field_filter(request, tuple(AUDIT_FILTER_OPERATORS), operators=("substring", "equals"))
    if search is None:
        return events, ""
    expected = AUDIT_FILTER_OPERATORS[search.field]
    if search.operator != expected:
        raise exceptions.ValidationError(
            {"filter.Operator": [f"Field {search.field} takes the operator {expected!r}."]}
        )
    if search.field == "CustomerId":
        try:
            tenant_id = uuid.UUID(search.value)
        except ValueError:
            raise exceptions.ValidationError(
                {"filter.Value": ["A CustomerId filter needs the customer's GUID."]}
            ) from None
        events = events.filter(customer__tenant_id=tenant_id)
    elif search.field == "ResourceType":
        kind = enum_choice(
            search.value, audit_vocabulary.MICROSOFT_RESOURCE_TYPES, param="filter.Value"
        )
        events = events.filter(audit_vocabulary.resource_type_q(kind))
    else:
        events = events.filter(customer__company_name__icontains=search.value)
    return events, search.query


class AuditRecordListView(PartnerCenterView):
    """GET /v1/auditrecords?startDate=&endDate=&filter= ("Get a record of Partner Center
    activity"): the caller's own audit events of the last 90 days (AC-4), filtered in SQL, in
    Microsoft's resourceType / operationType words (`audit_vocabulary`)."""

    @extend_schema(
        operation_id="auditrecords_list",
        parameters=[
            OpenApiParameter("startDate", str, required=False, description="ISO 8601"),
            OpenApiParameter("endDate", str, required=False, description="ISO 8601"),
            OpenApiParameter(
                "filter",
                str,
                required=False,
                description='URL-encoded JSON, e.g. {"Field":"CustomerId","Value":"<guid>",'
                '"Operator":"equals"}; fields CompanyName, Search (substring), CustomerId, '
                "ResourceType (equals)",
            ),
            *PAGING_PARAMS,
        ],
        responses={200: AuditRecordCollection, **errors(400)},
    )
    def get(self, request):
        retention = settings.PROGRAM_RULES["AUDIT_RETENTION_DAYS"]
        oldest = clock.now() - timedelta(days=retention)
        start = _parse_date(request.query_params.get("startDate"), "startDate")
        end = _parse_date(request.query_params.get("endDate"), "endDate", end=True)
        if start and end and end <= start:
            raise exceptions.ValidationError({"endDate": ["endDate is before startDate."]})
        events = AuditEvent.objects.filter(
            partner=request.partner, occurred_at__gte=max(start or oldest, oldest)
        ).select_related("partner", "customer")
        if end:
            events = events.filter(occurred_at__lt=end)
        events, filter_query = _audit_filter(request, events)
        events = events.order_by("-occurred_at", "-id")
        query = "&".join(
            [
                f"{k}={quote(request.query_params[k], safe='')}"
                for k in ("startDate", "endDate")
                if request.query_params.get(k)
            ]
            + ([filter_query] if filter_query else [])
        )
        return collection(
            request, events, AuditRecordSerializer, "/auditrecords", extra_query=query
        )
