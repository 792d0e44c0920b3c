"""The simulation clock (AC-3): real time plus an offset stored in the database.

No business code calls `timezone.now()`; it calls `clock.now()`. Staff move the clock forward
in the admin; the sweep then fires every deadline that the new time has passed.
"""

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from .models import SimulationClock


def offset() -> timedelta:
    value = SimulationClock.objects.filter(pk=1).values_list("offset", flat=True).first()
    return value if value is not None else timedelta(0)


def now(*, stored_offset: timedelta | None = None) -> datetime:
    """Business time: real time plus the stored offset (`stored_offset`: that offset, when the
    caller has read it already)."""
    return timezone.now() + (offset() if stored_offset is None else stored_offset)


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


class ClockError(ValueError):
    code = "clock_backwards"


def advance(*, actor, delta: timedelta) -> datetime:
    """Move business time forward by `delta` (never backwards: deadlines already fired)."""
    from . import audit

    if delta <= timedelta(0):
        raise ClockError("The simulation clock only moves forward.")
    with transaction.atomic():
        clock, _ = SimulationClock.objects.select_for_update().get_or_create(pk=1)
        before = timezone.now() + clock.offset
        clock.offset += delta
        clock.save(update_fields=["offset", "updated_at"])
        after = before + delta
        audit.record(
            actor=actor,
            operation="clock.advance",
            object_type="SimulationClock",
            object_id="1",
            old_state=before.strftime("%Y-%m-%d %H:%M"),
            new_state=after.strftime("%Y-%m-%d %H:%M"),
            at=after,
        )
    _ring_sweep()
    return after


def set_to(*, actor, when: datetime) -> datetime:
    """Move business time forward to `when`."""
    return advance(actor=actor, delta=when - now())


def _ring_sweep():
    """Ask a worker to fire what the jump made due; the beat sweep would do it anyway."""
    from .tasks import enqueue, sweep

    enqueue(sweep)
