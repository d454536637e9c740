"""One (backend, strategy, workload) run in a process of its own: fresh memory, so its peak RSS is its own.

    python -m benchmarks.worker '{"config": {...}, "backend": "embedded", "strategy": "naive", "workload": "raid"}'

Prints the run's figures as one JSON line.
"""

import gc
import json
import sys

from benchmarks.config import BenchConfig
from benchmarks.driver import Run
from benchmarks.figures import figures
from benchmarks.instruments import peak_rss_mb, rss_mb
from benchmarks.truth import converge
from benchmarks.workloads import build
from infrastructure import event_loop


async def run_one(config: BenchConfig, backend: str, strategy: str, workload: str) -> dict:
    built = build(workload, config.sizes, config.seed)
    gc.collect()
    # The simulated world stands for Telegram's servers, not for the bot's memory: out of the collector's
    # sight, so that the collector's pauses measured are the bot's own (millions of its objects would make
    # every full collection stop the loop for most of a second).
    gc.freeze()
    world_mb = rss_mb()
    run = Run(config, backend, strategy, built)
    await run.open()
    try:
        await run.protect()
        await run.play()
        result = figures(run, peak_rss_mb())
        stale, wrong = await converge(run)
    finally:
        await run.close()
    result["rss_before_app_mb"] = round(world_mb, 1)  # interpreter, libraries and the simulated world
    result["stale_at_end"] = stale
    result["wrong_after_settle"] = len(wrong)
    result["wrong_examples"] = [list(pair) for pair in wrong[:5]]
    result["correct"] = not wrong
    result["score"] = score(result)
    return result


def score(result: dict) -> float:
    """Updates per second, divided by how far above the lower bound the Telegram calls were; 0 when wrong."""
    if not result["correct"] or not result["updates_per_s"]:
        return 0.0
    return round(result["updates_per_s"] / max(1.0, result["calls_vs_lower_bound"] or 1.0), 1)


def main() -> None:
    request = json.loads(sys.argv[1])
    config = BenchConfig.from_dict(request["config"])
    result = event_loop.run(run_one(config, request["backend"], request["strategy"], request["workload"]))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
