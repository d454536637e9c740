"""`chanwarden bench --scale-out`: the steady and raid workloads through a gateway and 1, then 2, workers.

Each (workload, worker count) runs in a fresh process of its own, back to back, on PostgreSQL + Redis; a last
run kills the gateway mid-stream to time the standby's takeover. Per worker count it reports updates per
second, the CPU seconds per 1,000 updates of the gateway and of each worker, Telegram calls against the lower
bound, members in a wrong state and effects done twice, and a model of how far N workers go (see
docs/performance.md#scale-out).
"""

import json
import multiprocessing
import traceback
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, replace

from benchmarks.config import QUICK, BenchConfig, Sizes
from benchmarks.figures import figures
from benchmarks.scale_out_run import ScaleOutRun
from benchmarks.truth import converge
from benchmarks.workloads import build
from infrastructure import event_loop

SIZES = replace(Sizes(), users=20_000, groups=60, steady_messages=16_000, raid_joins=2_000, raid_messages=1_000)
WORKLOADS = ("steady", "raid")
COUNTS = (1, 2)
RUN_TIMEOUT = 900


async def one_run(config: BenchConfig, workload: str, workers: int, fail_over: bool = False) -> dict:
    built = build(workload, config.sizes, config.seed)
    run = ScaleOutRun(config, built, workers)
    await run.open()
    try:
        await run.protect()
        faults = {}
        if fail_over:
            async def kill_gateway() -> None:
                await run.kill_gateway_and_fail_over()

            faults[len(built.timeline) // 2] = kill_gateway
        await run.play(faults)
        found = figures(run, 0.0)
        updates = max(1, found["updates"])
        stale, wrong = await converge(run)
        duplicates = run.duplicate_effects()
    finally:
        await run.close()
    return {
        "workload": workload,
        "workers": workers,
        "updates": found["updates"],
        "updates_per_s": found["updates_per_s"],
        "wall_s": found["wall_s"],
        "cpu_s_per_1k": {name: round(seconds * 1000 / updates, 3) for name, seconds in run.cpu.items()},
        "api_calls_total": found["api_calls_total"],
        "lower_bound_calls": found["lower_bound_calls"],
        "calls_vs_lower_bound": found["calls_vs_lower_bound"],
        "errors": found["errors"],
        "wrong_members": len(wrong),
        "stale_at_end": stale,
        "duplicate_effects": sum(duplicates.values()),
        "duplicates": duplicates,
        "failover_s": round(run.failover_s, 3) if run.failover_s is not None else None,
    }


def _child(request: dict) -> dict:
    config = BenchConfig.from_dict(request["config"])
    return event_loop.run(one_run(config, request["workload"], request["workers"], request.get("fail_over", False)))


def spawn(request: dict) -> dict:
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        try:
            return pool.submit(_child, request).result(timeout=RUN_TIMEOUT)
        except Exception as error:  # reported, and counted as wrong: a run that failed proves nothing
            return {"workload": request["workload"], "workers": request["workers"], "updates_per_s": None,
                    "wrong_members": None, "duplicate_effects": None,
                    "error": "".join(traceback.format_exception(error))[-3000:]}


def measure(quick: bool, seed: int = 7) -> dict:
    config = BenchConfig(sizes=QUICK if quick else SIZES, seed=seed, quick=quick)
    runs = {str(n): {w: spawn({"config": config.to_dict(), "workload": w, "workers": n}) for w in WORKLOADS}
            for n in COUNTS}
    failover = spawn({"config": config.to_dict(), "workload": "raid", "workers": 2, "fail_over": True})
    workers = {n: _summary(by_workload) for n, by_workload in runs.items()}
    every = [r for by_workload in runs.values() for r in by_workload.values()] + [failover]
    duplicates = _total(every, "duplicate_effects")
    wrong = _total(every, "wrong_members")
    scale_out = {"workers": workers, "failover": failover, "failover_s": failover.get("failover_s"),
                 "duplicate_effects": duplicates, "wrong_members": wrong, "model": model(workers),
                 "sizes": asdict(config.sizes)}
    return {"scale_out": scale_out, "duplicate_effects": duplicates, "wrong_members": wrong,
            "failover_s": failover.get("failover_s")}


def _total(runs: list[dict], key: str) -> int | None:
    values = [r.get(key) for r in runs]
    return None if any(v is None for v in values) else sum(values)


def _summary(by_workload: dict[str, dict]) -> dict:
    steady = by_workload["steady"]
    return {
        "updates_per_s": steady.get("updates_per_s"),  # the steady workload's, as the peers' table
        "raid_updates_per_s": by_workload["raid"].get("updates_per_s"),
        "cpu_s_per_1k": steady.get("cpu_s_per_1k"),
        "raid_cpu_s_per_1k": by_workload["raid"].get("cpu_s_per_1k"),
        "calls_vs_lower_bound": steady.get("calls_vs_lower_bound"),
        "raid_calls_vs_lower_bound": by_workload["raid"].get("calls_vs_lower_bound"),
        "wrong_members": _total(list(by_workload.values()), "wrong_members"),
        "duplicate_effects": _total(list(by_workload.values()), "duplicate_effects"),
        "runs": by_workload,
    }


def model(workers: dict[str, dict]) -> dict | None:
    """How far N workers go, from the CPU each process spent per 1,000 steady updates.

    A worker's cost per update has a part every worker pays for every update (following the whole log: its
    read models and its reactor read every event) and a part only the owner of the update's partition pays
    (deciding it, carrying it out). With 1 worker, w1 = fixed + shared; with 2, each worker spends
    fixed + shared / 2, so fixed = (w2a + w2b) - w1. With a core per process, N workers are held to
    1000 / max(gateway, fixed + shared / N) updates a second: the gateway, one process, is the ceiling.
    """
    try:
        one = workers["1"]["cpu_s_per_1k"]
        two = workers["2"]["cpu_s_per_1k"]
        w1 = sum(v for k, v in one.items() if k.startswith("worker"))
        w2 = sum(v for k, v in two.items() if k.startswith("worker"))
        gateway = (one["gateway"] + two["gateway"]) / 2
    except (KeyError, TypeError):
        return None
    fixed = max(0.0, w2 - w1)
    shared = max(0.0, w1 - fixed)

    def ceiling(n: int) -> float:
        return round(1000 / max(gateway, fixed + shared / n, 1e-9), 1)

    return {"gateway_cpu_s_per_1k": round(gateway, 3), "worker_fixed_cpu_s_per_1k": round(fixed, 3),
            "worker_owned_cpu_s_per_1k": round(shared, 3),
            "ceiling_updates_per_s": {str(n): ceiling(n) for n in (1, 2, 4, 8, 16)}}


def print_report(result: dict) -> None:
    s = result["scale_out"]
    print("scale-out: gateway + N workers on PostgreSQL + Redis (one run)")
    print(f"{'workers':>8} {'steady/s':>9} {'raid/s':>8} {'gateway cpu/1k':>15} {'workers cpu/1k':>22} "
          f"{'calls/bound':>11} {'wrong':>6} {'dup':>4}")
    for n, w in s["workers"].items():
        cpu = w.get("cpu_s_per_1k") or {}
        mine = ", ".join(f"{v:.2f}" for k, v in sorted(cpu.items()) if k.startswith("worker"))
        print(f"{n:>8} {w['updates_per_s']!s:>9} {w['raid_updates_per_s']!s:>8} {cpu.get('gateway', 0):>15.2f} "
              f"{mine:>22} {w['calls_vs_lower_bound']!s:>11} {w['wrong_members']!s:>6} {w['duplicate_effects']!s:>4}")
    print(f"standby gateway took over in {s['failover_s']} s; wrong members {s['wrong_members']}, "
          f"duplicate effects {s['duplicate_effects']}")
    if s["model"]:
        print(f"model: {json.dumps(s['model'])}")
    for n, w in s["workers"].items():
        for name, run in w["runs"].items():
            if run.get("error"):
                print(f"{n} worker(s), {name}: failed\n{run['error']}")


def command(quick: bool, as_json: bool) -> int:
    result = measure(quick)
    if as_json:
        print(json.dumps(result, indent=2))
    else:
        print_report(result)
    correct = result["wrong_members"] == 0 and result["duplicate_effects"] == 0
    return 0 if correct else 1


if __name__ == "__main__":
    raise SystemExit(command(quick=True, as_json=False))

