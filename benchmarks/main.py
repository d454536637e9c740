"""Runs the whole benchmark: every workload x backend x strategy, each in a fresh process, then the extras.

Strategies of one workload and backend run back to back, so they see the machine in the same state.
"""

import asyncio
import json
import multiprocessing
import os
import platform
import traceback
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import appendrate, hitpath, paced, worker
from benchmarks.config import QUICK, BenchConfig, Sizes
from infrastructure import event_loop

WORKER_TIMEOUT = 1800


def make_config(quick: bool, scale: float, rtt_ms: float, jitter_ms: float, concurrency: int, seed: int,
                backends: str, strategies: str, workloads: str,
                paced_rate: float = BenchConfig.paced_rate) -> BenchConfig:
    config = BenchConfig(
        sizes=QUICK if quick else Sizes(), rtt=rtt_ms / 1000, jitter=jitter_ms / 1000, concurrency=concurrency,
        seed=seed, backends=_names(backends), strategies=_names(strategies), workloads=_names(workloads), quick=quick,
        paced_rate=paced_rate,
    )
    return config.scaled(scale) if scale != 1.0 else config


def _names(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(",") if name.strip())


def spawn(request: dict, child: Any = None) -> dict:
    """One run in a child process forked from this one: the libraries are imported already, while its memory,
    event loop and peak RSS are its own. A crash becomes an error entry instead of ending the benchmark."""
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        try:
            return pool.submit(child or _child, request).result(timeout=WORKER_TIMEOUT)
        except Exception as error:  # reported in the table and the JSON, and fails the correctness check
            return {"backend": request["backend"], "workload": request["workload"],
                    "strategy": request["strategy"], "correct": False, "score": 0.0,
                    "error": "".join(traceback.format_exception(error))[-3000:]}


def _child(request: dict) -> dict:
    config = BenchConfig.from_dict(request["config"])
    return event_loop.run(worker.run_one(config, request["backend"], request["strategy"], request["workload"]))


def _paced_child(request: dict) -> dict:
    config = BenchConfig.from_dict(request["config"])
    messages = config.sizes.steady_messages if config.quick else paced.MESSAGES
    return event_loop.run(paced.measure(config, request["backend"], config.paced_rate, messages))


def run(config: BenchConfig, progress: Any = None) -> dict:
    started = datetime.now(UTC)
    host = machine()
    runs = []
    for workload in config.workloads:
        for backend in config.backends:
            for strategy in config.strategies:
                if progress:
                    progress(f"{workload} / {backend} / {strategy}")
                runs.append(spawn({"config": config.to_dict(), "backend": backend, "strategy": strategy,
                                   "workload": workload}))
    if progress:
        progress("event-store append rate and hit-path CPU time")
    batches = 30 if config.quick else 300
    append = asyncio.run(appendrate.measure(batches, config.seed, "services" in config.backends))
    members, messages = (500, 3_000) if config.quick else (5_000, 30_000)
    hit = hitpath.run_all(config.backends, members, messages)
    at_load = []
    if config.paced_rate > 0:
        if progress:
            progress(f"decision latency at {config.paced_rate:,.0f} steps/s")
        at_load = [spawn({"config": config.to_dict(), "backend": backend, "strategy": "chanwarden",
                          "workload": "steady (paced)"}, _paced_child) for backend in config.backends]
    samples = {}
    for result in runs:
        result["append_per_s"] = append
        samples[(result["workload"], result["backend"], result["strategy"])] = result.pop("samples", None)
    host["loadavg_1m_at_end"] = round(os.getloadavg()[0], 2)
    return {
        "_samples": samples,  # raw latencies for the plot; not part of the JSON report
        "config": config.to_dict(),
        "machine": host,
        "started": started.isoformat(timespec="seconds"),
        "runs": runs,
        "append_per_s": append,
        "hit_path_cpu_ms": hit,
        "latency_at_load": at_load,
        "summary": summary(runs),
    }


def summary(runs: list[dict]) -> dict:
    """Per strategy, the median over workloads and backends of the headline figures, and the totals."""
    out: dict[str, dict] = {}
    for strategy in dict.fromkeys(r["strategy"] for r in runs):
        mine = [r for r in runs if r["strategy"] == strategy]
        out[strategy] = {
            "correct": all(r.get("correct") for r in mine),
            "api_calls_total": sum(r.get("api_calls_total", 0) for r in mine),
            "median_calls_vs_lower_bound": _median([r.get("calls_vs_lower_bound") for r in mine]),
            "median_updates_per_s": _median([r.get("updates_per_s") for r in mine]),
            "median_hit_rate": _median([r.get("hit_rate") for r in mine]),
            "score": round(sum(r.get("score", 0.0) for r in mine), 1),
        }
    return out


def _median(values: list[float | None]) -> float | None:
    present = sorted(v for v in values if v is not None)
    if not present:
        return None
    middle = len(present) // 2
    return present[middle] if len(present) % 2 else round((present[middle - 1] + present[middle]) / 2, 3)


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next((line.split()[1] for line in _read("/proc/meminfo").splitlines() if line.startswith("MemTotal")), "0")
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gb": round(int(mem) / 2**20, 1),
            "python": platform.python_version(), "platform": platform.platform(), "event_loop": event_loop.name(),
            "loadavg_1m_at_start": round(os.getloadavg()[0], 2)}  # anything else running skews every timing


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def command(quick: bool, as_json: bool, plot_path: Path | None, **knobs: Any) -> int:
    """`chanwarden bench`: run, print the table (or JSON), draw the plot; 1 if any strategy was wrong."""
    from rich.console import Console

    from benchmarks import report as show

    console = Console(stderr=as_json)
    config = make_config(quick, **knobs)
    result = run(config, progress=lambda step: console.print(f"[dim]running {step}[/dim]"))
    samples = result.pop("_samples")
    if plot_path is not None:
        show.plot(result, samples, plot_path)
    if as_json:
        print(json.dumps(result, indent=2))
    else:
        show.show(console, result)
    return 0 if all(s["correct"] for s in result["summary"].values()) else 1
