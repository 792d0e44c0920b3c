"""The clock's services (AC-3, AC-6): staff move business time forward, within the bound, or
start a rehearsal over by resetting it to real time. Every page and admin view calls these."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .. import audit, clock
from ..exceptions import ClockBackwards, ClockBeyondBound
from ..models import SimulationClock, User
from ..queue import enqueue
from ..tasks import sweep


def _stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M")


def beyond_bound_message(limit: datetime) -> str:
    years = settings.PROGRAM_RULES["CLOCK_MAX_YEARS_AHEAD"]
    return (
        f"The simulation clock can't move past {limit:%d %b %Y %H:%M} UTC, {years} years "
        "after the real date. Choose an earlier time."
    )


@audit.refusals("clock.advance")
def clock_advance(*, actor: User | None, delta: timedelta) -> datetime:
    """Move business time forward by `delta`: never backwards (deadlines already fired), never
    past `clock.bound()`. Returns the new business time; the sweep then fires what fell due."""
    if delta <= timedelta(0):
        raise ClockBackwards()
    with transaction.atomic():
        row, _ = SimulationClock.objects.select_for_update().get_or_create(pk=1)
        real = timezone.now()
        before = clock.now(stored_offset=row.offset)
        limit = clock.bound(real=real)
        if delta > limit - before:  # compared as durations: `before + delta` may not exist
            raise ClockBeyondBound(beyond_bound_message(limit))
        after = before + delta
        row.offset = after - real
        row.save(update_fields=["offset", "updated_at"])
        audit.record(
            actor=actor,
            operation="clock.advance",
            object_type="SimulationClock",
            object_id="1",
            old_state=_stamp(before),
            new_state=_stamp(after),
            at=after,
        )
    enqueue(sweep)  # fire what the jump made due now; the beat sweep would do it anyway
    return after


@audit.refusals("clock.reset")
def clock_reset(*, actor: User) -> datetime:
    """Set business time back to real time, to start a rehearsal over. The one exception to
    "the clock only moves forward" (AC-6), for staff only: deadlines that already fired stay
    fired, and dates set in the simulated future stay where they are. Audited."""
    with transaction.atomic():
        row, _ = SimulationClock.objects.select_for_update().get_or_create(pk=1)
        real = timezone.now()
        before = clock.now(stored_offset=row.offset)
        row.offset = timedelta(0)
        row.save(update_fields=["offset", "updated_at"])
        audit.record(
            actor=actor,
            operation="clock.reset",
            object_type="SimulationClock",
            object_id="1",
            old_state=_stamp(before),
            new_state=_stamp(real),
            detail="Simulation clock reset to real time",
            at=real,
        )
    return real
