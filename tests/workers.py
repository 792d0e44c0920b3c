"""Real Celery workers for tests: a worker subprocess against the test database, on a private
Redis database per pytest-xdist process so parallel runs never share a queue."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.db import connection

from partnerportal.celery import app

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REDIS = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def database_url() -> str:
    """The URL of the test database this process uses (the worker must use the same)."""
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def private_redis() -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:] or "0"
    return DEFAULT_REDIS.rsplit("/", 1)[0] + f"/{10 + int(worker) % 6}"


def use_broker(url: str, *, eager: bool = False) -> None:
    """Point this process's publisher at `url`. Celery keeps connection pools keyed by URL
    (even in eager mode), so drop them: otherwise the next publish goes to the old broker."""
    app.conf.task_always_eager = eager
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker():
    """Publish to a private, empty Redis database instead of running tasks inline."""
    url = private_redis()
    redis.Redis.from_url(url).flushdb()
    use_broker(url)
    yield url
    use_broker(DEFAULT_REDIS, eager=True)
    redis.Redis.from_url(url).flushdb()


def start_worker(broker_url: str, mail_dir, *, capture: bool = False) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": broker_url,
        "EMAIL_URL": f"filemail://{mail_dir}",
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    output = subprocess.PIPE if capture else subprocess.DEVNULL
    return subprocess.Popen(
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
        stdout=output,
        stderr=subprocess.STDOUT if capture else subprocess.DEVNULL,
    )


def stop_worker(worker: subprocess.Popen) -> str:
    """Stop a worker started with capture=True; returns what it printed."""
    worker.terminate()
    out = worker.communicate(timeout=30)[0]
    return out.decode(errors="replace") if out else ""


def kill(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)


def wait_until(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False
