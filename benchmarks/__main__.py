"""`make bench`: runs each benchmark in its own process and database, writes
bench-results.json and prints a table. Not part of `make test`.

    python -m benchmarks [--only http,queries,transfer,approval] [--quick]
"""

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOALS = {
    "transfer_ratio_vs_floor": "≤ 3",
    "http_ratio_vs_bare": "≥ 0.5",
    "queries_constant": "true",
}


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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="queries,http,transfer,approval")
    parser.add_argument("--quick", action="store_true", help="small sizes, short loads")
    args = parser.parse_args()
    only = set(args.only.split(","))
    results = {
        "machine": {
            "python": platform.python_version(),
            "cpus": str(__import__("os").cpu_count()),
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
    (ROOT / "bench-results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))
    print(f"\nwritten to {ROOT / 'bench-results.json'}")


if __name__ == "__main__":
    main()
