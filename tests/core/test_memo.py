"""Values memoised per partner (core.memo): reused until a committed change names the
partner or one of its customers in an audit event, and never kept from inside a transaction.

These tests commit for real (transactional db): invalidation happens on commit."""

import pytest
from django.db import transaction

from core import audit, memo
from core.models import PartnerMemo, RelationshipKind
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


class Counter:
    """A compute function that counts its calls."""

    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return {"n": self.calls}


def generation(partner):
    return PartnerMemo.objects.get(partner=partner, name="test").generation


def test_value_is_computed_once_and_reused():
    partner, compute = f.PartnerFactory(), Counter()
    assert memo.get_or_compute(partner, "test", compute) == {"n": 1}
    assert memo.get_or_compute(partner, "test", compute) == {"n": 1}
    assert compute.calls == 1


def test_an_audited_change_of_the_partner_drops_it_on_commit():
    partner, compute = f.PartnerFactory(), Counter()
    memo.get_or_compute(partner, "test", compute)
    with transaction.atomic():
        audit.record(actor=None, operation="test.change", partner=partner)
        assert generation(partner) == 0  # not before the change commits
    assert memo.get_or_compute(partner, "test", compute) == {"n": 2}


def test_a_rolled_back_change_keeps_it():
    partner, compute = f.PartnerFactory(), Counter()
    memo.get_or_compute(partner, "test", compute)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(actor=None, operation="test.change", partner=partner)
        raise RuntimeError
    assert memo.get_or_compute(partner, "test", compute) == {"n": 1}


def test_a_change_of_a_customer_drops_it_for_every_partner_of_that_customer():
    """The customer's own partner and the reseller an indirect provider serves it for; an
    unrelated partner keeps its value. record_many (bulk transitions) does the same."""
    reseller, provider, other = f.PartnerFactory(), f.ProviderFactory(), f.PartnerFactory()
    customer = f.CustomerFactory()
    f.RelationshipFactory(customer=customer, partner=reseller)
    f.RelationshipFactory(
        customer=customer,
        partner=provider,
        kind=RelationshipKind.INDIRECT_PROVIDER,
        reseller=reseller,
    )
    for partner in (reseller, provider, other):
        memo.get_or_compute(partner, "test", Counter())
    audit.record(actor=None, operation="test.change", customer=customer)
    assert (generation(reseller), generation(provider), generation(other)) == (1, 1, 0)
    audit.record_many([audit.build(actor=None, operation="test.bulk", customer=customer)])
    assert (generation(reseller), generation(provider), generation(other)) == (2, 2, 0)


def test_an_explicit_invalidation_drops_it():
    partner, compute = f.PartnerFactory(), Counter()
    memo.get_or_compute(partner, "test", compute)
    memo.invalidate(partner_ids=[partner.pk])
    assert memo.get_or_compute(partner, "test", compute) == {"n": 2}


def test_inside_a_transaction_it_computes_and_keeps_nothing():
    partner, compute = f.PartnerFactory(), Counter()
    with transaction.atomic():
        assert memo.get_or_compute(partner, "test", compute) == {"n": 1}
        assert memo.get_or_compute(partner, "test", compute) == {"n": 2}
    assert not PartnerMemo.objects.filter(partner=partner).exists()


def test_a_value_computed_while_a_change_commits_is_not_kept():
    """The generation is read before computing: a change committed in between makes the
    computed value stale, and it is not stored."""
    partner = f.PartnerFactory()

    def compute_while_a_change_commits():
        audit.record(actor=None, operation="test.change", partner=partner)  # commits at once
        return {"stale": True}

    assert memo.get_or_compute(partner, "test", compute_while_a_change_commits) == {"stale": True}
    row = PartnerMemo.objects.get(partner=partner, name="test")
    assert row.generation == 1 and row.value_generation is None


def test_staff_moving_a_subscription_drops_the_old_and_the_new_partners_values():
    from django.contrib import admin
    from django.test import RequestFactory

    from customers.models import Subscription

    old, new = f.PartnerFactory(), f.PartnerFactory()
    sub = f.SubscriptionFactory(billing_partner=old)
    for partner in (old, new):
        memo.get_or_compute(partner, "test", Counter())
    request = RequestFactory().post("/admin/")
    request.user = f.StaffFactory()
    sub.billing_partner = new
    admin.site.get_model_admin(Subscription).save_model(request, sub, form=None, change=True)
    assert (generation(old), generation(new)) == (1, 1)


def test_a_value_older_than_the_max_age_is_recomputed(settings):
    """The safety net: a change that escaped the audit trail (here, none was recorded) shows
    once the value is older than MEMO_MAX_AGE_SECONDS."""
    from datetime import timedelta

    partner, compute = f.PartnerFactory(), Counter()
    memo.get_or_compute(partner, "test", compute)
    settings.MEMO_MAX_AGE_SECONDS = 60
    PartnerMemo.objects.filter(partner=partner).update(
        computed_at=PartnerMemo.objects.get(partner=partner).computed_at - timedelta(seconds=59)
    )
    assert memo.get_or_compute(partner, "test", compute) == {"n": 1}  # still young enough
    PartnerMemo.objects.filter(partner=partner).update(
        computed_at=PartnerMemo.objects.get(partner=partner).computed_at - timedelta(seconds=2)
    )
    assert memo.get_or_compute(partner, "test", compute) == {"n": 2}
    assert memo.get_or_compute(partner, "test", compute) == {"n": 2}  # and kept again
