"""Warming from participant lists and the standing directory, measured side by side in one run.

    python -m benchmarks.warm [messages_paced] [embedded|services]

1. A 100,000-member group's first hour after /protect (simulated clock, no real round trips), protected by a
   broadcast channel, then by a linked supergroup: warm (the channel's listing put into the cache at /protect,
   as application/warming.py decides) against lazy (members checked as they write). Writers follow the
   benchmarks' steady workload: Zipf-popular senders (exponent 1.1), 3 messages a second. Printed: Telegram
   calls by method (the /protect's included: warming is paid there) and the cache hit rate of members'
   messages.
2. Miss latency at 1,000 updates a second with 50 +/- 10 ms round trips (benchmarks/paced.py's run), with the
   standing directory and without it (every first mute reads the member's rights in the group first).
"""

import itertools
import json
import random
import sys
from collections import Counter
from dataclasses import replace
from typing import Any

from adapters.simulated_telegram.model import Chat, Participant, Person, Sender
from adapters.simulated_telegram.world import World
from application import warming
from application.standing_directory import StandingDirectory
from benchmarks.config import BenchConfig, Sizes
from benchmarks.driver import Run
from benchmarks.instruments import percentiles
from benchmarks.workloads import BOT_ID, POST, Workload, build
from infrastructure import event_loop

MEMBERS = 100_000
SUBSCRIBED = 0.9  # of the group's members, in the channel it requires
OUTSIDERS = 200_000  # the broadcast channel's subscribers who are not in the group
HOUR, RATE = 3_600.0, 3.0  # the first hour, messages a second in the group
GROUP, CHANNEL, ADMIN = 3_000_000, 2_000_000, 5_000_000


def first_hour(kind: str, seed: int = 7) -> Workload:
    """The group, the chat it requires (a broadcast channel or a linked supergroup) and an hour of messages."""
    rng = random.Random(f"warm:{kind}:{seed}")
    world = World(bot_id=BOT_ID)
    group = Chat(GROUP, "group", "Big group",
                 participants={ADMIN: Participant("creator"), BOT_ID: Participant("admin")})
    required = Chat(CHANNEL, "channel" if kind == "broadcast channel" else "group", "Required", username="required",
                    participants={BOT_ID: Participant("admin")})
    world.chats = {GROUP: group, CHANNEL: required}
    world.people[ADMIN] = Person(ADMIN, "Admin")
    members = list(range(1, MEMBERS + 1))
    for user in members:
        world.people[user] = Person(user, f"Member {user}")
        group.participants[user] = Participant("member")
    outsiders = list(range(MEMBERS + 1, MEMBERS + 1 + (OUTSIDERS if kind == "broadcast channel" else 0)))
    subscribers = rng.sample(members, int(MEMBERS * SUBSCRIBED)) + outsiders
    rng.shuffle(subscribers)  # in the order they subscribed: members and outsiders alike
    for user in subscribers:
        required.participants[user] = Participant("member")
    ranked = members[:]
    rng.shuffle(ranked)  # popularity is independent of id and of when one subscribed
    weights = list(itertools.accumulate(1.0 / (rank + 1) ** Sizes().zipf for rank in range(len(ranked))))
    timeline, t = [], 0.0
    for user in rng.choices(ranked, cum_weights=weights, k=int(HOUR * RATE)):
        t += rng.expovariate(RATE)
        timeline.append((t, POST, GROUP, user))
    return Workload(kind, world, {GROUP: [CHANNEL]}, {GROUP: ADMIN}, {u: [GROUP] for u in members}, timeline)


async def _not_warmed(ctx: Any, chat_id: int, channels: list[int]) -> int:
    return 0


async def hour(kind: str, warm: bool) -> dict:
    workload = first_hour(kind)
    run = Run(replace(BenchConfig(), rtt=0.0, jitter=0.0), "embedded", "chanwarden", workload)
    real_warm = warming.warm
    warming.warm = warming.warm if warm else _not_warmed
    await run.open()
    try:
        run.world.post(GROUP, Sender("user", ADMIN), "text", "/protect @required")
        await run.drain()
        setup = Counter(run.telegram.calls)
        run.forget_setup()
        await run.play()
    finally:
        warming.warm = real_warm
        await run.close()
    messages = len(run.hits) + len(run.misses)
    writers = len({user for _, _, _, user in workload.timeline})
    return {"required": kind, "mode": "warm" if warm else "lazy", "calls_at_protect": dict(sorted(setup.items())),
            "calls_in_the_hour": dict(sorted(run.telegram.calls.items())),
            "calls_total": sum(setup.values()) + sum(run.telegram.calls.values()),
            "hit_rate": round(len(run.hits) / max(1, messages), 4), "messages_decided": messages,
            "distinct_writers": writers, "writer_share": round(writers / MEMBERS, 4),
            "errors": sum(run.errors.values())}


async def paced(directory: bool, messages: int, backend: str, rate: float = 1_000.0) -> dict:
    config = BenchConfig()
    config = config.scaled(messages / config.sizes.steady_messages)
    run = Run(config, backend, "chanwarden", build("steady", config.sizes, config.seed))
    run.pace = rate
    await run.open()
    try:
        if not directory:
            ctx = run.gatekeeper.ctx
            ctx.standing = StandingDirectory(None, ctx.gateway, ctx.clock)
        await run.protect()
        await run.play()
    finally:
        await run.close()
    reads = run.telegram.calls["get_participant"] - run.telegram.channel_checks
    return {"backend": backend, "directory": directory, "miss_ms": percentiles(run.misses),
            "hit_ms": percentiles(run.hits), "misses": len(run.misses), "group_reads": reads,
            "edit_banned": run.telegram.calls["edit_banned"], "errors": sum(run.errors.values())}


async def main(messages: int, backend: str) -> None:
    for kind in ("broadcast channel", "linked supergroup"):
        for warm in (False, True):
            print(json.dumps(await hour(kind, warm)), flush=True)
    results = [await paced(directory, messages, backend) for directory in (False, True)]
    for result in results:
        print(json.dumps(result), flush=True)
    without, with_ = (r["miss_ms"] for r in results)
    print(json.dumps({"miss_p95_ratio_with_vs_without": round(with_["p95"] / without["p95"], 3)
                      if with_["p95"] and without["p95"] else None}), flush=True)


if __name__ == "__main__":
    arguments = sys.argv[1:]
    event_loop.run(main(int(arguments[0]) if arguments else 10_000, arguments[1] if len(arguments) > 1 else "embedded"))
