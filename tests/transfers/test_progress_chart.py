"""The Transition progress chart (TR-2, IR-1, AC-3): customers with a provider, moved and
remaining, and subscriptions transferred, over simulated time, as SVG with a data table."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from core import clock
from core.models import RelationshipKind, Role
from core.services import clock_advance
from tests import factories as f
from transfers import progress

pytestmark = pytest.mark.django_db


def test_cumulative_counts_run_up_to_each_day():
    per_day = [["2026-01-02", 2], ["2026-01-05", 1]]
    days = [date(2026, 1, d) for d in (1, 2, 3, 5, 9)]
    assert progress._cumulative(per_day, days) == [0, 2, 2, 3, 3]
    assert progress._cumulative([], days) == [0, 0, 0, 0, 0]


def test_many_days_are_sampled_evenly_from_start_to_end():
    start, end = date(2026, 1, 1), date(2026, 12, 31)
    events = [start + timedelta(days=i) for i in range(0, 365, 3)]
    days = progress._days(start, end, events)
    assert len(days) <= progress.MAX_POINTS
    assert days[0] == start and days[-1] == end
    few = progress._days(start, end, [date(2026, 3, 1)])
    assert few == [start, date(2026, 3, 1), end]


def test_the_y_axis_ends_on_a_round_number():
    assert [progress._nice_max(v) for v in (0, 3, 7, 10, 11, 180, 201)] == [
        4,
        4,
        10,
        10,
        20,
        200,
        500,
    ]


@pytest.fixture
def journey():
    """Contoso-like partner: three direct-bill customers; over simulated time two get the
    provider (10 and 5 days ago), one moves (3 days ago) with two subscriptions transferred."""
    now = clock.now()
    partner = f.PartnerFactory(legal_name="Chart Partner")
    f.DirectBillEnrollmentFactory(partner=partner, status="restricted")
    provider = f.ProviderFactory(legal_name="Chart Provider")
    customers = [f.CustomerFactory(company_name=f"Chart {i}") for i in range(3)]
    relationships = [f.RelationshipFactory(customer=c, partner=partner) for c in customers]
    for customer, days_ago in ((customers[0], 10), (customers[1], 5)):
        f.RelationshipFactory(
            customer=customer,
            partner=provider,
            kind=RelationshipKind.INDIRECT_PROVIDER,
            reseller=partner,
            established_at=now - timedelta(days=days_ago),
        )
    moved = relationships[0]
    moved.kind = RelationshipKind.INDIRECT_RESELLER
    moved.became_indirect_at = now - timedelta(days=3)
    moved.save()
    request = f.TransferRequestFactory(
        customer=customers[0],
        source=partner,
        target=provider,
        status="complete",
        completed_at=now - timedelta(days=3),
    )
    f.TransferLineItemFactory.create_batch(2, request=request, claims_subscription=True)
    # Another partner's transfers are not ours.
    f.TransferLineItemFactory(request=f.TransferRequestFactory(status="complete", completed_at=now))
    return partner


@pytest.mark.rule("TR-2")
@pytest.mark.rule("IR-1")
def test_TR_2_IR_1_charts_count_the_partners_progress_day_by_day(journey):
    customers_chart, subscriptions_chart = progress.transition_charts(journey, customers=3)
    today = clock.today()
    first_day = today - timedelta(days=11)
    assert customers_chart.days[0] == first_day and customers_chart.days[-1] == today
    values = {s.label: s.values for s in customers_chart.series}
    # days: -11 (before), -10, -5, -3, today
    assert values["With a provider"] == [0, 1, 2, 2, 2]
    assert values["Moved"] == [0, 0, 0, 1, 1]
    assert values["Remaining"] == [3, 3, 3, 2, 2]
    assert subscriptions_chart.series[0].values == [0, 0, 0, 2, 2]
    assert "2 with an indirect provider, 1 moved" in customers_chart.description
    assert "2 remaining" in customers_chart.description


@pytest.mark.rule("AC-3")
def test_AC_3_moving_the_clock_stretches_the_axis_to_the_new_today(journey, staff):
    before = progress.transition_charts(journey, customers=3)[0]
    clock_advance(actor=staff, delta=timedelta(days=30))
    after = progress.transition_charts(journey, customers=3)[0]
    assert after.days[-1] == before.days[-1] + timedelta(days=30)
    assert [s.values[-1] for s in after.series] == [s.values[-1] for s in before.series]


@pytest.mark.rule("TR-2")
def test_TR_2_the_transition_page_draws_accessible_svg_and_a_table(client, journey):
    client.force_login(f.UserFactory(partner=journey, roles=[Role.BILLING_ADMIN]))
    body = client.get(reverse("transition")).content.decode()
    svg = re.findall(r"<svg class=\"chart\".*?</svg>", body, re.S)
    assert len(svg) == 2
    assert 'role="img"' in svg[0] and "<title id=" in svg[0] and "<desc id=" in svg[0]
    assert svg[0].count("<circle data-point=") == 15  # 3 series x 5 days
    assert svg[1].count("<circle data-point=") == 5
    assert 'data-testid="chart-customers-table"' in body
    assert "<script" not in body.split('data-testid="progress-charts"')[1].split("</section>")[0]
