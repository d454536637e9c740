"""What reading a first-seen member's rights in the group alongside the channel check would give and cost.

    python -m benchmarks.speculative_rights services 10000

A miss that ends in a restriction takes two round trips one after the other: the channel check, then the
member's rights in the group (the bot's mute is a layer over the admins' restrictions, so it must know
them). The application does not speculate. This experiment, in its own process only, starts the group
read at the same time as the channel check for every member the log has never placed (no verdict yet)
whose channels the cache does not all know, and lets the restriction use that read; then it plays the
paced steady workload (1,000 steps a second, as `chanwarden bench` does) and prints, beside a run without
it, the misses' latency (also apart: those that read the member's rights in the group, and the others) and
the Telegram calls it costs. No read is ever wasted on a known member, and a
read that turns out not to be needed is only counted.

The speculative read is made outside the member lock; for a member with no verdict the reactor has
nothing to carry out, so it cannot be the bot's own mute it reads. That is an argument for the
experiment, not a review of a design.
"""

import asyncio
import json
import sys
from collections import Counter

from application import gate
from benchmarks.config import BenchConfig
from benchmarks.driver import Run
from benchmarks.instruments import PROBE, percentiles
from benchmarks.workloads import build
from infrastructure import event_loop

RATE = 1000.0


class SplitMisses(list):
    """The run's miss latencies, also split by whether the update read the member's rights in the group
    (read in the handler's own task, whose probe says so)."""

    def __init__(self) -> None:
        super().__init__()
        self.with_rights_read: list[float] = []
        self.without: list[float] = []

    def append(self, value: float) -> None:
        super().append(value)
        probe = PROBE.get(None)
        (self.with_rights_read if getattr(probe, "rights_read", False) else self.without).append(value)

    def clear(self) -> None:
        super().clear()
        self.with_rights_read.clear()
        self.without.clear()


def mark_rights_reads() -> None:
    group_participant = gate._group_participant

    async def _group_participant(ctx, job):
        probe = PROBE.get(None)
        if probe is not None:
            probe.rights_read = True
        return await group_participant(ctx, job)

    gate._group_participant = _group_participant


def install(counts: Counter) -> None:
    ahead: dict[tuple[int, int], asyncio.Task] = {}
    statuses, group_participant = gate._statuses, gate._group_participant

    async def _statuses(ctx, job, channels):
        if job.trigger != "message" or job.participant is not None or job.observed or job.fresh:
            return await statuses(ctx, job, channels)
        if await ctx.read_models.verdict(job.chat_id, job.member_id) is not None:
            return await statuses(ctx, job, channels)
        known = (await ctx.checker.cached(job.member_id, channels)).statuses
        key = (job.chat_id, job.member_id)
        if len(known) == len(channels) or key in ahead:
            return await statuses(ctx, job, channels)
        counts["speculative_reads"] += 1
        task = asyncio.get_running_loop().create_task(group_participant(ctx, job))
        ahead[key] = task
        try:
            return await statuses(ctx, job, channels)
        finally:
            # Kept for the restriction that may follow in this very update, then dropped.
            asyncio.get_running_loop().call_later(1.0, ahead.pop, key, None)

    async def _group_participant(ctx, job):
        task = ahead.pop((job.chat_id, job.member_id), None)
        if task is not None:
            counts["speculative_reads_used"] += 1
            return await task
        return await group_participant(ctx, job)

    gate._statuses, gate._group_participant = _statuses, _group_participant


async def measure(backend: str, messages: int, speculate: bool) -> dict:
    counts: Counter = Counter()
    mark_rights_reads()
    if speculate:
        install(counts)
    config = BenchConfig()
    config = config.scaled(messages / config.sizes.steady_messages)
    run = Run(config, backend, "chanwarden", build("steady", config.sizes, config.seed))
    run.pace = RATE
    run.misses = SplitMisses()
    await run.open()
    try:
        await run.protect()
        await run.play()
    finally:
        await run.close()
    handled = run.handled["GroupMessage"]
    calls = sum(run.telegram.calls.values())
    return {"speculate": speculate, "misses": percentiles(run.misses),
            "misses_reading_rights": percentiles(run.misses.with_rights_read),
            "other_misses": percentiles(run.misses.without), "hits_p99": percentiles(run.hits)["p99"],
            "telegram_calls_per_1k_messages": round(calls * 1000 / max(1, handled), 1),
            "group_reads_per_1k_messages": round(
                (run.telegram.calls["get_participant"] - run.telegram.channel_checks) * 1000 / max(1, handled), 1),
            "calls_vs_lower_bound": round(run.telegram.channel_checks / max(1, len(run.needed)), 3),
            **counts}


def main() -> None:
    backend = sys.argv[1] if len(sys.argv) > 1 else "services"
    messages = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    from benchmarks.main import spawn  # each variant in a fresh process: the patch stays in its own

    for speculate in (False, True):
        result = spawn({"backend": backend, "workload": "steady (paced)", "strategy": "chanwarden",
                        "config": {}, "messages": messages, "speculate": speculate}, _child)
        print(json.dumps(result), flush=True)


def _child(request: dict) -> dict:
    return event_loop.run(measure(request["backend"], request["messages"], request["speculate"]))


if __name__ == "__main__":
    main()
