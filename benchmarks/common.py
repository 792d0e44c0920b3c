"""Shared plumbing for the benchmarks: a database per benchmark, Django set-up, timing."""

import json
import os
import sys
import time
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/partnerportal"


def database_url(name: str) -> str:
    parts = urlsplit(os.environ.get("DATABASE_URL", DEFAULT_DB))
    return urlunsplit(parts._replace(path=f"/{name}"))


def recreate_database(url: str) -> None:
    """Drop and create the benchmark's own database, so every run starts from the same state."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')
        conn.execute(f'create database "{name}"')


def setup_django(url: str, *, migrate: bool = True) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
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
