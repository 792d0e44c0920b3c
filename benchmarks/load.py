"""A load generator on loopback: wrk (Debian's package) when installed, else a small threaded
keep-alive client. Both report requests/s and p50/p95 latency in milliseconds."""

import http.client
import json
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

WRK_REPORT = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    'WRK-JSON {"requests": %d, "seconds": %f, "p50": %f, "p95": %f, "errors": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, errors))
end
"""


def run(url: str, *, headers: dict, seconds: float, connections: int) -> dict:
    if shutil.which("wrk"):
        return _wrk(url, headers=headers, seconds=seconds, connections=connections)
    return _threads(url, headers=headers, seconds=seconds, connections=connections)


def _wrk(url, *, headers, seconds, connections):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_REPORT)
    cmd = ["wrk", "-t", "1", "-c", str(connections), "-d", f"{int(seconds)}s", "-s", script.name]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=seconds + 60)
    Path(script.name).unlink(missing_ok=True)
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("WRK-JSON "))
    data = json.loads(line.removeprefix("WRK-JSON "))
    return {
        "rps": round(data["requests"] / data["seconds"], 1),
        "p50_ms": round(data["p50"], 2),
        "p95_ms": round(data["p95"], 2),
        "errors": data["errors"],
        "tool": "wrk",
    }


def _threads(url, *, headers, seconds, connections):
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker():
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        mine = []
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    errors[0] += 1
            except (OSError, http.client.HTTPException):
                errors[0] += 1
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                continue
            mine.append((time.perf_counter() - started) * 1000)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    latencies.sort()
    return {
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 2) if latencies else None,
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1], 2) if latencies else None,
        "errors": errors[0],
        "tool": "python-threads",
    }
