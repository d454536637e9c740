"""The benchmark's figures are the workload's: the admins' /protect commands before it are not counted."""

from benchmarks.config import QUICK, BenchConfig
from benchmarks.driver import Run
from benchmarks.workloads import build


async def test_the_protect_commands_of_the_setup_leave_no_latency_or_update_counted() -> None:
    config = BenchConfig(sizes=QUICK, quick=True)
    workload = build("steady", config.sizes, config.seed)
    run = Run(config, "embedded", "chanwarden", workload)
    await run.open()
    try:
        await run.protect()
        assert run.handled["GroupMessage"] == 0 and not run.misses and not run.hits
        assert not run.telegram.calls
        await run.play()
    finally:
        await run.close()
    # The workload itself is counted: every message handled is a hit or a miss.
    assert run.handled["GroupMessage"] == len(run.hits) + len(run.misses) > 0
