"""A drain waits for every loop to finish, but not for the pauses a busy loop takes between its passes."""

import asyncio

from application.pump import _Loop


async def test_a_drained_loop_runs_its_remaining_passes_without_pausing() -> None:
    passes: list[int] = []
    loop_ref: list[_Loop] = []

    async def one_pass() -> None:
        passes.append(len(passes))
        if len(passes) < 3:  # each pass records something, which pokes the loop again
            loop_ref[0].poke()
        await asyncio.sleep(0)

    loop = _Loop("busy", one_pass, pause=60.0)
    loop_ref.append(loop)
    loop.poke()
    await asyncio.sleep(0.05)  # the first pass is done and the loop pauses before the second
    assert passes == [0] and loop.running
    loop.hurry(True)
    try:
        await asyncio.wait_for(loop.wait(), 5)
    finally:
        loop.hurry(False)
    assert passes == [0, 1, 2]


async def test_without_a_drain_a_busy_loop_still_pauses_between_passes() -> None:
    passes: list[float] = []
    loop_ref: list[_Loop] = []

    async def one_pass() -> None:
        passes.append(asyncio.get_running_loop().time())
        if len(passes) < 2:
            loop_ref[0].poke()

    loop = _Loop("busy", one_pass, pause=0.2)
    loop_ref.append(loop)
    loop.poke()
    await loop.wait()  # a plain wait is not a drain: the pause is kept
    assert len(passes) == 2 and passes[1] - passes[0] >= 0.19
