"""Changing a new commerce subscription: the 7-day cancellation and seat-reduction window
(NC-2), cancel / suspend / reactivate / seats / auto-renew audited and told to the billing
partner (NC-4), from the services and the customer page; migration with the partner's choices
of term, billing frequency, seats and term end (TR-5)."""

from datetime import timedelta

import pytest

from core import clock
from core.exceptions import InvalidInput, RoleRequired
from core.models import AuditEvent, Notification
from customers import services, terms
from customers.catalog import O365_E3, TEAMS_PHONE
from customers.exceptions import (
    CancellationWindowClosed,
    InvalidMigrationTerms,
    NotDirectBillCustomer,
    SeatReductionWindowClosed,
)
from customers.models import ProductType, Subscription
from tests import factories as f

LEGACY_O365 = "796B6B5F-613C-4E24-A17C-EBA730D49C02"


def sub_for(direct, *, age=timedelta(hours=1), **kw):
    kw.setdefault("created_at", clock.now() - age)
    return f.SubscriptionFactory(customer=direct.customer, billing_partner=direct.partner, **kw)


def legacy_for(direct, **kw):
    return sub_for(
        direct,
        offer_id=LEGACY_O365,
        offer_name="Office 365 E3 (legacy)",
        product_type=ProductType.LEGACY_LICENSE,
        **kw,
    )


def told(partner, text):
    return Notification.objects.filter(user__partner=partner, subject__contains=text).exists()


# --- NC-2 -------------------------------------------------------------------------------------


@pytest.mark.rule("NC-2")
@pytest.mark.rule("NC-4")
def test_nc2_cancel_within_168_hours_of_purchase_with_its_add_ons(direct):
    sub = sub_for(direct, age=timedelta(hours=167))
    add_on = sub_for(direct, offer_id=TEAMS_PHONE, offer_name="Teams Phone", parent=sub)
    services.subscription_cancel(actor=direct.admin, subscription=sub)
    sub.refresh_from_db()
    add_on.refresh_from_db()
    assert (sub.status, add_on.status) == ("deleted", "deleted")
    assert sub.ended_at is not None
    cancels = AuditEvent.objects.filter(operation="subscription.cancel", outcome="success")
    assert cancels.count() == 2
    assert told(direct.partner, "is cancelled")


@pytest.mark.rule("NC-2")
def test_nc2_cancel_refused_after_the_window_says_when_it_closed(direct):
    sub = sub_for(direct, age=timedelta(hours=169))
    closes = sub.created_at + timedelta(hours=168)
    expected = f"closed on {closes:%d %b %Y %H:%M} UTC"
    with pytest.raises(CancellationWindowClosed, match=expected):
        services.subscription_cancel(actor=direct.admin, subscription=sub)
    sub.refresh_from_db()
    assert sub.status == "active" and sub.ended_at is None
    assert AuditEvent.objects.filter(operation="subscription.cancel", outcome="refused").exists()
    assert not AuditEvent.objects.filter(operation="subscription.cancel", outcome="success")


@pytest.mark.rule("NC-2")
def test_nc2_window_runs_from_the_last_renewal_not_the_purchase(direct):
    sub = sub_for(direct, age=timedelta(days=400), term_started_at=clock.now() - timedelta(days=2))
    services.subscription_change_quantity(actor=direct.admin, subscription=sub, quantity=4)
    sub.refresh_from_db()
    assert sub.quantity == 4


@pytest.mark.rule("NC-2")
def test_nc2_trials_and_legacy_can_be_cancelled_at_any_time(direct):
    trial = sub_for(direct, age=timedelta(days=20), is_trial=True)
    legacy = legacy_for(direct, age=timedelta(days=200))
    services.subscription_cancel(actor=direct.admin, subscription=trial)
    services.subscription_cancel(actor=direct.admin, subscription=legacy)
    assert set(Subscription.objects.values_list("status", flat=True)) == {"deleted"}


@pytest.mark.rule("NC-2")
def test_nc2_seats_go_down_in_the_window_and_only_up_after_it(direct):
    young = sub_for(direct, quantity=10, age=timedelta(days=6))
    services.subscription_change_quantity(actor=direct.admin, subscription=young, quantity=3)
    young.refresh_from_db()
    assert young.quantity == 3

    old = sub_for(direct, quantity=10, age=timedelta(days=8))
    with pytest.raises(SeatReductionWindowClosed, match="closed on .* seats can only go up"):
        services.subscription_change_quantity(actor=direct.admin, subscription=old, quantity=9)
    old.refresh_from_db()
    assert old.quantity == 10
    assert AuditEvent.objects.filter(
        operation="subscription.change_quantity", outcome="refused"
    ).exists()
    services.subscription_change_quantity(actor=direct.admin, subscription=old, quantity=11)
    old.refresh_from_db()
    assert old.quantity == 11


