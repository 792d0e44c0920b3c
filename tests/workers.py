"""Real Celery workers for tests: a worker subprocess against the test database, on a private
Redis database per pytest-xdist process so parallel runs never share a queue.

Which Redis databases: only the one `REDIS_URL` names and those derived from it. A run without
xdist (and xdist's first process, gw0) uses REDIS_URL's own database; process gwN uses that
number + N, which must stay within 0–15 (else the test fails saying so). So a run with `-n K`
on REDIS_URL database B uses B … B+K-1: give concurrent runs databases at least K apart. A
claim key in each database makes an overlap fail loudly instead of two runs sharing (and
emptying) one queue; a database is emptied only while this process holds its claim.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.db import connection

from partnerportal.celery import app

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REDIS = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
REDIS_DATABASES = 16  # Redis's default `databases`: numbers 0–15
CLAIM_KEY = "tests:workers:claimed-by"
CLAIM_SECONDS = 900  # a crashed run's claim lapses on its own


def database_url() -> str:
    """The URL of the test database this process uses (the worker must use the same)."""
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def private_redis() -> str:
    """The Redis URL of this process's private database: REDIS_URL's number + the xdist
    worker index (gw0 or no xdist: REDIS_URL's own database)."""
    parts = urlsplit(DEFAULT_REDIS)
    base = int(parts.path.strip("/") or 0)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    number = base + int(worker.removeprefix("gw") or 0)
    if number >= REDIS_DATABASES:
        pytest.fail(
            f"xdist worker {worker} would use Redis database {number} (REDIS_URL's {base} + "
            f"{worker}); Redis has 0–{REDIS_DATABASES - 1}. Use a lower REDIS_URL database or "
            "fewer processes."
        )
    return urlunsplit(parts._replace(path=f"/{number}"))


def _claimant() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(url: str) -> redis.Redis:
    """Claim the database at `url` for this process (fails if another run holds it) and empty
    it, the claim aside."""
    client = redis.Redis.from_url(url)
    me = _claimant()
    if not client.set(CLAIM_KEY, me, nx=True, ex=CLAIM_SECONDS):
        holder = (client.get(CLAIM_KEY) or b"").decode()
        if holder != me:
            pytest.fail(
                f"Redis database {url} is in use by another test run ({holder}); run with a "
                "REDIS_URL database that no other run uses or derives (see tests/workers.py)."
            )
    _empty(client)
    return client


def release(client: redis.Redis) -> None:
    """Empty the claimed database and give up the claim (only if it is still ours)."""
    _empty(client)
    if (client.get(CLAIM_KEY) or b"").decode() == _claimant():
        client.delete(CLAIM_KEY)


def _empty(client: redis.Redis) -> None:
    keys = [key for key in client.scan_iter(count=500) if key != CLAIM_KEY.encode()]
    if keys:
        client.delete(*keys)


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
    client = claim(url)
    use_broker(url)
    yield url
    use_broker(DEFAULT_REDIS, eager=True)
    release(client)


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
