"""Where one run's wall time goes: cumulative time and calls per stage of the application.

    python -m benchmarks.stages services chanwarden steady 0.15

A profiler samples CPU; most of a run is waiting (on Telegram's round trips, on the event store), so this
times the stages themselves by wrapping their methods in this process only. Stages overlap (a reactor
pass contains repository loads), so the figures do not add up to the wall time.
"""

import gc
import sys
import time
from collections import Counter

from application.projector import Projector
from application.reactor import Reactor
from application.repository import Repository
from benchmarks.config import BenchConfig
from benchmarks.driver import Run
from benchmarks.workloads import build
from infrastructure import event_loop

STAGES = [(Projector, "catch_up"), (Reactor, "catch_up"), (Reactor, "_carry_out"), (Repository, "get"),
          (Repository, "save")]
calls: Counter[str] = Counter()
seconds: Counter[str] = Counter()


def _timed(owner: type, name: str) -> None:
    original = getattr(owner, name)
    label = f"{owner.__name__}.{name}"

    async def timed(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return await original(self, *args, **kwargs)
        finally:
            calls[label] += 1
            seconds[label] += time.perf_counter() - start

    setattr(owner, name, timed)


async def main(backend: str, strategy: str, workload: str, scale: float) -> None:
    for owner, name in STAGES:
        _timed(owner, name)
    config = BenchConfig().scaled(scale)
    built = build(workload, config.sizes, config.seed)
    gc.collect()
    gc.freeze()  # as the benchmark's worker does: the simulated world is not the bot's memory
    run = Run(config, backend, strategy, built)
    await run.open()
    try:
        await run.protect()
        calls.clear()
        seconds.clear()
        cpu = time.process_time()
        await run.play()
        cpu = time.process_time() - cpu
    finally:
        await run.close()
    print(f"wall {run.wall:.2f}s, cpu {cpu:.2f}s, handlers answered after {run.handlers_wall:.2f}s, "
          f"{sum(run.handled.values())} updates, {run.handled['GroupMessage']} messages")
    for label in sorted(calls, key=lambda k: -seconds[k]):
        mean_ms = 1000 * seconds[label] / calls[label]
        print(f"{label:22s} {calls[label]:7d} calls {seconds[label]:9.2f}s  {mean_ms:8.2f} ms each")
    print("Telegram calls:", dict(run.telegram.calls))


if __name__ == "__main__":
    event_loop.run(main(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]) if len(sys.argv) > 4 else 0.15))
