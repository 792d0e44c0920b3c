"""`load`: Locust, headless, against the portal as `make run` serves it — gunicorn (2 workers ×
4 threads) and two Celery worker processes on Redis — with a scenario per persona (partner
admin, agent, provider, customer admin, API client; `locustfile.py`). Reports failures and
p50/p95 per request kind and overall."""

import argparse
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from . import common
from .pages import api_token, session_cookie

ROOT = Path(__file__).resolve().parent.parent


def personas() -> dict:
    from core.models import Customer, User

    def user(email):
        return User.objects.get(email=email)

    contoso = user("globaladmin@contoso.example")
    customer_ids = list(
        Customer.objects.filter(relationships__partner=contoso.partner)
        .order_by("id")
        .values_list("id", flat=True)[:200]
    )
    tenant_ids = list(
        Customer.objects.filter(pk__in=customer_ids).values_list("tenant_id", flat=True)
    )
    return {
        "partner_admin": {"cookie": session_cookie(contoso)},
        "agent": {
            "cookie": session_cookie(user("agent@contoso.example")),
            "customer_ids": customer_ids,
        },
        "provider": {"cookie": session_cookie(user("admin@fabrikam.example"))},
        "customer_admin": {"cookie": session_cookie(user("admin@adatum.example"))},
        "api_client": {
            "token": api_token(contoso),
            "customer_ids": [str(t) for t in tenant_ids],
        },
    }


def start(cmd, env):
    return subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)


def stop(proc):
    try:
        os.killpg(proc.pid, signal.SIGTERM)  # the server's (or worker's) own process group
        proc.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


def wait_for(url, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer")


def summary(prefix: str) -> dict:
    with open(f"{prefix}_stats.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    out = {}
    for row in rows:
        name = "all" if row["Name"] == "Aggregated" else f"{row['Type']} {row['Name']}"
        out[name] = {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "p50_ms": float(row["50%"] or 0),
            "p95_ms": float(row["95%"] or 0),
        }
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()
    redis_url = common.redis_url(13)
    os.environ["CELERY_BROKER_URL"] = os.environ["REDIS_URL"] = redis_url
    work = Path(tempfile.mkdtemp(prefix=f"pp-load-{common.run_id()}-"))
    try:
        with common.database("partnerportal_bench_load") as url:
            result = measure(url, work, args)
    finally:
        common.clear_redis(redis_url)
        shutil.rmtree(work, ignore_errors=True)
    common.emit({"load": result})


def measure(url: str, work: Path, args) -> dict:
    common.setup_django(url)
    from django.core.management import call_command

    common.log(f"seeding {args.customers} customers × 3 subscriptions")
    call_command(
        "seed_demo", "--customers", str(args.customers), "--subscriptions", "3", verbosity=0
    )
    (work / "personas.json").write_text(json.dumps(personas()))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchmarks.settings"}
    port = common.free_port()
    bin_dir = Path(sys.executable).parent
    procs = [
        start(
            [
                str(bin_dir / "gunicorn"),
                "partnerportal.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--log-level",
                "warning",
            ],
            env,
        )
    ]
    for n in (1, 2):
        procs.append(
            start(
                [
                    str(bin_dir / "celery"),
                    "-A",
                    "partnerportal",
                    "worker",
                    "--concurrency=1",
                    f"--hostname=bench{n}-{common.run_id()}@%h",
                    "--loglevel=WARNING",
                ],
                env,
            )
        )
    try:
        wait_for(f"http://127.0.0.1:{port}/signin/")
        common.log(f"locust: {args.users} users for {args.seconds}s, a scenario per persona")
        prefix = str(work / "locust")
        subprocess.run(
            [
                str(bin_dir / "locust"),
                "-f",
                str(ROOT / "benchmarks" / "locustfile.py"),
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(max(1, args.users // 5)),
                "--run-time",
                f"{args.seconds}s",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                prefix,
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env={**env, "LOAD_PERSONAS": str(work / "personas.json")},
            check=False,  # locust exits 1 when any request failed: the count is the result
            stdout=subprocess.DEVNULL,
        )
        kinds = summary(prefix)
    finally:
        for proc in procs:
            stop(proc)
    overall = kinds.pop("all")
    return {
        "users": args.users,
        "seconds": args.seconds,
        "customers": args.customers,
        "requests": overall["requests"],
        "failures": overall["failures"],
        "p50_ms": overall["p50_ms"],
        "p95_ms": overall["p95_ms"],
        "per_kind": kinds,
    }


if __name__ == "__main__":
    main()
