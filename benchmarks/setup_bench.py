"""`setup`: a newcomer's start — `git clone` of this repository's HEAD into an empty folder, then
`make run` until the portal answers its sign-in page: packages installed (uv, or pip when uv is
absent), services found, migrations, the demo world, web + worker + beat started. Its own
database and Redis database; the clone and its processes are removed afterwards. The package
caches of the machine (uv's or pip's) are whatever they are: say which in the report."""

import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from . import common

ROOT = Path(__file__).resolve().parent.parent
PORT = 8767


def main():
    url = common.database_url("partnerportal_bench_setup")
    common.recreate_database(url)
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0] + "/12"
    work = Path(tempfile.mkdtemp(prefix="pp-setup-"))
    clone = work / "portal"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "DJANGO_"))}
    env.update(DATABASE_URL=url, REDIS_URL=redis_url, PORT=str(PORT))
    common.log(f"make run in a fresh clone ({clone})")
    log = open(work / "make-run.log", "w")  # noqa: SIM115
    started = time.perf_counter()
    proc = subprocess.Popen(
        ["make", "run"],
        cwd=clone,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    seconds = None
    try:
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/signin/", timeout=5) as r:
                    if r.status == 200:
                        seconds = round(time.perf_counter() - started, 1)
                        break
            except OSError:
                time.sleep(0.5)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)  # make, run_all.sh and what it started
            proc.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
    tail = (work / "make-run.log").read_text()[-2000:]
    installer = (
        "uv" if "with uv" in tail or "with uv" in (work / "make-run.log").read_text() else "pip"
    )
    shutil.rmtree(work, ignore_errors=True)
    if seconds is None:
        print(tail)
        raise SystemExit("make run did not serve the sign-in page")
    common.emit({"setup": {"make_run_seconds": seconds, "installer": installer}})


if __name__ == "__main__":
    main()
