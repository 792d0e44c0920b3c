"""Pages never offer an action they say is impossible, destructive one-click actions ask first
(without JavaScript), and the bulk relationship extension is named apart from transfers."""

import pytest
from django.urls import reverse

from core.models import AuditEvent
from tests import factories as f

from .conftest import restrict

pytestmark = pytest.mark.django_db


@pytest.mark.rule("DB-2")
def test_db2_no_add_products_button_under_you_cant_purchase(direct, client):
    client.force_login(direct.admin)
    url = reverse("customer_detail", args=[direct.customer.pk])
    purchase_url = reverse("customer_purchase", args=[direct.customer.pk])
    page = client.get(url).content.decode()
    assert f'href="{purchase_url}"' in page and 'data-testid="purchase-refusal"' not in page

    restrict(direct.enrollment)
    page = client.get(url).content.decode()
    assert 'data-testid="purchase-refusal"' in page
    assert "You can&#x27;t purchase new products or add-ons" in page
    assert '<a class="why-link" href="/help/rules/#DB-2"' in page
    assert f'href="{purchase_url}"' not in page and ">Add products<" not in page


@pytest.mark.rule("NC-4")
def test_nc4_suspend_and_migrate_ask_first_and_change_nothing_unconfirmed(direct, client):
    sub = f.SubscriptionFactory(customer=direct.customer, billing_partner=direct.partner)
    legacy = f.SubscriptionFactory(
        customer=direct.customer,
        billing_partner=direct.partner,
        product_type="legacy_license",
        offer_name="Office 365 E3 (legacy)",
    )
    client.force_login(direct.admin)
    page = client.get(reverse("customer_detail", args=[direct.customer.pk])).content.decode()
    assert page.count('data-testid="suspend"') == 2 and 'data-testid="migrate"' in page
    assert 'name="confirm" required' in page

    base = f"/customers/{direct.customer.pk}/subscriptions"
    page = client.post(f"{base}/{sub.pk}/suspend/", {}, follow=True).content.decode()
    assert "Confirm that you want to suspend the subscription." in page
    page = client.post(f"{base}/{legacy.pk}/migrate/", {}, follow=True).content.decode()
    assert "Confirm the migration" in page
    sub.refresh_from_db()
    legacy.refresh_from_db()
    assert (sub.status, legacy.status) == ("active", "active")  # nothing changed
    assert not AuditEvent.objects.filter(operation="subscription.suspend").exists()

    client.post(f"{base}/{sub.pk}/suspend/", {"confirm": "on"})
    sub.refresh_from_db()
    assert sub.status == "suspended"


@pytest.mark.rule("AP-1")
def test_token_reload_makes_no_second_token_and_revoke_asks_first(direct, client):
    from api.models import ApiToken

    client.force_login(direct.admin)
    response = client.post(reverse("api_tokens"), {"name": "sync"})
    assert response.status_code == 302 and response["Location"] == reverse("api_tokens")
    shown = client.get(response["Location"])
    raw = shown.context["new_token"]
    assert raw and raw in shown.content.decode()
    reloaded = client.get(reverse("api_tokens"))  # a reload is a GET: nothing is created
    assert raw not in reloaded.content.decode() and ApiToken.objects.count() == 1

    token = ApiToken.objects.get()
    client.post(reverse("api_token_revoke", args=[token.pk]), {})
    token.refresh_from_db()
    assert token.revoked_at is None
    client.post(reverse("api_token_revoke", args=[token.pk]), {"confirm": "on"})
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.rule("MV-2")
def test_mv2_bulk_extension_is_named_as_partner_center_names_it(direct, client):
    client.force_login(direct.admin)
    page = client.get(reverse("customer_list")).content.decode()
    assert "Extend reseller relationships to an indirect provider" in page
    assert "Transfer customers" not in page
