"""The Transition's progress over simulated time (AC-3), drawn as server-rendered SVG charts
(no script, no chart library, nothing loaded from elsewhere) with a data table beside them.

The history comes from the rows' own clock timestamps, which the services stamp from
`clock.now()`: when each customer got its indirect provider (the provider relationship's
`established_at`), when it became the partner's indirect customer (`became_indirect_at`, IR-1:
no direct-bill subscription left) and when each subscription moved (the completed transfer's
`completed_at`). The counts per day are kept in the memo until the partner's data changes; the
axis runs to the clock's today, so moving the clock stretches it.
"""

import bisect
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Min
from django.db.models.functions import TruncDate
from django.utils import timezone

from core import clock, memo
from core.models import CustomerRelationship, RelationshipKind

from . import readiness
from .models import LineStatus, TransferLineItem

MEMO = "transfers.progress"
MAX_POINTS = 40  # more days than this are sampled evenly: a point every few days
WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 20, 16, 40


def _per_day(rows) -> list[list]:
    """[[ISO day, count], ...] in day order (a JSON-friendly shape for the memo)."""
    return [[day.isoformat(), n] for day, n in sorted(rows) if day is not None]


def daily_counts(partner) -> dict:
    """How many customers got a provider, became indirect, and how many subscriptions were
    transferred away, per simulated day (three queries)."""
    transitioning = readiness.customers_of_transitioning(partner)
    # A customer counts once, on the day its first (still active) provider relationship began.
    firsts = (
        CustomerRelationship.objects.active()
        .filter(
            reseller=partner, kind=RelationshipKind.INDIRECT_PROVIDER, customer__in=transitioning
        )
        .values("customer")
        .annotate(first=Min("established_at"))
        .values_list("first", flat=True)
    )
    provider_days: dict[date, int] = {}
    for first in firsts:
        day = clock_day(first)
        provider_days[day] = provider_days.get(day, 0) + 1
    moved = (
        readiness.transitioning_relationships(partner)
        .filter(became_indirect_at__isnull=False)
        .annotate(day=TruncDate("became_indirect_at"))
        .values("day")
        .annotate(n=Count("customer", distinct=True))
        .values_list("day", "n")
    )
    transferred = (
        TransferLineItem.objects.filter(status=LineStatus.COMPLETE, request__source=partner)
        .annotate(day=TruncDate("request__completed_at"))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    return {
        "provider": _per_day(provider_days.items()),
        "moved": _per_day(moved),
        "transferred": _per_day(transferred),
    }


def clock_day(moment) -> date:
    """The day of `moment` in the portal's time zone (as TruncDate counts it)."""
    return timezone.localdate(moment)


@dataclass
class Series:
    label: str
    colour: str
    dash: str  # a line style too, so the series differ without colour (WCAG 1.4.1)
    values: list[int]
    points: list[tuple[float, float, int, date]] = field(default_factory=list)

    @property
    def polyline(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y, _v, _d in self.points)


@dataclass
class Chart:
    key: str
    title: str
    description: str
    days: list[date]
    series: list[Series]
    y_ticks: list[tuple[float, int]]
    x_ticks: list[tuple[float, str]]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    bottom_edge: int = HEIGHT - BOTTOM

    @property
    def rows(self):
        """The data table: one row per point, a cell per series."""
        return [(day, [s.values[i] for s in self.series]) for i, day in enumerate(self.days)]


def _days(start: date, end: date, event_days: list[date]) -> list[date]:
    """The days the chart plots: the day before the first event, every day with an event and
    today — or, when that is too many, MAX_POINTS days spread evenly from start to end."""
    days = sorted({start, end, *[d for d in event_days if start <= d <= end]})
    if len(days) <= MAX_POINTS:
        return days
    span = (end - start).days
    steps = range(MAX_POINTS)
    return sorted({start + timedelta(days=round(i * span / (MAX_POINTS - 1))) for i in steps})


def _cumulative(per_day: list[list], days: list[date]) -> list[int]:
    """For each of `days`, the running total of `per_day` up to and including that day."""
    event_days = [date.fromisoformat(d) for d, _n in per_day]
    sums, total = [], 0
    for _d, n in per_day:
        total += n
        sums.append(total)
    out = []
    for day in days:
        i = bisect.bisect_right(event_days, day)
        out.append(sums[i - 1] if i else 0)
    return out


def _nice_max(value: int) -> int:
    """The top of the y axis: the smallest of 1, 2, 5 × 10ⁿ (or 4) at or above `value`."""
    if value <= 4:
        return 4
    magnitude = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _chart(key, title, description, days, series: list[Series]) -> Chart:
    top = _nice_max(max((max(s.values, default=0) for s in series), default=0))
    span = max((days[-1] - days[0]).days, 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day):
        return LEFT + (day - days[0]).days / span * plot_w

    def y(value):
        return TOP + plot_h - value / top * plot_h

    for s in series:
        s.points = [(x(d), y(v), v, d) for d, v in zip(days, s.values, strict=True)]
    y_ticks = [(y(v), v) for v in (0, top // 2, top)]
    middle = days[0] + timedelta(days=span // 2)
    x_ticks = [(x(d), f"{d:%d %b %Y}") for d in sorted({days[0], middle, days[-1]})]
    return Chart(key, title, description, days, series, y_ticks, x_ticks)


def transition_charts(partner, *, customers: int) -> list[Chart]:
    """The two charts of the Transition page: customers (with a provider, moved, remaining of
    `customers`, the partner's transitioning customers now) and subscriptions transferred."""
    counts = memo.get_or_compute(partner, MEMO, lambda: daily_counts(partner))
    today = clock.today()
    event_days = [date.fromisoformat(d) for key in counts for d, _n in counts[key]]
    first = min(event_days, default=today)
    start = min(first - timedelta(days=1), today - timedelta(days=1))
    days = _days(start, today, event_days)
    with_provider = _cumulative(counts["provider"], days)
    moved = _cumulative(counts["moved"], days)
    remaining = [max(customers - m, 0) for m in moved]
    transferred = _cumulative(counts["transferred"], days)
    period = f"from {days[0]:%d %b %Y} to {days[-1]:%d %b %Y} (simulated time)"
    customers_chart = _chart(
        "customers",
        "Customers over time",
        f"Of {customers} customer(s), {period}: {with_provider[-1]} with an indirect provider, "
        f"{moved[-1]} moved (no direct-bill subscription left), {remaining[-1]} remaining.",
        days,
        [
            Series("With a provider", "#0f6cbd", "", with_provider),
            Series("Moved", "#0e700e", "6 3", moved),
            Series("Remaining", "#8a5300", "2 3", remaining),
        ],
    )
    subscriptions_chart = _chart(
        "subscriptions",
        "Subscriptions transferred over time",
        f"{transferred[-1]} subscription(s) transferred to a provider {period}.",
        days,
        [Series("Subscriptions transferred", "#0f6cbd", "", transferred)],
    )
    return [customers_chart, subscriptions_chart]
