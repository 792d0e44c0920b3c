"""Reads of the core pages, shared by a page and its CSV export so both show the same rows."""

from collections.abc import Mapping
from datetime import timedelta
from typing import Any, cast

from django.conf import settings
from django.db.models import QuerySet

from . import clock, customer_picker
from .forms import AuditFilterForm, day_end, day_start
from .models import AuditEvent, Partner


def audit_log(
    *, partner: Partner, params: Mapping[str, Any] | None
) -> tuple[AuditFilterForm, QuerySet[AuditEvent]]:
    """The partner's own audit events of the last `AUDIT_RETENTION_DAYS` (AC-4), newest first,
    filtered by `params` (the page's GET): the bound filter form and the queryset."""
    retention = cast(int, settings.PROGRAM_RULES["AUDIT_RETENTION_DAYS"])
    events = AuditEvent.objects.filter(
        partner=partner, occurred_at__gte=clock.now() - timedelta(days=retention)
    ).select_related("customer")
    operations = (
        AuditEvent.objects.filter(partner=partner)
        .order_by()
        .values_list("operation", flat=True)
        .distinct()
    )
    form = AuditFilterForm(
        params or None,
        customers=customer_picker.scope_customers("all", partner),
        operations=sorted(operations),
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["customer"]:
            events = events.filter(customer=data["customer"])
        if data["operation"]:
            events = events.filter(operation=data["operation"])
        if data["outcome"]:
            events = events.filter(outcome=data["outcome"])
        if data["start"]:
            events = events.filter(occurred_at__gte=day_start(data["start"]))
        if data["end"]:
            events = events.filter(occurred_at__lt=day_end(data["end"]))
    return form, events
