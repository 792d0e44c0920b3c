"""Celery on real Redis: a real worker delivers queued mail; with Redis down the work is kept in
the database and the sweep delivers it."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection, transaction

from partnerportal import notifications, sweep
from partnerportal.celery import app
from partnerportal.models import EmailStatus, OutboundEmail

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def _redis_url(db: int) -> str:
    base = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0]
    return f"{base}/{db}"


@pytest.fixture
def real_broker(settings):
    """Publish to a private Redis database instead of running tasks inline."""
    url = _redis_url(11 + int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:] or 0))
    use_broker(url)
    yield url
    use_broker(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"), eager=True)


def use_broker(url: str, *, eager: bool = False) -> None:
    """Point the app at `url`. Celery keeps a connection pool (even in eager mode), so drop it:
    otherwise the next publish goes to the broker the pool was opened for."""
    app.conf.task_always_eager = eager
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


def wait_until(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_a_real_worker_delivers_queued_mail(real_broker, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": real_broker,
        "EMAIL_URL": f"filemail://{tmp_path}",
        "CELERY_TASK_ALWAYS_EAGER": "false",
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
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        with transaction.atomic():
            email = notifications.queue_email(to=["ops@example.com"], subject="Real", body="B")
        assert wait_until(
            lambda: OutboundEmail.objects.get(pk=email.pk).status == EmailStatus.SENT
        ), "the worker did not deliver the email"
        assert any(tmp_path.iterdir()), "the file backend wrote nothing"
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
    assert "Traceback" not in output, output


def test_redis_down_keeps_the_work_and_the_sweep_finishes_it():
    use_broker("redis://127.0.0.1:1/0")  # nothing listens there
    try:
        started = time.monotonic()
        with transaction.atomic():
            email = notifications.queue_email(to=["ops@example.com"], subject="Later", body="B")
        assert time.monotonic() - started < 15, "a broker outage must not hang the request"
        assert OutboundEmail.objects.get(pk=email.pk).status == EmailStatus.QUEUED
    finally:
        use_broker(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"), eager=True)
    sweep.run_sweep()
    assert OutboundEmail.objects.get(pk=email.pk).status == EmailStatus.SENT


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
