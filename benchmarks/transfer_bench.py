"""`transfer`: Contoso Cloud with N customers × 5 subscriptions moves everything to Fabrikam —
extend every relationship, then create and complete every transfer — through the bulk actions
the pages offer (the jobs a worker runs, over the same services the single actions use).
The floors are the same number of rows written in the same run by plain multi-row INSERTs
(`transfer_ratio_vs_floor` = services / floor) and by COPY, the physical floor
(`transfer_ratio_vs_copy_floor` = services / copy floor); both with the same final UPDATE."""

import argparse
import os
import time
from datetime import timedelta

from . import common

TABLES_APPS = ("partnerportal", "customers", "relationships", "transfers", "enrollment")


def prepare(customers):
    import pgtrigger
    from django.core.management import call_command

    from core import clock
    from core.models import Customer, Partner, User
    from customers.models import LEGACY_TYPES, McaAcceptance, McaMethod, ProductType, Subscription
    from enrollment.models import DirectBillEnrollment, DirectBillStatus, IndirectResellerEnrollment
    from relationships.models import PartnershipStatus, ProviderPartnership

    common.log(f"seeding {customers} customers × 5 subscriptions")
    call_command("seed_demo", "--customers", str(customers), "--subscriptions", "5", verbosity=0)
    contoso = Partner.objects.get(tenant__domain="contoso.example")
    fabrikam = Partner.objects.get(tenant__domain="fabrikam.example")
    now = clock.now()
    DirectBillEnrollment.objects.filter(partner=contoso).update(status=DirectBillStatus.RESTRICTED)
    ga = User.objects.get(email="globaladmin@contoso.example")
    # Preconditions written in their end states: these inserts skip the initial-state triggers
    # (only those), as the test factories do.
    with pgtrigger.ignore(
        "enrollment.IndirectResellerEnrollment:indirect_status_initial",
        "relationships.ProviderPartnership:partnership_status_initial",
    ):
        IndirectResellerEnrollment.objects.create(
            partner=contoso,
            status="active",
            legal_name=contoso.legal_name,
            primary_contact_email=contoso.primary_contact_email,
            submitted_by=ga,
            submitted_at=now - timedelta(days=10),
            decided_at=now - timedelta(days=9),
            agreement_accepted_at=now - timedelta(days=9),
            agreement_accepted_by=ga,
        )
        ProviderPartnership.objects.create(
            provider=fabrikam,
            reseller=contoso,
            status=PartnershipStatus.ACCEPTED,
            invited_email=ga.email,
            invited_by=User.objects.get(email="admin@fabrikam.example"),
            invited_at=now - timedelta(days=8),
            expires_at=now + timedelta(days=20),
            accepted_by=ga,
            accepted_at=now - timedelta(days=7),
        )
    # Preconditions the benchmark doesn't time: MCA accepted in the admin center, legacy
    # subscriptions already migrated to new commerce.
    McaAcceptance.objects.bulk_create(
        [
            McaAcceptance(
                customer=c,
                method=McaMethod.ADMIN_CENTER,
                signatory_name="IT",
                signatory_email=c.email,
                accepted_on=now.date(),
                recorded_at=now,
            )
            for c in Customer.objects.exclude(
                mca_acceptances__method=McaMethod.ADMIN_CENTER
            ).filter(relationships__partner=contoso)
        ],
        batch_size=2000,
    )
    Subscription.objects.filter(product_type=ProductType.LEGACY_LICENSE).update(
        product_type=ProductType.LICENSE
    )
    Subscription.objects.filter(product_type__in=LEGACY_TYPES).update(
        product_type=ProductType.AZURE_PLAN
    )
    return contoso, fabrikam


def table_counts():
    from django.apps import apps

    return {
        model._meta.db_table: model.objects.count()
        for app in TABLES_APPS
        for model in apps.get_app_config(app).get_models()
    }


def run_services(contoso, fabrikam):
    """The three bulk actions the pages offer, each run to the end in this process (what a
    worker does): the reseller extends every customer, the provider requests every transfer,
    the reseller submits them all."""
    from core import bulk, clock
    from core.models import BulkJob, Customer, JobStatus, User
    from relationships.services.extension_bulk import relationship_extend_bulk
    from transfers import jobs

    agent = User.objects.get(email="agent@contoso.example")
    provider_agent = User.objects.get(email="admin@fabrikam.example")
    ids = list(
        Customer.objects.filter(relationships__partner=contoso)
        .order_by("id")
        .values_list("id", flat=True)
    )
    timings = {}

    def finish(job):
        job = bulk.run(job.pk)
        failed = list(job.items.filter(ok=False).values("item", "message")[:3])
        assert job.status == JobStatus.DONE and not failed, failed[:3]

    with common.stopwatch(timings, "extend_seconds"):
        finish(
            relationship_extend_bulk(
                actor=agent,
                customer_ids=ids,
                provider=fabrikam,
                consent_given_by="Customer IT lead",
                consent_given_on=clock.today(),
                consent_method="Signed consent form",
                bill_to_sharing_confirmed=True,
            )
        )
    with common.stopwatch(timings, "transfer_seconds"):
        finish(jobs.start_request_all(actor=provider_agent, reseller=contoso))
        finish(jobs.start_submit_all(actor=agent))
    timings["services_seconds"] = round(timings["extend_seconds"] + timings["transfer_seconds"], 3)
    assert BulkJob.objects.count() == 3
    return timings