@pytest.mark.rule("NC-2")
def test_nc2_page_shows_the_window_and_refuses_a_late_cancel(direct, client):
    open_sub = sub_for(direct, offer_name="Fresh", age=timedelta(hours=2))
    late = sub_for(direct, offer_name="Old", age=timedelta(days=30))
    client.force_login(direct.admin)
    page = client.get(f"/customers/{direct.customer.pk}/").content.decode()
    closes = open_sub.created_at + timedelta(hours=168)
    assert f"Cancel or reduce seats until {closes:%d %b %Y %H:%M} UTC" in page
    assert "Cancellation window closed" in page
    assert f"/subscriptions/{late.pk}/cancel/" in page

    url = f"/customers/{direct.customer.pk}/subscriptions/{late.pk}/cancel/"
    page = client.post(url, {"confirm": "on"}, follow=True).content.decode()
    assert "can no longer be cancelled" in page and "closed on" in page
    late.refresh_from_db()
    assert late.status == "active"


# --- NC-4 -------------------------------------------------------------------------------------


@pytest.mark.rule("NC-4")
def test_nc4_cancel_from_the_page_needs_the_confirmation(direct, client):
    sub = sub_for(direct)
    client.force_login(direct.admin)
    url = f"/customers/{direct.customer.pk}/subscriptions/{sub.pk}/cancel/"
    page = client.post(url, {}, follow=True).content.decode()
    assert "Confirm that you want to cancel" in page
    sub.refresh_from_db()
    assert sub.status == "active"
    page = client.post(url, {"confirm": "on"}, follow=True).content.decode()
    assert "is cancelled" in page
    sub.refresh_from_db()
    assert sub.status == "deleted"


@pytest.mark.rule("NC-4")
def test_nc4_suspend_reactivate_seats_auto_renew_are_audited_and_told(direct):
    sub = sub_for(direct, quantity=5)
    services.subscription_suspend(actor=direct.admin, subscription=sub)
    assert told(direct.partner, "is suspended")
    services.subscription_reactivate(actor=direct.admin, subscription=sub)
    assert told(direct.partner, "is active again")
    services.subscription_change_quantity(actor=direct.admin, subscription=sub, quantity=6)
    assert told(direct.partner, "seats 5 → 6")
    services.subscription_auto_renew(actor=direct.admin, subscription=sub, enabled=False)
    assert told(direct.partner, "Auto-renew off")
    operations = set(
        AuditEvent.objects.filter(object_id=str(sub.pk), outcome="success").values_list(
            "operation", flat=True
        )
    )
    assert operations == {
        "subscription.suspend",
        "subscription.reactivate",
        "subscription.change_quantity",
        "subscription.auto_renew",
    }


@pytest.mark.rule("NC-4")
def test_nc4_only_the_billing_partner_may_cancel(direct, indirect):
    theirs = f.SubscriptionFactory(customer=indirect.customer, billing_partner=indirect.provider)
    with pytest.raises(NotDirectBillCustomer):
        services.subscription_cancel(actor=direct.admin, subscription=theirs)
    with pytest.raises(RoleRequired):
        services.subscription_cancel(actor=direct.sales, subscription=sub_for(direct))
    assert not Subscription.objects.filter(status="deleted").exists()


@pytest.mark.rule("NC-4")
def test_nc4_update_applies_all_changes_or_none(direct):
    sub = sub_for(direct, quantity=10, age=timedelta(days=30), status="suspended")
    with pytest.raises(SeatReductionWindowClosed):
        services.subscription_update(
            actor=direct.admin, subscription=sub, status="active", quantity=2, auto_renew=False
        )
    sub.refresh_from_db()
    assert (sub.status, sub.quantity, sub.auto_renew) == ("suspended", 10, True)
    assert AuditEvent.objects.filter(operation="subscription.update", outcome="refused").exists()
    assert not AuditEvent.objects.filter(outcome="success", object_id=str(sub.pk)).exists()

    services.subscription_update(
        actor=direct.admin, subscription=sub, status="active", quantity=12, auto_renew=False
    )
    sub.refresh_from_db()
    assert (sub.status, sub.quantity, sub.auto_renew) == ("active", 12, False)


# --- TR-5 migration with the partner's choices ---------------------------------------------------


