"""What every Lease must do, run against each implementation by its own test module.

A subclass provides `make_lease` (a fixture: a factory giving a new lease, as a new process would hold it,
over the store named `store`; everything it made is released at teardown), `die(lease)` (the holder
vanishes without releasing, as under kill -9) and `take_away(lease)` (something outside the holder ends
its lease: a dropped connection, a replaced lock file).
"""

import asyncio
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable

from application.ports.lease import Lease

LeaseFactory = Callable[..., Awaitable[Lease]]
TAKEOVER_WITHIN = 10.0  # the promise a standby makes: it acts within 10 s of the holder's death


async def acquired_within(lease: Lease, seconds: float) -> float | None:
    """Seconds until `lease` could be taken, trying as a standby does; None if it could not be in time."""
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        if await lease.acquire():
            return time.monotonic() - began
        await asyncio.sleep(0.1)
    return None


class LeaseContract(ABC):
    @abstractmethod
    async def die(self, lease: Lease) -> None: ...

    @abstractmethod
    async def take_away(self, lease: Lease) -> None: ...

    async def test_one_holder_at_a_time(self, make_lease: LeaseFactory) -> None:
        first, second = await make_lease(), await make_lease()
        assert await first.acquire()
        assert await first.acquire()  # asking again while holding it is no harm
        assert not await second.acquire()
        assert not await second.acquire()

    async def test_a_released_lease_can_be_taken_by_another(self, make_lease: LeaseFactory) -> None:
        first, second = await make_lease(), await make_lease()
        await second.release()  # not held: harmless
        assert await first.acquire()
        await first.release()
        await first.release()
        assert await second.acquire()
        assert not await first.acquire()

    async def test_a_standby_takes_over_when_the_holder_dies(self, make_lease: LeaseFactory) -> None:
        holder, standby = await make_lease(), await make_lease()
        assert await holder.acquire()
        assert not await standby.acquire()
        await self.die(holder)
        took = await acquired_within(standby, TAKEOVER_WITHIN)
        assert took is not None and took < 2.0, took

    async def test_the_holder_learns_when_its_lease_was_taken_away(self, make_lease: LeaseFactory) -> None:
        holder, other = await make_lease(), await make_lease()
        assert await holder.acquire()
        watching = asyncio.create_task(holder.lost())
        await asyncio.sleep(0.2)
        assert not watching.done()  # nothing happened yet
        await self.take_away(holder)
        reason = await asyncio.wait_for(watching, 5.0)
        assert reason
        assert await acquired_within(other, TAKEOVER_WITHIN) is not None

    async def test_leases_of_different_stores_do_not_meet(self, make_lease: LeaseFactory) -> None:
        first, other_store = await make_lease(), await make_lease(store="other")
        assert await first.acquire()
        assert await other_store.acquire()
