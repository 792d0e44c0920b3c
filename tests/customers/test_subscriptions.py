"""CU-4/CU-5 purchases, DB-2 management while Restricted, the subscription status FSM, and
TR-5 migration of legacy subscriptions."""

import pytest
from django.db import ProgrammingError, connection, transaction

from core.exceptions import InvalidTransition, RoleRequired
from core.models import AuditEvent
from customers import services
from customers.catalog import AZURE_PLAN, M365_BP, O365_E3, TEAMS_PHONE
from customers.exceptions import (
    InvalidAddOn,
    NotDirectBillCustomer,
    NotLegacySubscription,
    SubscriptionNotActive,
)
from customers.models import Order, ProductType, Subscription
from enrollment.exceptions import DirectBillRestricted
from tests import factories as f

from .conftest import restrict


def sub_for(direct, **kw):
    return f.SubscriptionFactory(customer=direct.customer, billing_partner=direct.partner, **kw)


@pytest.mark.rule("CU-4")
def test_cu4_direct_bill_partner_purchases_a_subscription_and_an_add_on(direct):
    base = services.subscription_purchase(
        actor=direct.admin, customer=direct.customer, offer_id=M365_BP, quantity=12
    )
    assert (base.billing_partner, base.quantity, base.status) == (direct.partner, 12, "active")
    assert base.commitment_end_date is not None
    add_on = services.subscription_purchase(
        actor=direct.admin, customer=direct.customer, offer_id=TEAMS_PHONE, quantity=3, parent=base
    )
    assert add_on.parent == base
    assert Order.objects.filter(customer=direct.customer).count() == 2
    with pytest.raises(InvalidAddOn):
        services.subscription_purchase(
            actor=direct.admin, customer=direct.customer, offer_id=TEAMS_PHONE, quantity=3
        )


@pytest.mark.rule("DB-2")
def test_db2_restricted_partner_cannot_purchase_new_products(direct, client):
    restrict(direct.enrollment)
    with pytest.raises(DirectBillRestricted, match="purchase new products or add-ons"):
        services.subscription_purchase(
            actor=direct.admin, customer=direct.customer, offer_id=M365_BP, quantity=1
        )
    client.force_login(direct.admin)
    response = client.post(
        f"/customers/{direct.customer.pk}/purchase/", {"offer_id": M365_BP, "quantity": "1"}
    )
    assert response.status_code == 200
    assert "direct-bill account is restricted" in response.content.decode()
    assert not Subscription.objects.filter(customer=direct.customer).exists()
    assert AuditEvent.objects.filter(operation="subscription.purchase", outcome="refused").exists()


@pytest.mark.rule("DB-2")
def test_db2_restricted_partner_still_manages_existing_subscriptions(direct, client):
    restrict(direct.enrollment)
    sub = sub_for(direct, quantity=10)
    add_on = sub_for(direct, offer_name="Teams Phone", offer_id=TEAMS_PHONE, parent=sub)
    client.force_login(direct.admin)
    base_url = f"/customers/{direct.customer.pk}/subscriptions/{sub.pk}"
    assert client.post(f"{base_url}/quantity/", {"quantity": "25"}).status_code == 302
    sub.refresh_from_db()
    assert sub.quantity == 25
    client.post(f"{base_url}/auto-renew/", {})
    sub.refresh_from_db()
    assert sub.auto_renew is False
    client.post(f"{base_url}/suspend/", {"confirm": "on"})
    sub.refresh_from_db()
    add_on.refresh_from_db()
    assert (sub.status, add_on.status) == ("suspended", "suspended")
    client.post(f"{base_url}/reactivate/")
    sub.refresh_from_db()
    add_on.refresh_from_db()
    assert (sub.status, add_on.status) == ("active", "active")
    assert AuditEvent.objects.filter(operation="subscription.suspend").count() == 2


def test_subscription_changes_refused_for_wrong_state_bad_input_and_roles(direct, client):
    sub = sub_for(direct, quantity=10, status="suspended")
    with pytest.raises(SubscriptionNotActive):
        services.subscription_change_quantity(actor=direct.admin, subscription=sub, quantity=3)
    with pytest.raises(InvalidTransition):
        services.subscription_suspend(actor=direct.admin, subscription=sub)
    for user in (direct.sales, direct.billing):
        with pytest.raises(RoleRequired):
            services.subscription_reactivate(actor=user, subscription=sub)
    client.force_login(direct.admin)
    url = f"/customers/{direct.customer.pk}/subscriptions/{sub.pk}"
    response = client.post(f"{url}/quantity/", {"quantity": "-4"}, follow=True)
    assert response.status_code == 200
    response = client.post(f"{url}/frobnicate/")
    assert response.status_code == 404
    client.force_login(direct.billing)
    assert client.post(f"{url}/reactivate/").status_code == 403
    sub.refresh_from_db()
    assert (sub.status, sub.quantity) == ("suspended", 10)