@pytest.mark.rule("TR-5")
def test_tr5_migration_takes_term_billing_seats_and_full_term(direct):
    legacy = legacy_for(direct, quantity=17, billing_cycle="monthly")
    new = services.subscription_migrate_new_commerce(
        actor=direct.admin,
        subscription=legacy,
        term_duration="P3Y",
        billing_cycle="triennial",
        quantity=20,
        full_term=True,
    )
    assert (new.offer_id, new.term_duration, new.billing_cycle, new.quantity) == (
        O365_E3,
        "P3Y",
        "triennial",
        20,
    )
    assert new.commitment_end_date == terms.term_end(clock.today(), "P3Y")
    assert new.cancellation_window_closes > clock.now()


@pytest.mark.rule("TR-5")
def test_tr5_migration_can_keep_the_current_term_end(direct):
    end = clock.today() + timedelta(days=90)
    legacy = legacy_for(direct, commitment_end_date=end)
    new = services.subscription_migrate_new_commerce(
        actor=direct.admin, subscription=legacy, term_duration="P1Y", full_term=False
    )
    assert new.commitment_end_date == end


@pytest.mark.rule("TR-5")
@pytest.mark.parametrize(
    ("choices", "message"),
    [
        ({"term_duration": "P2Y"}, "must be P1M, P1Y or P3Y"),
        ({"term_duration": "P1M", "billing_cycle": "annual"}, "P1M term is billed monthly"),
        ({"term_duration": "P1Y", "billing_cycle": "triennial"}, "monthly or annual"),
        ({"quantity": 0}, "between 1 and"),
        ({"term_duration": "P1M", "full_term": False}, "after a P1M term"),
    ],
)
def test_tr5_migration_refuses_choices_that_do_not_fit(direct, choices, message):
    legacy = legacy_for(direct, commitment_end_date=clock.today() + timedelta(days=90))
    with pytest.raises(InvalidInput, match=message):
        services.subscription_migrate_new_commerce(
            actor=direct.admin, subscription=legacy, **choices
        )
    legacy.refresh_from_db()
    assert legacy.status == "active"
    assert not Subscription.objects.filter(migrated_from=legacy).exists()


@pytest.mark.rule("TR-5")
def test_tr5_keeping_the_term_end_needs_one(direct):
    legacy = legacy_for(direct, commitment_end_date=clock.today() - timedelta(days=1))
    with pytest.raises(InvalidMigrationTerms, match="no current term end"):
        services.subscription_migrate_new_commerce(
            actor=direct.admin, subscription=legacy, full_term=False
        )
    assert not Subscription.objects.filter(migrated_from=legacy).exists()


@pytest.mark.rule("TR-5")
def test_tr5_migration_form_on_the_page_passes_the_choices(direct, client):
    legacy = legacy_for(direct, quantity=8)
    client.force_login(direct.admin)
    url = f"/customers/{direct.customer.pk}/subscriptions/{legacy.pk}/migrate/"
    form = {"term_duration": "P1M", "billing_cycle": "annual", "quantity": "8", "confirm": "on"}
    page = client.post(url, form, follow=True).content.decode()
    assert "billed monthly" in page
    assert not Subscription.objects.filter(migrated_from=legacy).exists()
    form = {
        "term_duration": "P1M",
        "billing_cycle": "monthly",
        "quantity": "9",
        "term_end": "full",
        "confirm": "on",
    }
    page = client.post(url, form, follow=True).content.decode()
    assert "migrated to new commerce" in page
    new = Subscription.objects.get(migrated_from=legacy)
    assert (new.term_duration, new.billing_cycle, new.quantity) == ("P1M", "monthly", 9)


@pytest.mark.rule("TR-5")
def test_tr5_an_azure_plan_has_nothing_to_choose(direct):
    legacy = sub_for(
        direct,
        offer_id="MS-AZR-0145P",
        offer_name="Microsoft Azure (legacy)",
        product_type=ProductType.LEGACY_AZURE,
        quantity=1,
    )
    with pytest.raises(InvalidMigrationTerms, match="pay-as-you-go"):
        services.subscription_migrate_new_commerce(
            actor=direct.admin, subscription=legacy, term_duration="P3Y"
        )
    assert not Subscription.objects.filter(migrated_from=legacy).exists()
    new = services.subscription_migrate_new_commerce(actor=direct.admin, subscription=legacy)
    assert new.product_type == "azure_plan"


@pytest.mark.rule("NC-3")
def test_nc3_only_a_licence_based_product_starts_as_a_trial(direct):
    with pytest.raises(InvalidInput, match="can start as a trial"):
        services.subscription_purchase(
            actor=direct.admin,
            customer=direct.customer,
            offer_id="DZH318Z0BPS6:0001",
            quantity=1,
            trial=True,
        )
    assert not Subscription.objects.filter(customer=direct.customer).exists()
