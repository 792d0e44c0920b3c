"""Shared plumbing for the benchmarks: a database per benchmark and run, Django set-up, timing.

Every run has an id (`BENCH_RUN_ID`: set once by `python -m benchmarks` for all its benchmarks,
else this process's pid), and every name a benchmark claims carries it: its databases
(`partnerportal_bench_<name>_<run id>`), its Redis keys (Celery's and the API cache's, prefixed
`bench-<run id>:` by `benchmarks.settings`) and its scratch folders. Ports are picked free. Two
runs on one machine (or a run and the test suite) thus never write into each other's state, and
each benchmark drops its database when it ends, failed or not.
"""

import json
import os
import re
import signal
import socket
import sys
import time
from contextlib import contextmanager, suppress
from urllib.parse import urlsplit, urlunsplit

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/partnerportal"
RUN_ID_ENV = "BENCH_RUN_ID"


def run_id() -> str:
    """This run's id, made safe for database names; children (servers, workers) inherit it."""
    raw = os.environ.setdefault(RUN_ID_ENV, str(os.getpid()))
    return re.sub(r"[^a-z0-9_]", "_", raw.lower())[:24] or str(os.getpid())


def database_url(name: str) -> str:
    parts = urlsplit(os.environ.get("DATABASE_URL", DEFAULT_DB))
    return urlunsplit(parts._replace(path=f"/{name}_{run_id()}"))


def redis_url(db: int) -> str:
    """The Redis database `db` on the server of REDIS_URL (keys of this run are prefixed)."""
    return os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0] + f"/{db}"


def redis_prefix() -> str:
    return f"bench-{run_id()}:"


def clear_redis(url: str) -> None:
    """Delete this run's keys (only those: another run may share the Redis database)."""
    try:
        import redis

        client = redis.Redis.from_url(url)
        keys = list(client.scan_iter(match=redis_prefix() + "*", count=1000))
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start : start + 1000])
    except Exception:  # noqa: BLE001 - cleanup only
        pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _admin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.path.lstrip("/"), urlunsplit(parts._replace(path="/postgres"))


def recreate_database(url: str) -> None:
    """Drop and create the benchmark's own database, so every run starts from the same state."""
    import psycopg

    name, admin = _admin(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')
        conn.execute(f'create database "{name}"')


def drop_database(url: str) -> None:
    import psycopg

    if "django.db" in sys.modules:  # this process's own connections first
        from django.db import connections

        with suppress(Exception):  # the drop below forces them closed anyway
            connections.close_all()
    name, admin = _admin(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')


def _terminated(signum, frame):
    raise SystemExit(128 + signum)  # so `finally` blocks (servers stopped, database dropped) run


@contextmanager
def database(name: str):
    """A fresh database for one benchmark of this run, dropped when the benchmark ends (also on
    failure or SIGTERM); `BENCH_KEEP_DB=1` keeps it for a look afterwards."""
    url = database_url(name)
    recreate_database(url)
    signal.signal(signal.SIGTERM, _terminated)
    try:
        yield url
    finally:
        if os.environ.get("BENCH_KEEP_DB") != "1":
            drop_database(url)


def setup_django(url: str, *, migrate: bool = True) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    run_id()  # in the environment before the settings read it
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)


@contextmanager
def stopwatch(into: dict, key: str):
    started = time.perf_counter()
    yield
    into[key] = round(time.perf_counter() - started, 3)


def emit(result: dict) -> None:
    """The last line a benchmark prints is its JSON result (the runner reads it)."""
    sys.stdout.write("BENCH-RESULT " + json.dumps(result) + "\n")
    sys.stdout.flush()


def log(message: str) -> None:
    print(f"  · {message}", file=sys.stderr, flush=True)
