"""`scale`: how the bulk jobs and the sweep behave as the book grows.

python -m benchmarks.scale_bench transfer --customers N
    Contoso with N customers × 5 subscriptions extends every customer to Fabrikam, then
    requests and submits every transfer (the three bulk jobs the pages start), each job run
    in a fresh worker process (`job_worker`): wall time per customer and the worker's peak
    memory. The runner compares two sizes (2,000 and 20,000) for a flat per-customer cost.
python -m benchmarks.scale_bench sweep --customers N
    N customers × 3 subscriptions, then the clock jumps a year: every term end, trial and
    GDAP/partnership deadline of that year falls due at once; sweeps work them off in chunks
    (items per second) while gunicorn serves the customers list and the Transition page over
    HTTP to a reader in another process: their p50/p95 during the sweep against an idle
    baseline read before the clock jump (`--idle-seconds`), failures counted.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from . import common

ROOT = Path(__file__).resolve().parent.parent


def _broker():
    # Nobody consumes this Redis database: publishing the doorbells is part of the run.
    redis_url = common.redis_url(14)
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
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("BENCH-RESULT ")][-1]
    return json.loads(line.removeprefix("BENCH-RESULT "))


def transfer(customers: int) -> dict:
    with common.database("partnerportal_bench_scale") as url:
        redis_url = _broker()
        try:
            return _transfer(url, redis_url, customers)
        finally:
            common.clear_redis(redis_url)


def _transfer(url: str, redis_url: str, customers: int) -> dict:
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


READ_PAGES = {"customers_list": "/customers/", "transition": "/transition/"}


def _start_reader(port: int, cookie: str) -> subprocess.Popen:
    """A page reader (`page_reader`) in its own process, returned once it is reading."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.page_reader", str(port), *READ_PAGES.values()],
        cwd=ROOT,
        env={**os.environ, "PAGE_READER_COOKIE": cookie},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    if proc.stdout.readline().strip() != "READING":
        proc.kill()
        raise SystemExit("the page reader did not start")
    return proc


def _stop_reader(proc: subprocess.Popen) -> dict:
    """Close the reader's stdin (it stops after the request under way) and read its result."""
    out, _ = proc.communicate(timeout=300)
    line = [ln for ln in out.splitlines() if ln.startswith("BENCH-RESULT ")][-1]
    return json.loads(line.removeprefix("BENCH-RESULT "))


def _percentile(values: list, q: float):
    """Nearest rank: the smallest value with at least q of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(q * len(ordered)) - 1)], 1)


def _pages_summary(read: dict, phase: str) -> dict:
    everything = [ms for got in read.values() for ms in got["latencies_ms"]]
    out = {
        f"page_p50_ms_{phase}": _percentile(everything, 0.5),
        f"page_p95_ms_{phase}": _percentile(everything, 0.95),
        f"page_requests_{phase}": len(everything),
        f"page_failures_{phase}": sum(got["failures"] for got in read.values()),
    }
    for name, path in READ_PAGES.items():
        out[f"{name}.p95_ms_{phase}"] = _percentile(read[path]["latencies_ms"], 0.95)
    return out


def sweep(customers: int, idle_seconds: float) -> dict:
    """The sweep after a one-year clock jump, while gunicorn (2 workers, its own processes, the
    same database) serves the customers list and the Transition page to a page reader (another
    process, plain HTTP): the pages' p50/p95 while the sweep runs against the same pages read
    for `idle_seconds` before the jump, so their ratio is what the sweep's work and locks cost
    the pages (on a small machine: its CPU too)."""
    with common.database("partnerportal_bench_sweep") as url:
        redis_url = _broker()
        try:
            return _sweep(url, customers, idle_seconds)
        finally:
            common.clear_redis(redis_url)


def _sweep(url: str, customers: int, idle_seconds: float) -> dict:
    common.setup_django(url)
    from django.core.management import call_command
    from django.db import connection

    from core.models import SimulationClock, User
    from core.sweep import run_sweep

    from .http_bench import start_gunicorn, stop_gunicorn
    from .pages import session_cookie

    common.log(f"seeding {customers} customers × 3 subscriptions")
    call_command("seed_demo", "--customers", str(customers), "--subscriptions", "3", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    started = time.perf_counter()
    idle = run_sweep()
    idle_ms = round(1000 * (time.perf_counter() - started), 1)
    cookie = session_cookie(User.objects.get(email="agent@contoso.example"))
    port = common.free_port()
    server = start_gunicorn({**os.environ, "DJANGO_SETTINGS_MODULE": "benchmarks.settings"}, port)
    reader = None
    try:
        common.log(f"pages over HTTP, nothing due, for {idle_seconds}s (the idle baseline)")
        reader = _start_reader(port, cookie)
        time.sleep(idle_seconds)
        before = _stop_reader(reader)
        common.log("the clock jumps a year: sweeping what fell due while the pages are read")
        SimulationClock.objects.update_or_create(pk=1, defaults={"offset": timedelta(days=365)})
        reader = _start_reader(port, cookie)
        started = time.perf_counter()
        items = 0
        while True:  # until a sweep finds nothing more (each sweeper works its set off in chunks)
            fired = run_sweep()
            done = sum(n for n in fired.values() if n > 0)
            items += done
            if not done:
                break
        seconds = time.perf_counter() - started
        during = _stop_reader(reader)
        reader = None
    finally:
        if reader is not None:
            reader.kill()
            reader.wait()
        stop_gunicorn(server)
    idle_pages, sweep_pages = _pages_summary(before, "idle"), _pages_summary(during, "during_sweep")
    p95_idle, p95_sweep = idle_pages["page_p95_ms_idle"], sweep_pages["page_p95_ms_during_sweep"]
    return {
        "customers": customers,
        "idle_sweep_ms": idle_ms,
        "idle_items": sum(n for n in idle.values() if n > 0),
        "items": items,
        "seconds": round(seconds, 3),
        "sweep_items_per_second": round(items / seconds, 1) if seconds else None,
        **sweep_pages,
        **idle_pages,
        "page_p95_ratio_sweep_vs_idle": round(p95_sweep / p95_idle, 2)
        if p95_idle and p95_sweep
        else None,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("part", choices=["transfer", "sweep"])
    parser.add_argument("--customers", type=int, required=True)
    parser.add_argument("--idle-seconds", type=float, default=5, help="sweep: idle page baseline")
    args = parser.parse_args()
    if args.part == "transfer":
        result = transfer(args.customers)
    else:
        result = sweep(args.customers, args.idle_seconds)
    common.emit({f"scale_{args.part}": result})


if __name__ == "__main__":
    main()
