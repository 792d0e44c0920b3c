"""The new commerce subscription lifecycle on the simulation clock: terms renew or expire
(NC-1), trials convert or expire (NC-3); the sweep fires them once the clock passes the date."""

from datetime import UTC, datetime, time, timedelta

import pytest

from core import clock, sweep
from core.exceptions import InvalidInput
from core.models import AuditEvent, Notification
from core.services import clock_advance
from customers import services, terms
from customers.catalog import TEAMS_PHONE
from customers.exceptions import CancellationWindowClosed, SubscriptionExpired
from customers.models import ProductType, Subscription
from tests import factories as f


def sub_for(direct, **kw):
    kw.setdefault("created_at", clock.now() - timedelta(days=300))
    return f.SubscriptionFactory(customer=direct.customer, billing_partner=direct.partner, **kw)


def ending_in(days: int):
    return clock.today() + timedelta(days=days)


@pytest.mark.rule("NC-1")
def test_nc1_term_renews_for_the_same_term_when_auto_renew_is_on(direct):
    old_end = ending_in(3)
    sub = sub_for(direct, term_duration="P1Y", commitment_end_date=old_end, auto_renew=True)
    clock_advance(actor=None, delta=timedelta(days=3))
    sweep.run_sweep()
    sub.refresh_from_db()
    assert sub.commitment_end_date == old_end  # the last day of the term: not passed yet

    clock_advance(actor=None, delta=timedelta(days=1))
    sweep.run_sweep()
    sweep.run_sweep()  # idempotent: a second sweep renews nothing more
    sub.refresh_from_db()
    new_start = old_end + timedelta(days=1)
    assert sub.status == "active"
    assert sub.commitment_end_date == terms.term_end(new_start, "P1Y")
    assert sub.term_started_at == datetime.combine(new_start, time.min, tzinfo=UTC)
    events = AuditEvent.objects.filter(operation="subscription.renew", object_id=str(sub.pk))
    assert events.count() == 1
    assert events.get().partner == direct.partner
    assert Notification.objects.filter(
        user__partner=direct.partner, subject__contains="reached their term end"
    ).exists()


@pytest.mark.rule("NC-1")
@pytest.mark.rule("NC-2")
def test_nc1_renewal_reopens_the_nc2_cancellation_window(direct):
    sub = sub_for(direct, term_duration="P1M", commitment_end_date=ending_in(1))
    with pytest.raises(CancellationWindowClosed, match="closed on"):
        services.subscription_cancel(actor=direct.admin, subscription=sub)
    clock_advance(actor=None, delta=timedelta(days=2))
    sweep.run_sweep()
    services.subscription_cancel(actor=direct.admin, subscription=sub)
    sub.refresh_from_db()
    assert sub.status == "deleted"


@pytest.mark.rule("NC-1")
def test_nc1_a_clock_jump_over_several_terms_lands_in_the_current_term(direct):
    sub = sub_for(direct, term_duration="P1M", commitment_end_date=ending_in(0))
    clock_advance(actor=None, delta=timedelta(days=100))
    sweep.run_sweep()
    sub.refresh_from_db()
    assert sub.commitment_end_date >= clock.today()
    assert sub.commitment_end_date - clock.today() < timedelta(days=31)
    assert AuditEvent.objects.filter(operation="subscription.renew").count() == 1


