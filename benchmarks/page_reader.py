"""A reader of portal pages over HTTP, in its own process (so it shares no interpreter lock with
what is being measured), until its stdin closes or `--seconds` pass.

    PAGE_READER_COOKIE=... python -m benchmarks.page_reader PORT PATH [PATH ...] [--seconds S]

One keep-alive connection asks for the paths in turn and reads each response whole. Each path
is asked once first, unrecorded (warm-up); then it prints `READING` and records every request:
its latency in milliseconds, and whether it failed (any status but 200 — a redirect to sign-in
too — or a broken connection). The last line is `BENCH-RESULT {path: {"latencies_ms": [...],
"failures": n}}`.
"""

import argparse
import http.client
import os
import sys
import threading
import time

from . import common


def _watch_stdin(stop: threading.Event) -> None:
    sys.stdin.read()  # returns at EOF: the parent closed our stdin
    stop.set()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--seconds", type=float, default=None)
    args = parser.parse_args()
    headers = {"Cookie": os.environ["PAGE_READER_COOKIE"]}
    stop = threading.Event()
    threading.Thread(target=_watch_stdin, args=(stop,), daemon=True).start()
    conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=120)

    def get(path):
        nonlocal conn
        began = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=120)
            ok = False
        return 1000 * (time.perf_counter() - began), ok

    for path in args.paths:
        get(path)
    print("READING", flush=True)
    results = {path: {"latencies_ms": [], "failures": 0} for path in args.paths}
    deadline = time.monotonic() + args.seconds if args.seconds else None
    turn = 0
    while not stop.is_set() and (deadline is None or time.monotonic() < deadline):
        path = args.paths[turn % len(args.paths)]
        turn += 1
        ms, ok = get(path)
        if ok:
            results[path]["latencies_ms"].append(round(ms, 2))
        else:
            results[path]["failures"] += 1
    conn.close()
    common.emit(results)


if __name__ == "__main__":
    main()
