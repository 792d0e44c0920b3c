"""The Transition page keeps its totals over all customers (readiness.page_totals) until a
change to the partner or one of its customers commits: the page never shows stale totals after
a change, whichever partner made it, and the rule check (TX-1) always counts afresh.

These tests commit for real (transactional db), as the pages do."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from core import clock
from core.models import AuditEvent, PartnerMemo, Role
from customers import services as customer_services
from customers.models import Subscription
from tests import factories as f
from transfers import readiness

from .conftest import direct_customer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world():
    reseller = f.PartnerFactory(legal_name="Reseller Co")
    f.DirectBillEnrollmentFactory(partner=reseller)
    provider = f.ProviderFactory(legal_name="Provider Co")
    customer = direct_customer(reseller, provider, mca=False, company_name="A Customer")
    f.SubscriptionFactory(customer=customer, billing_partner=reseller)
    return {
        "reseller": reseller,
        "customer": customer,
        "admin": f.UserFactory(partner=reseller, roles=[Role.GLOBAL_ADMIN]),
        "provider_agent": f.UserFactory(partner=provider, roles=[Role.ADMIN_AGENT]),
    }


def totals_on_page(client):
    response = client.get(reverse("transition"))
    assert response.status_code == 200
    return response.context["totals"]


def test_totals_are_counted_once_then_reused(client, world, monkeypatch):
    client.force_login(world["admin"])
    counted = []
    real_totals = readiness.totals
    monkeypatch.setattr(readiness, "totals", lambda p: counted.append(p) or real_totals(p))
    first, second = totals_on_page(client), totals_on_page(client)
    assert first == second and first["customers"] == 1
    assert len(counted) == 1


def test_another_partners_change_shows_at_once(client, world):
    """The provider attests the MCA (an event of the provider naming the customer): the
    reseller's next view counts it."""
    client.force_login(world["admin"])
    assert totals_on_page(client)["mca_ok"] == 0
    customer_services.mca_attest(
        actor=world["provider_agent"],
        customer=world["customer"],
        signatory_name="Pat Signer",
        signatory_email="pat@example.com",
        accepted_on=clock.today(),
    )
    assert totals_on_page(client)["mca_ok"] == 1


def test_a_new_customer_shows_at_once(client, world):
    client.force_login(world["admin"])
    before = totals_on_page(client)
    customer_services.customer_create(
        actor=world["admin"],
        company_name="New Customer",
        domain="new-customer.example",
        email="admin@new-customer.example",
    )
    after = totals_on_page(client)
    assert after["customers"] == before["customers"] + 1
    assert after["with_provider"] == before["with_provider"]


def test_an_unrelated_partners_change_keeps_the_totals(client, world):
    client.force_login(world["admin"])
    totals_on_page(client)
    memo = PartnerMemo.objects.get(partner=world["reseller"], name=readiness.TOTALS_MEMO)
    other = f.UserFactory(partner=f.DirectBillEnrollmentFactory().partner)
    customer_services.customer_create(
        actor=other,
        company_name="Not Theirs",
        domain="not-theirs.example",
        email="admin@not-theirs.example",
    )
    memo.refresh_from_db()
    assert memo.generation == memo.value_generation  # still valid


def test_staff_edits_in_the_admin_show_at_once(client, world):
    """Admin saves record an audit event (AuditedAdmin), which drops the totals."""
    client.force_login(world["admin"])
    assert totals_on_page(client)["subscriptions_left"] == 1
    request = RequestFactory().post("/admin/")
    request.user = f.StaffFactory()
    sub = world["customer"].subscriptions.get()
    sub.is_trial = True
    admin.site.get_model_admin(Subscription).save_model(request, sub, form=None, change=True)
    assert AuditEvent.objects.filter(operation="admin.subscription.change").exists()
    assert totals_on_page(client)["subscriptions_left"] == 0  # a trial now
