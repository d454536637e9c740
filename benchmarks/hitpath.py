"""Our own CPU time per decision on the hit path: a known, subscribed member writes; no simulated round trip.

Every member is verified first (their first message), so each measured message is answered from the read
models and the cache alone. CPU time is the thread's (time.thread_time_ns), so waiting for nothing is not
counted and nothing else running on the machine is either.
"""

import asyncio
import random
import time
from dataclasses import replace

from adapters.simulated_telegram.direct import to_command
from adapters.simulated_telegram.model import Sender
from benchmarks.config import BenchConfig, Sizes
from benchmarks.driver import Run
from benchmarks.instruments import percentiles
from benchmarks.workloads import Workload, make_world


async def measure(backend: str, members: int, messages: int, seed: int = 0) -> dict:
    sizes = Sizes(groups=1, channels=3, users=members, unsubscribed=0.0)
    config = replace(BenchConfig(sizes=sizes, seed=seed), rtt=0.0, jitter=0.0, concurrency=1)
    workload: Workload = make_world("hitpath", sizes, random.Random(seed))
    run = Run(config, backend, "chanwarden", workload)
    await run.open()
    try:
        await run.protect()
        group = next(iter(workload.groups))
        people = list(workload.user_groups)
        for user in people:  # first messages: each member is checked once and verified
            run.world.post(group, Sender("user", user), "text", "hi")
        await run.drain()
        calls_before = sum(run.telegram.calls.values())
        rng = random.Random(seed)
        cpu: list[float] = []
        for _ in range(messages):
            run.world.post(group, Sender("user", rng.choice(people)), "text", "again")
            updates, run.world.outbox = run.world.outbox, []
            for update in updates:
                command = to_command(update, run.world)
                if command is None:
                    continue  # the bot's own mutes and releases, which the world tells back like any change
                start = time.thread_time_ns()
                await run.gatekeeper.handle(command)
                cpu.append((time.thread_time_ns() - start) / 1e9)
        await run.drain()
        extra_calls = sum(run.telegram.calls.values()) - calls_before
    finally:
        await run.close()
    return {"backend": backend, "members": members, **percentiles(cpu), "telegram_calls": extra_calls}


def run_all(backends: tuple[str, ...], members: int, messages: int) -> list[dict]:
    return [asyncio.run(measure(backend, members, messages)) for backend in backends]
