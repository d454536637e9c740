"""`chanwarden bench --peers nezuko`: real peer bots and chanwarden on the same seeded workloads, side by side.

Each workload is played in real time at `rate` timeline steps a second, scaled down (PEER_SIZES) to what a bot
behind python-telegram-bot's rate limiter can follow: Nezuko's allows about 25 calls/s overall and 20 calls a
minute per chat (reads included), so its backlog and latency are reported, not only its throughput.
chanwarden plays the same workload at the same rate on its services backend (PostgreSQL, Redis, a follower), in
a forked process at the same time; the peer plays through the local Bot API server. The same judge
(benchmarks.truth) counts wrong members for both, at the end and after the settle step.
"""

import asyncio
import gc
import multiprocessing
import traceback
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from benchmarks.config import BenchConfig, Sizes
from benchmarks.driver import Run
from benchmarks.figures import figures
from benchmarks.instruments import peak_rss_mb, percentiles
from benchmarks.peers.bot_process import bot_for
from benchmarks.peers.cases import play_cases
from benchmarks.peers.nezuko_env import NezukoUnavailable, ensure
from benchmarks.peers.peer_run import PeerRun
from benchmarks.truth import converge
from benchmarks.workloads import build
from infrastructure import event_loop

PEER_SIZES = Sizes(groups=6, channels=8, users=400, steady_messages=150, change_every=20, raid_joins=20,
                   raid_seconds=60.0, raid_messages=30, churn_updates=150)
RATE = 1.0  # timeline steps a second; the busiest group then gets about 20 messages a minute
QUICK_SIZES = Sizes(groups=3, channels=4, users=60, steady_messages=20, change_every=10, raid_joins=6,
                    raid_seconds=10.0, raid_messages=6, churn_updates=20)


def peer_config(config: BenchConfig, quick: bool) -> BenchConfig:
    return replace(config, sizes=QUICK_SIZES if quick else PEER_SIZES, strategies=("chanwarden",),
                   backends=("services",), quick=quick)


async def play_peer(peer: str, config: BenchConfig, workload: str, rate: float) -> dict:
    built = build(workload, config.sizes, config.seed)
    run = PeerRun(bot_for(peer), built, rate, config.rtt, config.jitter, config.seed)
    result: dict[str, Any] = {"backend": "botapi", "workload": workload, "strategy": peer}
    try:
        await run.open()
        await run.play()
        result.update(run.figures())
        stale, wrong = await run.converge()
        result.update(stale_at_end=stale, wrong_after_settle=len(wrong), wrong_examples=[list(p) for p in wrong[:5]],
                      correct=not wrong)
    except NezukoUnavailable:
        raise  # this machine cannot run the peer at all: one clear line, not an entry per run
    except Exception as error:  # the peer crashed or never started: an entry that says so, and the run goes on
        result.update(correct=False, error="".join(traceback.format_exception_only(error)).strip()[-600:],
                      log_tail=run.bot.tail())
    finally:
        await run.close()
    return result


async def play_chanwarden(config: BenchConfig, workload: str, rate: float) -> dict:
    built = build(workload, config.sizes, config.seed)
    gc.collect()
    run = Run(config, "services", "chanwarden", built)
    run.pace = rate
    await run.open()
    try:
        await run.protect()
        # The /protect commands were handled as group messages: not part of the workload (the peer's are seeded).
        run.handled.clear()
        run.hits.clear()
        run.misses.clear()
        await run.play()
        result = figures(run, peak_rss_mb())
        stale, wrong = await converge(run)
    finally:
        await run.close()
    result.pop("samples", None)
    muted = len(run.telegram.first_mute)
    sent = run.telegram.calls["send_message"]
    result.update(
        stale_at_end=stale, wrong_after_settle=len(wrong), wrong_examples=[list(p) for p in wrong[:5]],
        correct=not wrong, offered_per_s=rate,
        decision_latency_ms=percentiles(run.hits + run.misses), verify_answer_ms=percentiles(run.verify_waits),
        muted_members=muted, messages_posted=sent, posted_per_muted=round(sent / muted, 2) if muted else None,
        all_calls_vs_lower_bound=(round(result["api_calls_total"] / result["lower_bound_calls"], 3)
                                  if result["lower_bound_calls"] else None),
        api_calls_per_1k=result["api_calls_per_1k"]["total"],
    )
    return result


def _chanwarden_child(request: dict) -> dict:
    config = BenchConfig.from_dict(request["config"])
    return event_loop.run(play_chanwarden(config, request["workload"], request["rate"]))


def run(config: BenchConfig, peers: tuple[str, ...], rate: float, cases: bool, progress: Any = print) -> dict:
    from benchmarks.main import machine

    started = datetime.now(UTC)
    host = machine()
    runs = []
    context = multiprocessing.get_context("fork")
    for workload in config.workloads:
        for peer in peers:
            progress(f"{workload}: chanwarden and {peer} at {rate:g} steps/s")
            with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
                ours = pool.submit(_chanwarden_child, {"config": config.to_dict(), "workload": workload,
                                                       "rate": rate})
                theirs = asyncio.run(play_peer(peer, config, workload, rate))
                try:
                    runs.append(ours.result(timeout=1800))
                except Exception as error:
                    runs.append({"backend": "services", "workload": workload, "strategy": "chanwarden",
                                 "correct": False, "error": "".join(traceback.format_exception_only(error))})
            runs.append(theirs)
            for r in runs[-2:]:  # one line a run as it ends, so a long run shows its figures as it goes
                progress(f"{r['workload']} / {r['strategy']}: wrong at end {r.get('stale_at_end')}, after settle "
                         f"{r.get('wrong_after_settle')}, calls/1k {r.get('api_calls_per_1k')}, decision ms "
                         f"{r.get('decision_latency_ms')}, error {r.get('error', '-')[:80]}")
    found_cases = {}
    if cases:
        for peer in peers:
            progress(f"the cases of docs/peers.md: chanwarden and {peer}")
            found_cases[peer] = asyncio.run(play_cases(peer, progress))
    return {"config": config.to_dict(), "rate": rate, "machine": host, "started": started.isoformat(timespec="seconds"),
            "runs": runs, "cases": found_cases}


def command(quick: bool, as_json: bool, plot_path: Any, peers: str, rate: float, config: BenchConfig,
            cases: bool = True) -> int:
    import json

    from rich.console import Console

    from benchmarks.peers import report as show

    console = Console(stderr=as_json)
    names = tuple(p.strip() for p in peers.split(",") if p.strip())
    try:
        if "nezuko" in names:  # built (once) or found before anything runs, so a missing Python 3.13 is one line
            ensure(progress=lambda step: console.print(f"[dim]{step}[/dim]"))
        result = run(peer_config(config, quick), names, rate, cases,
                     progress=lambda step: console.print(f"[dim]running {step}[/dim]"))
    except NezukoUnavailable as problem:
        console.print(f"[red]{problem}[/red]", highlight=False, soft_wrap=True)
        return 2
    if plot_path is not None:
        show.plot(result, plot_path)
    if as_json:
        print(json.dumps(result, indent=2, default=str))
    else:
        show.show(console, result)
    return 0
