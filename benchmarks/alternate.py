"""Two checkouts side by side on the services backend, in alternating runs, so a busy machine hurts both alike.

    python -m benchmarks.alternate ../chanwarden-before . --runs 3 --scale 0.5

Each run, in the checkout's own virtualenv: the steady workload on PostgreSQL + Redis with the lru5 and
chanwarden strategies back to back, which one first alternating from run to run (updates a second, and
their ratio: target chanwarden >= lru5), then the paced latency run (steady offered at 1,000 steps a
second, 10,000 messages: miss p95, target one round trip + 10 ms). Prints every run and then each
checkout's medians.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

# Run inside each checkout with its own code: only what both the older and the newer benchmark have.
CHILD = """
import json, resource, sys
from benchmarks import main as m
scale, rate, lru5_first = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3] == "1"
config = m.make_config(False, scale, 50, 10, 256, m.BenchConfig().seed, "services", "lru5,chanwarden", "steady",
                       paced_rate=rate)
out = {}
for strategy in ("lru5", "chanwarden") if lru5_first else ("chanwarden", "lru5"):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = m.spawn({"config": config.to_dict(), "backend": "services", "strategy": strategy, "workload": "steady"})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    out[strategy] = {k: r.get(k) for k in ("updates_per_s", "calls_vs_lower_bound", "correct", "error")}
    # The run's process and its projections follower, world building included: less moved by a busy machine
    # than the wall time.
    out[strategy]["cpu_s"] = round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 2)
full = m.make_config(False, 1.0, 50, 10, 256, m.BenchConfig().seed, "services", "chanwarden", "steady",
                     paced_rate=rate)
p = m.spawn({"config": full.to_dict(), "backend": "services", "strategy": "chanwarden",
             "workload": "steady (paced)"}, m._paced_child)
out["paced"] = {k: p.get(k) for k in ("achieved_per_s", "errors", "latency_ms", "error")}
print(json.dumps(out))
"""


def one(checkout: Path, scale: float, rate: float, lru5_first: bool) -> dict:
    python = checkout / ".venv" / "bin" / "python"
    # Nothing written into the checkouts: one of them may be another's work tree.
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run([str(python), "-c", CHILD, str(scale), str(rate), "1" if lru5_first else "0"],
                          cwd=checkout, capture_output=True, text=True, timeout=1800, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"{checkout}: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def row(name: str, r: dict) -> dict:
    failed = [f"{part}: {r[part]['error'][-300:]}" for part in ("lru5", "chanwarden", "paced") if r[part].get("error")]
    if failed:
        return {"checkout": name, "error": " | ".join(failed)}
    lru5, ours = r["lru5"]["updates_per_s"] or 0, r["chanwarden"]["updates_per_s"] or 0
    miss = r["paced"]["latency_ms"]["miss"]
    return {"checkout": name, "lru5_upd_s": lru5, "chanwarden_upd_s": ours,
            "ratio": round(ours / lru5, 3) if lru5 else None,
            "lru5_cpu_s": r["lru5"]["cpu_s"], "chanwarden_cpu_s": r["chanwarden"]["cpu_s"],
            "calls_vs_lb": r["chanwarden"]["calls_vs_lower_bound"],
            "correct": bool(r["lru5"]["correct"] and r["chanwarden"]["correct"]),
            "paced_achieved": r["paced"]["achieved_per_s"],
            "miss_p50": miss["p50"], "miss_p95": miss["p95"], "miss_p99": miss["p99"],
            "hit_p99": r["paced"]["latency_ms"]["hit"]["p99"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkouts", nargs="+", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scale", type=float, default=0.5)
    parser.add_argument("--paced-rate", type=float, default=1000.0)
    parser.add_argument("--json", action="store_true", help="one JSON object per run, then the medians")
    args = parser.parse_args()
    rows = []
    for run in range(1, args.runs + 1):
        for checkout in args.checkouts:
            # The strategies' order alternates too: the second run of a pair meets the first one's leftovers
            # (a database being dropped, autovacuum), so neither strategy always comes second.
            r = row(str(checkout), one(checkout.resolve(), args.scale, args.paced_rate, lru5_first=run % 2 == 1))
            r["run"] = run
            if "error" not in r:  # a failed run is printed, and left out of the medians
                rows.append(r)
            print(json.dumps(r) if args.json else _line(r), flush=True)
    print("medians:" if not args.json else "", file=sys.stdout)
    for checkout in args.checkouts:
        mine = [r for r in rows if r["checkout"] == str(checkout)]
        if not mine:
            continue
        medians = {k: statistics.median(r[k] for r in mine) for k in
                   ("lru5_upd_s", "chanwarden_upd_s", "ratio", "lru5_cpu_s", "chanwarden_cpu_s", "calls_vs_lb",
                    "miss_p50", "miss_p95", "miss_p99")}
        medians["checkout"] = str(checkout)
        medians["all_correct"] = all(r["correct"] for r in mine)
        print(json.dumps(medians) if args.json else _line(medians), flush=True)


def _line(r: dict) -> str:
    return "  ".join(f"{k}={v}" for k, v in r.items())


if __name__ == "__main__":
    main()
