"""Seeding at scale (issue 18): `seed_demo --customers N` writes the demo world a chunk at a
time with COPY, reports progress per chunk, and the rows are the same rules-valid state the
database's triggers and constraints accept (sizes here are small; speed lives in `make bench`)."""

import io

import pytest
from django.core.management import call_command

from core.models import Customer, CustomerRelationship, Partner, RelationshipKind, User
from core.progress import Progress
from customers.models import McaAcceptance, Subscription
from demo import seeding, world

pytestmark = pytest.mark.django_db


def _counts():
    contoso = Partner.objects.get(tenant__domain="contoso.example")
    return {
        "customers": Customer.objects.count(),
        "direct": CustomerRelationship.objects.filter(
            partner=contoso, kind=RelationshipKind.DIRECT
        ).count(),
        "subscriptions": Subscription.objects.filter(billing_partner=contoso).count(),
        "customer_users": User.objects.filter(customer__isnull=False).count(),
        "mca": McaAcceptance.objects.count(),
    }


def test_seed_writes_the_counts_asked_in_chunks_with_progress(monkeypatch):
    monkeypatch.setattr(seeding, "SEED_CHUNK", 7)
    told = []
    built = world.build(customers=20, subscriptions=4, progress=told.append)
    assert told == [7, 7, 6]  # one progress step per chunk, covering every customer
    assert _counts() == {
        "customers": 20,
        "direct": 20,
        "subscriptions": 20 * 4,
        "customer_users": 20 + seeding.CUSTOMERS_WITH_PLAIN_USER,
        "mca": 20 - len([i for i in range(20) if i % 7 == 3]),
    }
    assert built.customers.count() == 20
    assert list(built.customers.values_list("company_name", flat=True)[:2]) == [
        "Adatum Corporation",
        "Adventure Works Cycles",
    ]


def test_seeded_rows_are_rules_valid(monkeypatch):
    """Add-ons point at their customer's base subscription, every admin can sign in with the
    demo password, and the memoised counts see the new customers."""
    monkeypatch.setattr(seeding, "SEED_CHUNK", 4)
    world.build(customers=10, subscriptions=3)
    add_ons = Subscription.objects.filter(parent__isnull=False).select_related("parent")
    assert add_ons.exists()
    assert all(
        s.parent.customer_id == s.customer_id and s.parent.parent_id is None for s in add_ons
    )
    admin = User.objects.get(email="admin@adatum.example")
    assert admin.check_password(world.DEMO_PASSWORD) and admin.customer.company_name == (
        "Adatum Corporation"
    )
    assert all(s.status == "active" for s in Subscription.objects.all())


def test_seed_again_changes_nothing(monkeypatch):
    monkeypatch.setattr(seeding, "SEED_CHUNK", 6)
    world.build(customers=15, subscriptions=3)
    before = _counts()
    world.build(customers=15, subscriptions=3)
    assert _counts() == before
    world.build(customers=18, subscriptions=3)  # only the three missing ones are added
    assert _counts()["customers"] == 18 and _counts()["subscriptions"] == 18 * 3


def test_seed_demo_command_shows_a_progress_line():
    err = io.StringIO()
    call_command("seed_demo", "--customers", "12", "--subscriptions", "3", stderr=err)
    assert "Seeding customers" in err.getvalue() and "12/12 (100%" in err.getvalue()
    assert Customer.objects.count() == 12


def test_progress_redraws_in_place_on_a_terminal():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    out = Tty()
    bar = Progress("Work", 4, stream=out)
    for _ in range(4):
        bar.advance()
    bar.close()
    assert out.getvalue().count("\r") == 4 and out.getvalue().endswith("4/4 (100%, 0s)\n")