@pytest.mark.rule("NC-1")
def test_nc1_each_ending_is_audited_with_its_old_and_new_status_and_why(direct):
    """The sweep's set-based endings record, per subscription, the transition it made (active
    → expired; a suspended add-on → deleted), its billing partner and customer, and why."""
    sub = sub_for(direct, offer_name="Base", commitment_end_date=ending_in(2), auto_renew=False)
    add_on = sub_for(
        direct,
        offer_id=TEAMS_PHONE,
        offer_name="Teams Phone",
        parent=sub,
        commitment_end_date=ending_in(200),
        status="suspended",
    )
    clock_advance(actor=None, delta=timedelta(days=3))
    sweep.run_sweep()
    events = {e.object_id: e for e in AuditEvent.objects.filter(operation="subscription.expire")}
    base, follower = events[str(sub.pk)], events[str(add_on.pk)]
    assert (base.old_state, base.new_state) == ("active", "expired")
    assert base.detail == f"Base: term ended on {sub.commitment_end_date}, auto-renew off"
    assert (follower.old_state, follower.new_state) == ("suspended", "deleted")
    assert follower.detail == "Teams Phone: ended with its base subscription"
    for event in (base, follower):
        assert (event.partner, event.customer, event.actor) == (
            direct.partner,
            direct.customer,
            None,
        )
        assert event.actor_label == "system" and event.object_type == "Subscription"


@pytest.mark.rule("NC-1")
def test_nc1_term_expires_without_auto_renew_and_its_add_on_with_it(direct, client):
    sub = sub_for(direct, commitment_end_date=ending_in(2), auto_renew=False, quantity=10)
    add_on = sub_for(
        direct,
        offer_id=TEAMS_PHONE,
        offer_name="Teams Phone",
        parent=sub,
        commitment_end_date=ending_in(200),
        status="suspended",
    )
    legacy = sub_for(
        direct, product_type=ProductType.LEGACY_LICENSE, commitment_end_date=ending_in(2)
    )
    clock_advance(actor=None, delta=timedelta(days=3))
    sweep.run_sweep()
    sub.refresh_from_db()
    add_on.refresh_from_db()
    legacy.refresh_from_db()
    assert (sub.status, add_on.status) == ("expired", "deleted")
    assert sub.ended_at is not None
    assert legacy.status == "active"  # NC-1 is about new commerce licence-based terms
    assert AuditEvent.objects.filter(operation="subscription.expire").count() == 2

    # Expired can't be changed: refused with the reason, nothing changed.
    with pytest.raises(SubscriptionExpired, match="expired on .* can't be changed"):
        services.subscription_change_quantity(actor=direct.admin, subscription=sub, quantity=12)
    with pytest.raises(SubscriptionExpired):
        services.subscription_auto_renew(actor=direct.admin, subscription=sub, enabled=True)
    client.force_login(direct.admin)
    url = f"/customers/{direct.customer.pk}/subscriptions/{sub.pk}/quantity/"
    response = client.post(url, {"quantity": "12"}, follow=True)
    assert "can&#x27;t be changed" in response.content.decode()
    sub.refresh_from_db()
    assert (sub.status, sub.quantity, sub.auto_renew) == ("expired", 10, False)
    assert (
        AuditEvent.objects.filter(
            operation="subscription.change_quantity", outcome="refused"
        ).count()
        == 2
    )


@pytest.mark.rule("NC-3")
def test_nc3_trial_converts_to_paid_at_its_end_when_conversion_was_chosen(direct):
    trial = sub_for(
        direct,
        is_trial=True,
        auto_renew=True,
        term_duration="P1Y",
        created_at=clock.now() - timedelta(days=20),
        commitment_end_date=ending_in(10),
    )
    clock_advance(actor=None, delta=timedelta(days=10))
    sweep.run_sweep()
    trial.refresh_from_db()
    assert trial.is_trial is True  # still the last day of the trial
    clock_advance(actor=None, delta=timedelta(days=1))
    sweep.run_sweep()
    trial.refresh_from_db()
    assert (trial.is_trial, trial.status) == (False, "active")
    assert trial.commitment_end_date == terms.term_end(clock.today(), "P1Y")
    assert AuditEvent.objects.filter(
        operation="subscription.trial_convert", object_id=str(trial.pk)
    ).exists()
    # A paid subscription now: the NC-2 window of its first term is open.
    assert trial.cancellation_window_closes > clock.now()


