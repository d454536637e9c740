"""A gateway ends when it is stopped or cancelled, even when its call desk swallows the cancellation.

redis-py can swallow a cancellation that lands in a blocking read; a desk that kept reading after it kept the
gateway's serve from ever ending (the scale-out bench's failover run hung on it). The desk here is one that
always swallows, as the worst case of that.
"""

import asyncio
import contextlib

from entrypoints.gateway import Gateway
from infrastructure.settings import Settings


class SwallowingDesk:
    """Reads until its stop flag is set, swallowing every cancellation meanwhile."""

    def __init__(self) -> None:
        self.reads = 0
        self.released = False  # set by the test at its end, so a failing test does not hang the suite

    async def serve(self, stop: asyncio.Event) -> None:
        while not stop.is_set() and not self.released:
            try:
                await asyncio.sleep(0.01)  # a blocking read
                self.reads += 1
            except asyncio.CancelledError:
                pass


class HeldLease:
    async def lost(self) -> str:
        await asyncio.Event().wait()  # never lost here
        return ""


def gateway_with(desk: SwallowingDesk) -> Gateway:
    gateway = Gateway(Settings(), adapter=None)
    gateway.desk, gateway.lease = desk, HeldLease()  # type: ignore[assignment]
    return gateway


async def ended_within(serving: asyncio.Task, desk: SwallowingDesk, seconds: float = 2.0) -> bool:
    """Whether the gateway ended in time; the desk is let go afterwards either way, so nothing hangs."""
    try:
        await asyncio.wait({serving}, timeout=seconds)
        return serving.done()
    finally:
        desk.released = True
        with contextlib.suppress(asyncio.CancelledError):
            await serving


async def test_a_cancelled_gateway_ends_although_its_desk_swallows_the_cancellation() -> None:
    desk = SwallowingDesk()
    serving = asyncio.get_running_loop().create_task(gateway_with(desk).serve(asyncio.Event()))
    await asyncio.sleep(0.05)
    assert desk.reads > 0
    serving.cancel()
    assert await ended_within(serving, desk)


async def test_a_stopped_gateway_ends_and_its_desk_with_it() -> None:
    desk = SwallowingDesk()
    stop = asyncio.Event()
    serving = asyncio.get_running_loop().create_task(gateway_with(desk).serve(stop))
    await asyncio.sleep(0.05)
    stop.set()
    assert await ended_within(serving, desk)
    reads = desk.reads
    await asyncio.sleep(0.05)
    assert desk.reads == reads  # the desk read no more once the gateway ended
