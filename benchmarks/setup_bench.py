"""`setup`: a newcomer's start — `git clone` of this repository's HEAD into an empty folder, then
`make run` until the portal answers its sign-in page: packages installed (uv, or pip when uv is
absent), services found, migrations, the demo world, web + worker + beat started. Its own
database (dropped afterwards), Redis database and free port; the clone (a fresh folder named
after the run) and its processes are removed afterwards, also when it fails. The package
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


def main():
    redis_url = common.redis_url(12)
    work = Path(tempfile.mkdtemp(prefix=f"pp-setup-{common.run_id()}-"))
    try:
        with common.database("partnerportal_bench_setup") as url:
            result = measure(url, redis_url, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    common.emit({"setup": result})


def measure(url: str, redis_url: str, work: Path) -> dict:
    clone = work / "portal"
    port = common.free_port()
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "DJANGO_"))}
    env.update(DATABASE_URL=url, REDIS_URL=redis_url, PORT=str(port))
    common.log(f"make run in a fresh clone ({clone})")
    log_path = work / "make-run.log"
    started = time.perf_counter()
    seconds = None
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            ["make", "run"],
            cwd=clone,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 900
            while time.monotonic() < deadline and proc.poll() is None:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/signin/", timeout=5) as r:
                        if r.status == 200:
                            seconds = round(time.perf_counter() - started, 1)
                            break
                except OSError:
                    time.sleep(0.5)
        finally:
            try:
                os.killpg(proc.pid, signal.SIGTERM)  # make, run_all.sh and what it started
                proc.wait(timeout=30)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
    text = log_path.read_text()
    if seconds is None:
        print(text[-2000:])
        raise SystemExit("make run did not serve the sign-in page")
    return {"make_run_seconds": seconds, "installer": "uv" if "with uv" in text else "pip"}


if __name__ == "__main__":
    main()
