"""Decision latency at a given load: the steady workload offered at a fixed rate instead of as fast as possible.

The throughput runs keep hundreds of updates in flight on a saturated process, so their latencies are mostly
queueing and grow with the number in flight. Here the same application (chanwarden strategy) gets the
steady workload at `rate` timeline steps a second, below what it sustains, and the latencies are what a
member would see at that load: hits, misses and Verify presses, with the real 50 ms round trips.
"""

from benchmarks.config import BenchConfig
from benchmarks.driver import Run
from benchmarks.instruments import percentiles
from benchmarks.workloads import build

MESSAGES = 10_000


async def measure(config: BenchConfig, backend: str, rate: float, messages: int) -> dict:
    scale = messages / config.sizes.steady_messages
    config = config.scaled(scale) if scale < 1 else config
    run = Run(config, backend, "chanwarden", build("steady", config.sizes, config.seed))
    run.pace = rate
    await run.open()
    try:
        await run.protect()
        await run.play()
    finally:
        await run.close()
    steps = len(run.w.timeline)
    return {
        "backend": backend,
        "offered_per_s": rate,
        "achieved_per_s": round(steps / run.handlers_wall, 1) if run.handlers_wall else None,
        "updates": sum(run.handled.values()),
        "errors": sum(run.errors.values()),
        "latency_ms": {"hit": percentiles(run.hits), "miss": percentiles(run.misses),
                       "verify": percentiles(run.verify_waits)},
    }
