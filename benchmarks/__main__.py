"""`make bench`: runs each benchmark in its own process and database, writes
bench-results.json and prints a table. Not part of `make test`.

    python -m benchmarks [--only http,queries,transfer,approval,scale,sweep,load,setup] [--quick]

`--quick` is a smoke run at small sizes (it skips `setup`, a fresh clone's full install, unless
`--only setup` asks for it). Every benchmark of the run names its databases, Redis keys and
scratch folders after the run id (`BENCH_RUN_ID`, default this process's pid; see
`benchmarks.common`), so two runs on one machine don't clobber each other.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("customers_list", "transition", "api_customers")  # benchmarks.pages.TARGETS

GOALS = {
    "transfer_ratio_vs_floor": "≤ 1.5",
    "transfer_ratio_vs_copy_floor": "≤ 3",
    "transfer_per_customer_ratio_20k_vs_2k": "≤ 1.1",
    "worker_peak_rss_mb": "≤ 300",
    "p50_ratio_100k_vs_10k": "≤ 1.25",
    "http_ratio_vs_bare": "≥ 0.8",
    "queries_constant": "true",
    "failures": "0",
    "p95_ms": "≤ 800",
}
ALL = "queries,http,transfer,approval,scale,sweep,load,setup"


def run(module, *args):
    print(f"▶ {module} {' '.join(args)}", file=sys.stderr, flush=True)
    proc = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{module}", *args],
        cwd=ROOT,
        text=True,
        stdout=subprocess.PIPE,
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("BENCH-RESULT ")]
    if proc.returncode != 0 or not lines:
        print(proc.stdout[-3000:], file=sys.stderr)
        return {module: {"error": f"exit code {proc.returncode}"}}
    return json.loads(lines[-1].removeprefix("BENCH-RESULT "))


def table(results):
    rows = []
    for section, values in results.items():
        if not isinstance(values, dict):
            continue
        for key, value in values.items():
            if isinstance(value, dict):
                value = ", ".join(f"{k}={v}" for k, v in value.items() if k != "tool")
            goal = next((g for name, g in GOALS.items() if key.endswith(name)), "")
            rows.append((section, key, str(value), goal))
    width = [
        max(len(r[i]) for r in rows + [("bench", "metric", "value", "goal")]) for i in range(4)
    ]
    header = ("bench", "metric", "value", "goal")
    line = "  ".join(h.ljust(w) for h, w in zip(header, width, strict=True))
    out = [line, "-" * len(line)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, width, strict=True)) for r in rows]
    return "\n".join(out)


def scale(quick: bool, http_10k: dict) -> dict:
    """Bulk jobs at two sizes (per-customer cost, worker memory) and the pages at 100,000
    customers against the same pages at 10,000 (the `http` run) and against bare views."""
    small, big = (40, 120) if quick else (2000, 20000)
    out = {}
    runs = {}
    for size in (small, big):
        got = run("scale_bench", "transfer", "--customers", str(size))
        runs[size] = got.get("scale_transfer", got)
        out[f"transfer@{size}"] = runs[size]
    if all("per_customer_ms" in r for r in runs.values()):
        out["transfer_per_customer_ratio_20k_vs_2k"] = round(
            runs[big]["per_customer_ms"] / runs[small]["per_customer_ms"], 2
        )
        out["worker_peak_rss_mb"] = max(r["worker_peak_rss_mb"] for r in runs.values())
    pages = run(
        "http_bench",
        "--customers",
        "2000" if quick else "100000",
        "--seconds",
        "3" if quick else "8",
        "--only",
        "http",
    ).get("http", {})
    for name in PAGES:
        at_big, at_10k = pages.get(f"{name}.portal"), http_10k.get(f"{name}.portal")
        if at_big and at_10k and at_10k.get("p50_ms"):
            out[f"{name}.p50_ratio_100k_vs_10k"] = round(at_big["p50_ms"] / at_10k["p50_ms"], 2)
        if f"{name}.http_ratio_vs_bare" in pages:
            out[f"{name}.http_ratio_vs_bare"] = pages[f"{name}.http_ratio_vs_bare"]
    if quick:
        out["sizes"] = "quick: transfer 40 vs 120 customers, pages 2,000 vs 500"
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default=ALL)
    parser.add_argument("--quick", action="store_true", help="small sizes, short loads")
    args = parser.parse_args()
    run_id = os.environ.setdefault("BENCH_RUN_ID", str(os.getpid()))  # the benchmarks inherit it
    print(f"benchmark run {run_id}", file=sys.stderr, flush=True)
    only = set(args.only.split(","))
    if args.quick and args.only == ALL:
        only.discard("setup")
    results = {
        "machine": {
            "python": platform.python_version(),
            "cpus": str(os.cpu_count()),
            "run_id": run_id,
            "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        },
    }
    http_args = [
        "--customers",
        "500" if args.quick else "10000",
        "--seconds",
        "3" if args.quick else "8",
    ]
    wanted = [x for x in ("http", "queries") if x in only]
    if wanted:
        results.update(run("http_bench", *http_args, "--only", ",".join(wanted)))
    if "transfer" in only:
        results.update(run("transfer_bench", "--customers", "100" if args.quick else "2000"))
    if "approval" in only:
        results.update(run("approval_bench", "--samples", "3" if args.quick else "10"))
    if "scale" in only:
        results.setdefault("scale", {}).update(scale(args.quick, results.get("http", {})))
    if "sweep" in only:
        sweep = run("scale_bench", "sweep", "--customers", "200" if args.quick else "100000")
        results.setdefault("scale", {}).update(
            {f"sweep.{k}": v for k, v in sweep.get("scale_sweep", sweep).items()}
        )
        if "scale_sweep" in sweep:
            results["scale"]["sweep_items_per_second"] = sweep["scale_sweep"][
                "sweep_items_per_second"
            ]
    if "load" in only:
        load = ["--customers", "300", "--users", "10", "--seconds", "10"] if args.quick else []
        results.update(run("load_bench", *load))
    if "setup" in only:
        results.update(run("setup_bench"))
    (ROOT / "bench-results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))
    print(f"\nwritten to {ROOT / 'bench-results.json'}")


if __name__ == "__main__":
    main()
