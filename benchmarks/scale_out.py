"""`chanwarden bench --scale-out`: the steady and raid workloads through a gateway and 1, then 2, workers.

Each (workload, worker count) runs in a fresh process of its own, back to back, on PostgreSQL + Redis; a last
run kills the gateway mid-stream to time the standby's takeover. Per worker count it reports updates per
second, the CPU seconds per 1,000 updates of the gateway and of each worker, Telegram calls against the lower
bound, members in a wrong state and effects done twice, and a model of how far N workers go (see
docs/performance.md#scale-out).

On a shared machine one run of a configuration differs from the next by up to a third, so the full bench plays every
configuration several times, 1 and 2 workers side by side in pairs (the pair's order alternating, so a drift in
the machine's load favours neither), and reports medians and the median of the pairs' ratios.
"""

import json
import multiprocessing
import statistics
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
REPEATS = 3  # pairs of runs per workload in the full bench; --quick plays one
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


def measure(quick: bool, seed: int = 7, repeats: int | None = None) -> dict:
    config = BenchConfig(sizes=QUICK if quick else SIZES, seed=seed, quick=quick)
    repeats = repeats or (1 if quick else REPEATS)
    runs: dict[str, dict[str, list[dict]]] = {str(n): {w: [] for w in WORKLOADS} for n in COUNTS}
    for repeat in range(repeats):
        for workload in WORKLOADS:
            for n in COUNTS if repeat % 2 == 0 else tuple(reversed(COUNTS)):
                runs[str(n)][workload].append(
                    spawn({"config": config.to_dict(), "workload": workload, "workers": n}))
    failover = spawn({"config": config.to_dict(), "workload": "raid", "workers": 2, "fail_over": True})
    workers = {n: _summary(by_workload) for n, by_workload in runs.items()}
    every = [r for by_workload in runs.values() for each in by_workload.values() for r in each] + [failover]
    duplicates = _total(every, "duplicate_effects")
    wrong = _total(every, "wrong_members")
    scale_out = {"workers": workers, "ratio_2_to_1": {w: pair_ratio(runs["1"][w], runs["2"][w]) for w in WORKLOADS},
                 "repeats": repeats, "failover": failover, "failover_s": failover.get("failover_s"),
                 "duplicate_effects": duplicates, "wrong_members": wrong, "model": model(workers),
                 "sizes": asdict(config.sizes)}
    return {"scale_out": scale_out, "duplicate_effects": duplicates, "wrong_members": wrong,
            "failover_s": failover.get("failover_s")}


def _total(runs: list[dict], key: str) -> int | None:
    values = [r.get(key) for r in runs]
    return None if any(v is None for v in values) else sum(values)


def median_run(each: list[dict]) -> dict:
    """The run with the median updates per second (the lower middle of an even number); a failed run, if any,
    is the one shown, so that its error is not hidden behind the others."""
    failed = [r for r in each if r.get("updates_per_s") is None]
    if failed:
        return failed[0]
    ranked = sorted(each, key=lambda r: r["updates_per_s"])
    return ranked[(len(ranked) - 1) // 2]


def median_cpu(each: list[dict]) -> dict | None:
    """Each process's median CPU seconds per 1,000 updates over the runs."""
    if any(not r.get("cpu_s_per_1k") for r in each):
        return None
    names = set().union(*(r["cpu_s_per_1k"] for r in each))
    return {name: round(statistics.median(r["cpu_s_per_1k"].get(name, 0.0) for r in each), 3)
            for name in sorted(names)}


def pair_ratio(ones: list[dict], twos: list[dict]) -> dict | None:
    """2 workers' updates per second over 1 worker's, for each pair of runs played side by side, and their
    median: only a pair shares the machine's load of the moment."""
    ratios = [round(two["updates_per_s"] / one["updates_per_s"], 3) for one, two in zip(ones, twos, strict=True)
              if one.get("updates_per_s") and two.get("updates_per_s")]
    if len(ratios) < len(ones):
        return None
    return {"median": round(statistics.median(ratios), 3), "each": ratios}


def _summary(by_workload: dict[str, list[dict]]) -> dict:
    steady, raid = median_run(by_workload["steady"]), median_run(by_workload["raid"])
    every = [r for each in by_workload.values() for r in each]
    return {
        "updates_per_s": steady.get("updates_per_s"),  # the steady workload's median, as the peers' table
        "raid_updates_per_s": raid.get("updates_per_s"),
        "steady_each": [r.get("updates_per_s") for r in by_workload["steady"]],
        "raid_each": [r.get("updates_per_s") for r in by_workload["raid"]],
        "cpu_s_per_1k": median_cpu(by_workload["steady"]),
        "raid_cpu_s_per_1k": median_cpu(by_workload["raid"]),
        "calls_vs_lower_bound": steady.get("calls_vs_lower_bound"),
        "raid_calls_vs_lower_bound": raid.get("calls_vs_lower_bound"),
        "wrong_members": _total(every, "wrong_members"),
        "duplicate_effects": _total(every, "duplicate_effects"),
        "runs": {"steady": steady, "raid": raid},  # the median runs, in full
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
    except (KeyError, TypeError, AttributeError):
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
    runs = "one run each" if s["repeats"] == 1 else f"medians of {s['repeats']} runs each"
    print(f"scale-out: gateway + N workers on PostgreSQL + Redis ({runs})")
    print(f"{'workers':>8} {'steady/s':>9} {'raid/s':>8} {'gateway cpu/1k':>15} {'workers cpu/1k':>22} "
          f"{'calls/bound':>11} {'wrong':>6} {'dup':>4}")
    for n, w in s["workers"].items():
        cpu = w.get("cpu_s_per_1k") or {}
        mine = ", ".join(f"{v:.2f}" for k, v in sorted(cpu.items()) if k.startswith("worker"))
        print(f"{n:>8} {w['updates_per_s']!s:>9} {w['raid_updates_per_s']!s:>8} {cpu.get('gateway', 0):>15.2f} "
              f"{mine:>22} {w['calls_vs_lower_bound']!s:>11} {w['wrong_members']!s:>6} {w['duplicate_effects']!s:>4}")
    for workload, ratio in s["ratio_2_to_1"].items():
        if ratio:
            print(f"{workload}: 2 workers / 1, pair by pair {ratio['each']}, median {ratio['median']}")
    print(f"standby gateway took over in {s['failover_s']} s; wrong members {s['wrong_members']}, "
          f"duplicate effects {s['duplicate_effects']}")
    if s["model"]:
        print(f"model: {json.dumps(s['model'])}")
    for n, w in s["workers"].items():
        for name, run in w["runs"].items():
            if run.get("error"):
                print(f"{n} worker(s), {name}: failed\n{run['error']}")


def command(quick: bool, as_json: bool, repeats: int | None = None) -> int:
    result = measure(quick, repeats=repeats)
    if as_json:
        print(json.dumps(result, indent=2))
    else:
        print_report(result)
    correct = result["wrong_members"] == 0 and result["duplicate_effects"] == 0
    return 0 if correct else 1


if __name__ == "__main__":
    raise SystemExit(command(quick=True, as_json=False))

