"""`copyrows`: COPY writes what `bulk_create` would — pks, defaults, auto_now, JSON, choices —
and the database's constraints refuse a bad row as they do for INSERT (nothing written)."""

import pytest
from django.db import IntegrityError, transaction

from core.copyrows import SMALL, copy_insert, copy_values
from core.models import BulkJobItem, Tenant
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_copy_insert_returns_instances_with_pks_and_round_trips_values():
    job = f.BulkJobFactory(params={"title": "Copy", "nested": {"a": [1, 2]}})
    items = [BulkJobItem(job=job, seq=n, item=f"i{n}") for n in range(SMALL + 5)]
    written = copy_insert(BulkJobItem, items)
    assert all(i.pk for i in written) and len({i.pk for i in written}) == len(items)
    row = BulkJobItem.objects.get(pk=written[7].pk)
    assert (row.item, row.seq, row.ok, row.message) == ("i7", 7, None, "")  # defaults applied
    tenants = copy_insert(Tenant, [Tenant(domain=f"t{n}.example", name="T") for n in range(60)])
    stored = Tenant.objects.get(pk=tenants[0].pk)
    assert stored.created_at is not None  # auto_now_add, as INSERT gives it


def test_copy_values_fills_defaults_and_returns_pks_in_order():
    job = f.BulkJobFactory()
    pks = copy_values(
        BulkJobItem, [{"job_id": job.pk, "seq": n, "item": str(n)} for n in range(SMALL + 1)]
    )
    items = dict(BulkJobItem.objects.filter(pk__in=pks).values_list("pk", "item"))
    assert [items[pk] for pk in pks] == [str(n) for n in range(SMALL + 1)]


def test_a_row_breaking_a_constraint_refuses_the_whole_copy():
    job = f.BulkJobFactory()
    rows = [{"job_id": job.pk, "seq": n % (SMALL + 1), "item": "x"} for n in range(SMALL + 2)]
    with pytest.raises(IntegrityError), transaction.atomic():
        copy_values(BulkJobItem, rows)  # two rows share a seq: the unique constraint
    assert not BulkJobItem.objects.filter(job=job).exists()
