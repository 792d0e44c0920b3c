"""Subscription terms on the calendar: ISO 8601 terms (P1M, P1Y, P3Y), their commitment end
dates and the billing frequencies each term offers (NC-1, NC-3, TR-5)."""

import calendar
from datetime import date, timedelta

from .models import BillingCycle

# The billing frequencies Partner Center offers for each new commerce term.
BILLING_CYCLES_BY_TERM = {
    "P1M": (BillingCycle.MONTHLY,),
    "P1Y": (BillingCycle.MONTHLY, BillingCycle.ANNUAL),
    "P3Y": (BillingCycle.MONTHLY, BillingCycle.ANNUAL, BillingCycle.TRIENNIAL),
}


def add_months(start: date, months: int) -> date:
    """`start` moved by `months` (negative: back), on the same day or the month's last."""
    month = start.month - 1 + months
    year = start.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def term_end(start: date, term: str) -> date | None:
    """The commitment end date of a term starting on `start` (ISO 8601 P1M / P1Y / P3Y)."""
    months = {"P1M": 1, "P1Y": 12, "P3Y": 36}.get(term or "")
    return add_months(start, months) - timedelta(days=1) if months else None
