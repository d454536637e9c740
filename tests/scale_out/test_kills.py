"""A worker killed (SIGKILL) mid-raid and the gateway killed mid-stream: nothing lost, nothing done twice.

Two `chanwarden worker` processes on PostgreSQL + Redis, a gateway in this process with the simulated
Telegram. Partway through a raid one worker is killed with SIGKILL; the other takes its partitions over when
their leases run out. Later the gateway dies at once (its calls in flight cut off, its PostgreSQL session
ended) and a standby takes the lease and the pending calls over. At the end every member the bot had a
reason to decide about must be in the right state, every update on the bus acknowledged, and no restriction
written twice nor any member left with two warnings. Longer variants: `chanwarden bench --scale-out`.
"""

import asyncio

from benchmarks.config import QUICK, BenchConfig
from benchmarks.scale_out_run import ScaleOutRun
from benchmarks.truth import converge
from benchmarks.workloads import build


async def test_killed_worker_and_gateway_lose_nothing_and_repeat_nothing(redis_up) -> None:
    config = BenchConfig(sizes=QUICK)
    workload = build("raid", config.sizes, config.seed)
    run = ScaleOutRun(config, workload, workers=2)
    await run.open()
    try:
        await run.protect()
        steps = len(workload.timeline)
        killed: list[int] = []

        async def kill_worker() -> None:
            await asyncio.sleep(0.5)  # the raid's first decisions are under way in both workers
            run.kill_worker(0)
            killed.append(run.procs[0].pid)

        async def kill_gateway() -> None:
            print(f"standby gateway took over in {await run.kill_gateway_and_fail_over():.2f} s")

        await run.play({steps * 2 // 5: kill_worker, steps * 7 // 10: kill_gateway})
        assert run.procs[0].returncode is not None and killed
        stale, wrong = await converge(run)
        duplicates = run.duplicate_effects()
        print(f"killed worker {killed[0]}; takeover {run.failover_s:.2f} s; wrong at end {stale}; "
              f"duplicates {duplicates}")
        assert wrong == [] and stale == 0
        assert duplicates == {"restrictions_written_twice": 0, "members_with_two_warnings": 0}
        assert await run.bus.pending() == 0  # every update acknowledged: none lost on the bus
        assert run.failover_s is not None and run.failover_s < 10
        assert all(workload.world.can_write(workload.raid_group, r) is False for r in workload.raiders_to_mute
                   if workload.world.chat(workload.raid_group).status_of(r).inside)
    finally:
        await run.close()