def floor_seconds(inserted: dict, updated_subscriptions: int) -> tuple[float, float]:
    """Write the same number of rows with plain bulk statements, twice in the same run: multi-row
    INSERTs (today's floor), then COPY (the physical floor), each into its own copy of every
    table (same columns and indexes, no triggers), each with one UPDATE of the ended
    subscriptions. Returns (insert seconds, copy seconds)."""
    from django.db import connection, transaction

    from customers.models import Subscription

    with transaction.atomic(), connection.cursor() as cursor:
        prepared = []
        for table, count in inserted.items():
            if count <= 0:
                continue
            for prefix in ("floor", "copy"):
                cursor.execute(
                    f'CREATE TEMP TABLE "{prefix}_{table}" (LIKE "{table}" INCLUDING ALL)'
                )
            cursor.execute(f'SELECT * FROM "{table}" LIMIT %s', [count])
            json_columns = {i for i, c in enumerate(cursor.description) if c.type_code in JSON_OIDS}
            rows = [_adapt(row, json_columns) for row in cursor.fetchall()]
            columns = [c.name for c in cursor.description]
            prepared.append((table, columns, rows))
        sub_table = Subscription._meta.db_table
        for prefix in ("floor", "copy"):
            cursor.execute(f'CREATE TEMP TABLE "{prefix}_upd" (LIKE "{sub_table}" INCLUDING ALL)')
            cursor.execute(
                f'INSERT INTO "{prefix}_upd" SELECT * FROM "{sub_table}" LIMIT %s',
                [updated_subscriptions],
            )
        started = time.perf_counter()
        for table, columns, rows in prepared:
            # Unique columns would collide with the rows copied; the temp copy is empty, so the
            # same values are fine there.
            placeholders = "(" + ",".join(["%s"] * len(columns)) + ")"
            for start in range(0, len(rows), 1000):
                chunk = rows[start : start + 1000]
                cursor.execute(
                    f'INSERT INTO "floor_{table}" VALUES ' + ",".join([placeholders] * len(chunk)),
                    [value for row in chunk for value in row],
                )
        cursor.execute("UPDATE floor_upd SET status = 'deleted', ended_at = now()")
        insert_elapsed = time.perf_counter() - started
        started = time.perf_counter()
        for table, columns, rows in prepared:
            names = ", ".join(f'"{c}"' for c in columns)
            with cursor.cursor.copy(f'COPY "copy_{table}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        cursor.execute("UPDATE copy_upd SET status = 'deleted', ended_at = now()")
        copy_elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return round(insert_elapsed, 3), round(copy_elapsed, 3)


JSON_OIDS = {114, 3802}  # json, jsonb


def _adapt(row, json_columns):
    from psycopg.types.json import Jsonb

    return [Jsonb(v) if i in json_columns and v is not None else v for i, v in enumerate(row)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=2000)
    args = parser.parse_args()
    redis_url = common.redis_url(14)
    os.environ["CELERY_BROKER_URL"] = redis_url
    with common.database("partnerportal_bench_transfer") as url:
        try:
            result = measure(url, redis_url, args.customers)
        finally:
            common.clear_redis(redis_url)
    common.emit({"transfer": result})


def measure(url: str, redis_url: str, customers: int) -> dict:
    common.setup_django(url)
    from django.db import connection

    from partnerportal.celery import app

    app.conf.broker_url = redis_url  # nobody consumes: publishing cost is part of the run
    contoso, fabrikam = prepare(customers)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    before = table_counts()
    common.log("extending and transferring through the services")
    timings = run_services(contoso, fabrikam)
    after = table_counts()
    from customers.models import Subscription

    inserted = {t: after[t] - before.get(t, 0) for t in after}
    ended = Subscription.objects.filter(status="deleted", billing_partner=contoso).count()
    common.log("writing the same rows with plain bulk statements (the floor)")
    floor, copy_floor = floor_seconds(inserted, ended)
    rows = sum(v for v in inserted.values() if v > 0) + ended
    return {
        "customers": customers,
        "rows_written": rows,
        **timings,
        "floor_seconds": floor,
        "transfer_ratio_vs_floor": round(timings["services_seconds"] / floor, 1) if floor else None,
        "copy_floor_seconds": copy_floor,
        "transfer_ratio_vs_copy_floor": round(timings["services_seconds"] / copy_floor, 1)
        if copy_floor
        else None,
    }


if __name__ == "__main__":
    main()
