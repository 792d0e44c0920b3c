"""`scale`: how the bulk jobs and the sweep behave as the book grows.

python -m benchmarks.scale_bench transfer --customers N
    Contoso with N customers × 5 subscriptions extends every customer to Fabrikam, then
    requests and submits every transfer (the three bulk jobs the pages start), each job run
    in a fresh worker process (`job_worker`): wall time per customer and the worker's peak
    memory. The runner compares two sizes (2,000 and 20,000) for a flat per-customer cost.
python -m benchmarks.scale_bench sweep --customers N
    N customers × 3 subscriptions, then the clock jumps a year: every term end, trial and
    GDAP/partnership deadline of that year falls due at once; one sweep works them off in
    chunks (items per second), while a thread reads the customers list and reports its p95.
"""

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

from . import common

ROOT = Path(__file__).resolve().parent.parent


def _broker():
    # Nobody consumes this Redis database: publishing the doorbells is part of the run.
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0] + "/14"
    os.environ["CELERY_BROKER_URL"] = redis_url
    return redis_url


def _in_worker(url, job) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.job_worker", url, str(job.pk)],
        cwd=ROOT,
        text=True,
        stdout=subprocess.PIPE,
        check=True,
    )
    import json

    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("BENCH-RESULT ")][-1]
    return json.loads(line.removeprefix("BENCH-RESULT "))


def transfer(customers: int) -> dict:
    url = common.database_url("partnerportal_bench_scale")
    common.recreate_database(url)
    redis_url = _broker()
    common.setup_django(url)
    from django.db import connection

    from core import clock
    from core.models import Customer, User
    from partnerportal.celery import app
    from relationships.services.extension_bulk import relationship_extend_bulk
    from transfers import jobs

    from .transfer_bench import prepare

    app.conf.broker_url = redis_url
    contoso, fabrikam = prepare(customers)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    agent = User.objects.get(email="agent@contoso.example")
    provider_agent = User.objects.get(email="admin@fabrikam.example")
    runs, starts = [], []
    common.log(f"bulk jobs over {customers} customers, each in a fresh worker process")

    def started(job_start):
        began = time.perf_counter()
        job = job_start()
        starts.append(time.perf_counter() - began)
        return job

    job = started(
        lambda: relationship_extend_bulk(
            actor=agent,
            customer_ids=Customer.objects.filter(relationships__partner=contoso)
            .order_by("id")
            .values_list("id", flat=True),
            provider=fabrikam,
            consent_given_by="Customer IT lead",
            consent_given_on=clock.today(),
            consent_method="Signed consent form",
            bill_to_sharing_confirmed=True,
        )
    )
    runs.append(_in_worker(url, job))
    job = started(lambda: jobs.start_request_all(actor=provider_agent, reseller=contoso))
    runs.append(_in_worker(url, job))
    runs.append(_in_worker(url, started(lambda: jobs.start_submit_all(actor=agent))))
    # Starting each job (the web side) plus running it (the worker's, without process start-up).
    seconds = sum(starts) + sum(r["seconds"] for r in runs)
    return {
        "customers": customers,
        "seconds": round(seconds, 3),
        "per_customer_ms": round(1000 * seconds / customers, 3),
        "worker_peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
    }


def sweep(customers: int) -> dict:
    url = common.database_url("partnerportal_bench_sweep")
    common.recreate_database(url)
    _broker()
    common.setup_django(url)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from core.models import SimulationClock, User
    from core.sweep import run_sweep

    from .pages import session_cookie

    common.log(f"seeding {customers} customers × 3 subscriptions")
    call_command("seed_demo", "--customers", str(customers), "--subscriptions", "3", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    started = time.perf_counter()
    idle = run_sweep()
    idle_ms = round(1000 * (time.perf_counter() - started), 1)
    common.log("the clock jumps a year: sweeping what fell due")
    SimulationClock.objects.update_or_create(pk=1, defaults={"offset": timedelta(days=365)})
    cookie = session_cookie(User.objects.get(email="agent@contoso.example"))
    latencies, stop = [], threading.Event()

    def read_pages():
        from django.db import connection as thread_connection

        client = Client()
        name, value = cookie.split("=", 1)
        client.cookies[name] = value
        while not stop.is_set():
            began = time.perf_counter()
            client.get("/customers/")
            latencies.append(1000 * (time.perf_counter() - began))
        thread_connection.close()

    reader = threading.Thread(target=read_pages)
    reader.start()
    started = time.perf_counter()
    items = 0
    while True:  # until a sweep finds nothing more (each sweeper works its set off in chunks)
        fired = run_sweep()
        done = sum(n for n in fired.values() if n > 0)
        items += done
        if not done:
            break
    seconds = time.perf_counter() - started
    stop.set()
    reader.join()
    latencies.sort()
    return {
        "customers": customers,
        "idle_sweep_ms": idle_ms,
        "idle_items": sum(n for n in idle.values() if n > 0),
        "items": items,
        "seconds": round(seconds, 3),
        "sweep_items_per_second": round(items / seconds, 1) if seconds else None,
        "page_p50_ms_during_sweep": round(statistics.median(latencies), 1) if latencies else None,
        "page_p95_ms_during_sweep": round(latencies[int(len(latencies) * 0.95) - 1], 1)
        if latencies
        else None,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("part", choices=["transfer", "sweep"])
    parser.add_argument("--customers", type=int, required=True)
    args = parser.parse_args()
    result = transfer(args.customers) if args.part == "transfer" else sweep(args.customers)
    common.emit({f"scale_{args.part}": result})


if __name__ == "__main__":
    main()