@pytest.mark.rule("NC-3")
def test_nc3_trial_expires_at_its_end_without_conversion(direct):
    trial = sub_for(
        direct,
        is_trial=True,
        auto_renew=False,
        created_at=clock.now() - timedelta(days=40),
        commitment_end_date=None,  # a month from its purchase
    )
    young = sub_for(
        direct, is_trial=True, created_at=clock.now() - timedelta(days=5), commitment_end_date=None
    )
    sweep.run_sweep()
    trial.refresh_from_db()
    young.refresh_from_db()
    assert (trial.status, trial.is_trial) == ("expired", True)
    assert young.status == "active"
    assert AuditEvent.objects.filter(operation="subscription.trial_expire").count() == 1
    with pytest.raises(SubscriptionExpired):
        services.subscription_reactivate(actor=direct.admin, subscription=trial)


@pytest.mark.rule("NC-3")
def test_nc3_trial_purchase_lasts_one_month(direct):
    sub = services.subscription_purchase(
        actor=direct.admin,
        customer=direct.customer,
        offer_id="CFQ7TTC0LFLX:0001",
        quantity=5,
        trial=True,
        convert_trial=True,
    )
    assert (sub.is_trial, sub.auto_renew) == (True, True)
    assert sub.commitment_end_date == terms.term_end(clock.today(), "P1M")
    assert Subscription.objects.filter(is_trial=True).count() == 1


@pytest.mark.rule("NC-2")
@pytest.mark.rule("NC-1")
def test_nc2_seats_scheduled_for_the_renewal_are_applied_by_it(direct, client):
    old_end = ending_in(2)
    sub = sub_for(direct, quantity=10, term_duration="P1Y", commitment_end_date=old_end)
    client.force_login(direct.admin)
    url = f"/customers/{direct.customer.pk}/subscriptions/{sub.pk}/renewal-seats/"
    page = client.post(url, {"quantity": "6"}, follow=True).content.decode()
    assert "renews with 6 seats" in page and "6 from the renewal" in page
    sub.refresh_from_db()
    assert (sub.quantity, sub.renewal_quantity) == (10, 6)

    clock_advance(actor=None, delta=timedelta(days=3))
    sweep.run_sweep()
    sub.refresh_from_db()
    assert (sub.quantity, sub.renewal_quantity) == (6, None)
    assert sub.commitment_end_date == terms.term_end(old_end + timedelta(days=1), "P1Y")
    assert AuditEvent.objects.filter(
        operation="subscription.renew", detail__contains="seats 10 → 6"
    ).exists()


@pytest.mark.rule("NC-2")
def test_nc2_scheduling_needs_auto_renew_and_a_mid_term_change_clears_it(direct):
    sub = sub_for(direct, quantity=10, auto_renew=False)
    with pytest.raises(InvalidInput, match="turn auto-renew on"):
        services.subscription_schedule_quantity(actor=direct.admin, subscription=sub, quantity=4)
    sub.refresh_from_db()
    assert sub.renewal_quantity is None
    services.subscription_auto_renew(actor=direct.admin, subscription=sub, enabled=True)
    services.subscription_schedule_quantity(actor=direct.admin, subscription=sub, quantity=4)
    services.subscription_change_quantity(actor=direct.admin, subscription=sub, quantity=12)
    sub.refresh_from_db()
    assert (sub.quantity, sub.renewal_quantity) == (12, None)


@pytest.mark.rule("NC-3")
def test_nc3_trial_bought_on_the_page_expires_after_its_month(direct, client):
    client.force_login(direct.admin)
    form = {"offer_id": "CFQ7TTC0LFLX:0001", "quantity": "3", "trial": "on"}
    assert client.post(f"/customers/{direct.customer.pk}/purchase/", form).status_code == 302
    trial = Subscription.objects.get(customer=direct.customer)
    assert (trial.is_trial, trial.auto_renew) == (True, False)
    page = client.get(f"/customers/{direct.customer.pk}/").content.decode()
    assert "expires at the end" in page
    clock_advance(actor=None, delta=timedelta(days=32))
    sweep.run_sweep()
    trial.refresh_from_db()
    assert trial.status == "expired"
