"""The simulation clock (AC-3): real time plus an offset stored in the database.

No business code calls `timezone.now()`; it calls `clock.now()`. Staff move the clock forward
(`services.clock_advance`); the sweep then fires every deadline that the new time has passed.
Business time never passes a bound (AC-6): the real time, `CLOCK_MAX_YEARS_AHEAD` years on, so
every date computed from it (expiries, notices, tokens) stays representable.
"""

import logging
from datetime import date, datetime, timedelta
from typing import cast

from django.conf import settings
from django.utils import timezone

from .exceptions import ClockError
from .models import SimulationClock

log = logging.getLogger(__name__)

__all__ = ["ClockError", "add_business_days", "bound", "now", "offset", "today"]


def offset() -> timedelta:
    value = SimulationClock.objects.filter(pk=1).values_list("offset", flat=True).first()
    return value if value is not None else timedelta(0)


def bound(*, real: datetime | None = None) -> datetime:
    """The latest business time allowed (AC-6): `real` (default: the real time now) moved
    `CLOCK_MAX_YEARS_AHEAD` calendar years on (29 February becomes 28 February)."""
    real = real or timezone.now()
    year = real.year + cast(int, settings.PROGRAM_RULES["CLOCK_MAX_YEARS_AHEAD"])
    try:
        return real.replace(year=year)
    except ValueError:
        return real.replace(year=year, day=28)


def now(*, stored_offset: timedelta | None = None) -> datetime:
    """Business time: real time plus the stored offset (`stored_offset`: that offset, when the
    caller has read it already). An offset stored beyond the bound (rows written before AC-6)
    reads as the bound, so sign-in and every page keep working; it is logged."""
    real = timezone.now()
    value = offset() if stored_offset is None else stored_offset
    limit = bound(real=real)
    if value > limit - real:
        log.warning("Clock offset %s passes the AC-6 bound; business time reads %s", value, limit)
        return limit
    return real + value


def today() -> date:
    return timezone.localdate(now())


def add_business_days(start: datetime, days: int) -> datetime:
    """`start` moved forward by `days` working days, Saturdays and Sundays skipped (EN-4)."""
    result = start
    remaining = days
    while remaining > 0:
        result += timedelta(days=1)
        if result.weekday() < 5:
            remaining -= 1
    return result