@pytest.mark.rule("AC-2")
def test_another_partners_subscription_or_customer_is_404(direct, client):
    other = f.SubscriptionFactory()  # another partner's customer and subscription
    own_customer_foreign_sub = f.SubscriptionFactory(customer=direct.customer)
    client.force_login(direct.admin)
    assert client.get(f"/customers/{other.customer.pk}/").status_code == 404
    assert client.get("/customers/not-a-number/").status_code == 404
    assert (
        client.post(f"/customers/{other.customer.pk}/subscriptions/{other.pk}/suspend/").status_code
        == 404
    )
    assert (
        client.post(
            f"/customers/{direct.customer.pk}/subscriptions/{own_customer_foreign_sub.pk}/suspend/"
        ).status_code
        == 404
    )
    with pytest.raises(NotDirectBillCustomer):
        services.subscription_suspend(actor=direct.admin, subscription=other)
    other.refresh_from_db()
    assert other.status == "active"


def test_subscription_status_fsm_trigger_blocks_jumps_even_in_sql(direct):
    sub = sub_for(direct, status="deleted")
    with pytest.raises(ProgrammingError, match="Invalid transition"), transaction.atomic():
        Subscription.objects.filter(pk=sub.pk).update(status="active")
    live = sub_for(direct)
    Subscription.objects.filter(pk=live.pk).update(status="expired")
    with (
        connection.cursor() as cursor,
        pytest.raises(ProgrammingError, match="Invalid transition"),
        transaction.atomic(),
    ):
        cursor.execute(
            "UPDATE customers_subscription SET status='suspended' WHERE id=%s", [live.pk]
        )


@pytest.mark.rule("TR-5")
def test_tr5_legacy_license_is_migrated_to_new_commerce(direct):
    legacy = sub_for(
        direct,
        offer_id="796B6B5F-613C-4E24-A17C-EBA730D49C02",
        offer_name="Office 365 E3 (legacy)",
        product_type=ProductType.LEGACY_LICENSE,
        quantity=17,
    )
    restrict(direct.enrollment)  # migration is managing an existing subscription (DB-2)
    new = services.subscription_migrate_new_commerce(actor=direct.admin, subscription=legacy)
    legacy.refresh_from_db()
    assert legacy.status == "deleted" and legacy.ended_at is not None
    assert (new.product_type, new.offer_id, new.quantity) == ("license", O365_E3, 17)
    assert (new.billing_partner, new.term_duration, new.migrated_from) == (
        direct.partner,
        "P1Y",
        legacy,
    )
    event = AuditEvent.objects.get(operation="subscription.migrate_new_commerce", outcome="success")
    # The event names the move (product types, the successor), not the legacy one's statuses.
    assert (event.object_id, event.old_state, event.new_state) == (
        str(legacy.pk),
        "legacy_license active",
        f"license {new.pk}",
    )


@pytest.mark.rule("TR-5")
def test_tr5_legacy_azure_gets_azure_plan_with_p1y_when_no_term(direct, client):
    legacy = sub_for(
        direct,
        offer_id="MS-AZR-0145P",
        offer_name="Microsoft Azure (legacy)",
        product_type=ProductType.LEGACY_AZURE,
        term_duration="",
        quantity=1,
    )
    client.force_login(direct.global_admin)
    response = client.post(
        f"/customers/{direct.customer.pk}/subscriptions/{legacy.pk}/migrate/",
        {"confirm": "on"},
        follow=True,
    )
    assert "migrated to new commerce" in response.content.decode()
    new = Subscription.objects.get(migrated_from=legacy)
    assert (new.product_type, new.offer_id, new.term_duration) == ("azure_plan", AZURE_PLAN, "P1Y")


@pytest.mark.rule("TR-5")
def test_tr5_migration_refused_for_new_commerce_inactive_or_other_partner(direct, indirect):
    nce = sub_for(direct)
    with pytest.raises(NotLegacySubscription):
        services.subscription_migrate_new_commerce(actor=direct.admin, subscription=nce)
    suspended = sub_for(direct, product_type=ProductType.LEGACY_LICENSE, status="suspended")
    with pytest.raises(SubscriptionNotActive):
        services.subscription_migrate_new_commerce(actor=direct.admin, subscription=suspended)
    foreign = f.SubscriptionFactory(product_type=ProductType.LEGACY_LICENSE)
    with pytest.raises(NotDirectBillCustomer):
        services.subscription_migrate_new_commerce(actor=direct.admin, subscription=foreign)
    # a provider billing a legacy subscription is not a direct-bill partner of the customer
    provider_legacy = f.SubscriptionFactory(
        customer=indirect.customer,
        billing_partner=indirect.provider,
        product_type=ProductType.LEGACY_LICENSE,
    )
    with pytest.raises(NotDirectBillCustomer):
        services.subscription_migrate_new_commerce(
            actor=indirect.provider_admin, subscription=provider_legacy
        )
    with pytest.raises(RoleRequired):
        services.subscription_migrate_new_commerce(actor=direct.sales, subscription=suspended)
    assert Subscription.objects.filter(migrated_from__isnull=False).count() == 0
    for s in (nce, suspended, foreign, provider_legacy):
        before = s.status
        s.refresh_from_db()
        assert s.status == before
    assert (
        AuditEvent.objects.filter(
            operation="subscription.migrate_new_commerce", outcome="refused"
        ).count()
        == 5
    )
