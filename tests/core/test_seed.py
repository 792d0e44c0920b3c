"""The demo world: deterministic, idempotent, and with the variety the guide's scenarios need."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from core.models import Customer, Partner, Role, User
from customers.models import McaAcceptance, McaMethod, ProductType, Subscription
from demo import seeding, world
from enrollment.models import DirectBillStatus

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        Partner.objects.count(),
        Customer.objects.count(),
        Subscription.objects.count(),
        User.objects.count(),
        McaAcceptance.objects.count(),
    )


def test_seed_builds_the_demo_world_and_is_idempotent(capsys):
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first
    assert first[:2] == (3, 20)
    assert 55 <= first[2] <= 65
    assert world.DEMO_PASSWORD in capsys.readouterr().out

    contoso = Partner.objects.get(legal_name="Contoso Cloud")
    assert contoso.direct_bill_enrollment.status == DirectBillStatus.ACTIVE
    assert not contoso.is_indirect_provider
    assert set(
        Partner.objects.filter(is_indirect_provider=True).values_list("legal_name", flat=True)
    ) == {
        "Fabrikam Distribution",
        "Northwind Supply",
    }
    roles = dict(User.objects.filter(partner=contoso).values_list("email", "roles"))
    assert roles == {
        "globaladmin@contoso.example": [Role.GLOBAL_ADMIN],
        "agent@contoso.example": [Role.ADMIN_AGENT],
        "sales@contoso.example": [Role.SALES_AGENT],
        "billing@contoso.example": [Role.BILLING_ADMIN],
    }
    for customer in Customer.objects.all():
        admin = User.objects.get(email=f"admin@{customer.domain}", customer=customer)
        assert admin.is_customer_global_admin  # CU-7: the admin decides for the customer
    plain = User.objects.get(email="user@adatum.example")  # CU-7: sees requests, can't answer
    assert plain.customer.company_name == "Adatum Corporation" and plain.customer_role == "user"
    assert User.objects.filter(customer_role="user").count() == seeding.CUSTOMERS_WITH_PLAIN_USER
    assert User.objects.get(email="support@portal.example").is_staff
    # authenticate() needs the request: the sign-in lockout (django-axes) counts per address.
    sign_in = RequestFactory().post("/signin/")
    assert authenticate(sign_in, email="agent@contoso.example", password=world.DEMO_PASSWORD)

    subs = Subscription.objects.all()
    kinds = set(subs.values_list("product_type", flat=True))
    assert {
        ProductType.LICENSE,
        ProductType.AZURE_PLAN,
        ProductType.LEGACY_LICENSE,
        ProductType.LEGACY_AZURE,
    } <= kinds
    assert subs.filter(is_trial=True).exists()
    assert subs.filter(parent__isnull=False).exists()
    assert set(subs.values_list("billing_partner__legal_name", flat=True)) == {"Contoso Cloud"}
    methods = set(McaAcceptance.objects.values_list("method", flat=True))
    assert methods == {McaMethod.ATTESTATION, McaMethod.ADMIN_CENTER}
    assert Customer.objects.exclude(mca_acceptances__isnull=False).exists()  # a few missing


def test_seed_scales_up_for_benchmarks():
    call_command("seed_demo", "--customers", "60", "--subscriptions", "5")
    assert Customer.objects.count() == 60
    assert Subscription.objects.count() == 300
    call_command("seed_demo", "--customers", "60", "--subscriptions", "5")
    assert Subscription.objects.count() == 300


def test_seed_refuses_nonsense_arguments():
    with pytest.raises(SystemExit):
        call_command("seed_demo", "--customers", "-1")
    assert Customer.objects.count() == 0
