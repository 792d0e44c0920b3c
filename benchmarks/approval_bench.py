"""`approval`: an indirect reseller enrollment submitted by a Global admin until the approval
email is delivered by a real Celery worker on Redis — p50 latency over several submissions."""

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from . import common

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=10)
    args = parser.parse_args()
    redis_url = common.redis_url(13)
    os.environ["REDIS_URL"] = redis_url
    os.environ["CELERY_BROKER_URL"] = redis_url
    with common.database("partnerportal_bench_approval") as url:
        try:
            latencies = measure(url, redis_url, args.samples)
        finally:
            common.clear_redis(redis_url)
    common.emit(
        {
            "approval": {
                "samples": len(latencies),
                "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
                "max_ms": round(max(latencies), 1) if latencies else None,
            }
        }
    )


def measure(url: str, redis_url: str, samples: int) -> list[float]:
    common.setup_django(url)

    from django.db import transaction

    from core import clock
    from core.models import EmailStatus, OutboundEmail, Partner, Role, Tenant, User
    from enrollment.services.indirect import indirect_enrollment_submit
    from partnerportal.celery import app

    app.conf.broker_url = redis_url
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "EMAIL_URL": "memorymail://",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "partnerportal",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
    )
    latencies = []
    try:
        time.sleep(3)  # let the worker connect
        today = clock.today()
        for i in range(samples):
            tenant = Tenant.objects.create(domain=f"approval{i}.example", name=f"Approval {i}")
            partner = Partner.objects.create(
                tenant=tenant,
                legal_name=f"Approval {i} Ltd",
                partner_id=f"{8100000 + i}",
                country="US",
                primary_contact_email=f"ga@approval{i}.example",
                profile_confirmed_on=today - timedelta(days=1),
            )
            user = User.objects.create_user(
                f"ga@approval{i}.example", "x", partner=partner, roles=[Role.GLOBAL_ADMIN]
            )
            started = time.perf_counter()
            with transaction.atomic():
                indirect_enrollment_submit(
                    actor=user,
                    partner=partner,
                    legal_name=partner.legal_name,
                    primary_contact_email=partner.primary_contact_email,
                )
            deadline = started + 60
            while time.perf_counter() < deadline:
                if OutboundEmail.objects.filter(
                    partner=partner, status=EmailStatus.SENT, subject__icontains="approved"
                ).exists():
                    latencies.append((time.perf_counter() - started) * 1000)
                    break
                time.sleep(0.01)
            else:
                common.log(f"sample {i}: no approval email within 60 s")
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    return latencies


if __name__ == "__main__":
    main()
