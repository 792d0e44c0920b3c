"""The simulation clock's one row (AC-3)."""

from datetime import timedelta

from django.db import models
from django.db.models import Q


class SimulationClock(models.Model):
    """The single row holding the offset of business time from real time (AC-3)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    offset = models.DurationField(default=timedelta(0))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="single_clock_row")]

    def __str__(self):
        return f"Simulation clock (offset {self.offset})"
