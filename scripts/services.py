"""Make sure PostgreSQL and Redis are reachable, and write their URLs to .local/services.env.

Order of preference, for each service:
  1. the URL in the environment (DATABASE_URL / REDIS_URL) — it must answer;
  2. the local default (postgres://postgres@127.0.0.1:5432, redis://127.0.0.1:6379);
  3. a project-local server started from the installed binaries under .local/, after installing
     the Debian package when the binaries are missing.
Nobody has to start a service by hand.
"""

import glob
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
LOCAL = ROOT / ".local"
DB_NAME = "partnerportal"
DEFAULT_DB = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
LOCAL_PG_PORT = 54329
LOCAL_REDIS_PORT = 63790


def say(message):
    print(f"[services] {message}", file=sys.stderr)


def pg_answers(url, timeout=3):
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(admin, connect_timeout=timeout) as conn:
            conn.execute("select 1")
        return True
    except psycopg.OperationalError:
        return False


def ensure_database(url):
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/") or DB_NAME
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("select 1 from pg_database where datname = %s", [name]).fetchone():
            conn.execute(f'create database "{name}"')
            say(f"created database {name}")


def redis_answers(url):
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def apt_install(*packages):
    say(f"installing {' '.join(packages)} from Debian's packages")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", *packages], check=True, env=env)


def pg_bin(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def as_postgres_user(cmd):
    """PostgreSQL refuses to run as root: run its binaries as the 'postgres' system user."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def start_local_postgres():
    if not pg_bin("initdb"):
        apt_install("postgresql")
    data = LOCAL / "pg"
    sock = LOCAL / "pg-sock"
    sock.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(LOCAL, "postgres")
        shutil.chown(sock, "postgres")
    if not (data / "PG_VERSION").exists():
        say("initialising a project-local PostgreSQL cluster in .local/pg")
        subprocess.run(
            as_postgres_user(
                [pg_bin("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    say(f"starting project-local PostgreSQL on 127.0.0.1:{LOCAL_PG_PORT}")
    subprocess.run(
        as_postgres_user(
            [
                pg_bin("pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(LOCAL / "pg.log"),
                "-w",
                "-o",
                f"-p {LOCAL_PG_PORT} -k {sock} -c listen_addresses=127.0.0.1",
                "start",
            ]
        ),
        check=False,
    )
    return f"postgres://postgres@127.0.0.1:{LOCAL_PG_PORT}/{DB_NAME}"


def start_local_redis():
    if not shutil.which("redis-server"):
        apt_install("redis-server")
    (LOCAL / "redis").mkdir(parents=True, exist_ok=True)
    say(f"starting project-local Redis on 127.0.0.1:{LOCAL_REDIS_PORT}")
    subprocess.run(
        [
            "redis-server",
            "--port",
            str(LOCAL_REDIS_PORT),
            "--bind",
            "127.0.0.1",
            "--daemonize",
            "yes",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(LOCAL / "redis"),
            "--logfile",
            str(LOCAL / "redis.log"),
        ],
        check=True,
    )
    return f"redis://127.0.0.1:{LOCAL_REDIS_PORT}/0"


def wait_for(check, url, what):
    for _ in range(60):
        if check(url):
            return
        time.sleep(0.5)
    sys.exit(f"[services] {what} at {url} did not come up; see .local/*.log")


def resolve_database():
    url = os.environ.get("DATABASE_URL")
    if url:
        wait_for(pg_answers, url, "PostgreSQL (DATABASE_URL)")
        return url
    if pg_answers(DEFAULT_DB):
        return DEFAULT_DB
    url = f"postgres://postgres@127.0.0.1:{LOCAL_PG_PORT}/{DB_NAME}"
    if not pg_answers(url):
        url = start_local_postgres()
        wait_for(pg_answers, url, "project-local PostgreSQL")
    return url


def resolve_redis():
    url = os.environ.get("REDIS_URL")
    if url:
        wait_for(redis_answers, url, "Redis (REDIS_URL)")
        return url
    if redis_answers(DEFAULT_REDIS):
        return DEFAULT_REDIS
    url = f"redis://127.0.0.1:{LOCAL_REDIS_PORT}/0"
    if not redis_answers(url):
        url = start_local_redis()
        wait_for(redis_answers, url, "project-local Redis")
    return url


def main():
    LOCAL.mkdir(exist_ok=True)
    database_url = resolve_database()
    ensure_database(database_url)
    redis_url = resolve_redis()
    (LOCAL / "services.env").write_text(
        f"export DATABASE_URL='{database_url}'\nexport REDIS_URL='{redis_url}'\n"
    )
    say(f"PostgreSQL: {database_url}")
    say(f"Redis:      {redis_url}")


if __name__ == "__main__":
    main()
