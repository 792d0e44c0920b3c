"""`http`: gunicorn (persistent DB connections) serving the customers list, the transition page
and GET /v1/customers for a partner with 10,000 customers, each against its bare baseline.
`queries`: queries per page at 10 and at 1,000 customers."""

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from . import common, load
from .pages import TARGETS, api_token, headers_for, session_cookie

ROOT = Path(__file__).resolve().parent.parent


def seed(customers: int):
    from django.core.management import call_command

    common.log(f"seeding {customers} customers × 3 subscriptions")
    call_command("seed_demo", "--customers", str(customers), "--subscriptions", "3", verbosity=0)


def count_queries(path, *, cookie, token, kind):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    headers = {}
    if kind == "api":
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    else:
        name, value = cookie.split("=", 1)
        client.cookies[name] = value
    client.get(path, **headers)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, **headers)
    assert response.status_code == 200, (path, response.status_code)
    return len(ctx.captured_queries)


def queries_bench() -> dict:
    from datetime import timedelta

    from core import clock
    from core.models import Partner, Role, Tenant, User
    from demo import seeding
    from enrollment.models import DirectBillEnrollment

    result = {}
    now = clock.now()
    for size in (10, 1000):
        tenant, _ = Tenant.objects.get_or_create(
            domain=f"bench{size}.example", defaults={"name": f"Bench {size}"}
        )
        partner, _ = Partner.objects.get_or_create(
            tenant=tenant,
            defaults={
                "legal_name": f"Bench {size}",
                "partner_id": f"{9000000 + size}",
                "country": "US",
                "primary_contact_email": f"ga@bench{size}.example",
                "profile_confirmed_on": now.date(),
            },
        )
        DirectBillEnrollment.objects.get_or_create(
            partner=partner,
            defaults={
                "enrolled_at": now - timedelta(days=400),
                "status_changed_at": now - timedelta(days=400),
            },
        )
        user = User.objects.filter(email=f"ga@bench{size}.example").first() or (
            User.objects.create_user(
                f"ga@bench{size}.example",
                "x",
                partner=partner,
                roles=[Role.GLOBAL_ADMIN, Role.ADMIN_AGENT],
            )
        )
        seeding.add_customers(partner, size, 3, prefix=f"b{size}-")
        cookie, token = session_cookie(user), api_token(user)
        for name, path, _bare, kind in TARGETS:
            result[f"{name}@{size}"] = count_queries(path, cookie=cookie, token=token, kind=kind)
    result["queries_constant"] = all(
        result[f"{name}@10"] == result[f"{name}@1000"] for name, *_ in TARGETS
    )
    return result


def start_gunicorn(env, port: int):
    """gunicorn (2 sync workers) serving the portal on `port` in its own processes."""
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "partnerportal.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    for _ in range(100):
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited ({proc.returncode}) before serving on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def stop_gunicorn(proc) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def http_bench(seconds: float, connections: int) -> dict:
    from core.models import User

    user = User.objects.get(email="globaladmin@contoso.example")
    cookie, token = session_cookie(user), api_token(user)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchmarks.settings"}
    port = common.free_port()
    server = start_gunicorn(env, port)
    result = {}
    try:
        for name, path, bare, kind in TARGETS:
            headers = headers_for(kind, cookie=cookie, token=token)
            for label, url_path in (("portal", path), ("bare", bare)):
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}{url_path}", headers=headers
                )
                with urllib.request.urlopen(request, timeout=60) as response:
                    assert response.status == 200, (url_path, response.status)
                common.log(f"load {name} ({label}) for {seconds}s")
                result[f"{name}.{label}"] = load.run(
                    f"http://127.0.0.1:{port}{url_path}",
                    headers=headers,
                    seconds=seconds,
                    connections=connections,
                )
            portal, baseline = result[f"{name}.portal"]["rps"], result[f"{name}.bare"]["rps"]
            result[f"{name}.http_ratio_vs_bare"] = round(portal / baseline, 3) if baseline else None
    finally:
        stop_gunicorn(server)
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--only", default="http,queries")
    args = parser.parse_args()
    with common.database("partnerportal_bench_http") as url:
        common.setup_django(url)
        seed(args.customers)
        result = {}
        if "queries" in args.only:
            result["queries"] = queries_bench()
        if "http" in args.only:
            result["http"] = http_bench(args.seconds, args.connections)
    common.emit(result)


if __name__ == "__main__":
    main()
