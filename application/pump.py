"""Runs the projectors and the reactor after every recording, each in a loop of its own.

The loops are independent so that nothing waits on anything slower than itself: the reactor spends its
passes on Telegram round trips, while the local read models must follow the log within milliseconds,
and a shared read model whose server is away must stop neither.
"""

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import Awaitable, Callable

from application.health import Health
from application.log_poster import LogPoster
from application.ports.availability import Unavailable
from application.projector import Projector
from application.reactor import Reactor
from application.sweeper import Sweeper

log = logging.getLogger(__name__)

LOCAL_PAUSE = 0.01  # seconds between passes of a busy loop
SHARED_PAUSE = 0.05


class _Loop:
    """Runs `one_pass` until a pass starts with nothing new recorded; never two passes at once.

    `pause` spaces the passes of a busy loop: one pass then takes in what many recordings wrote, instead
    of one read and one write of the read models per recording.
    """

    def __init__(self, name: str, one_pass: Callable[[], Awaitable[None]], pause: float = 0.0) -> None:
        self.name = name
        self._one_pass = one_pass
        self._pause = pause
        self._dirty = False
        self._task: asyncio.Task | None = None
        self._hurried = 0  # drains under way: while someone waits for the loop to finish, a pause only delays it
        self._hurry = asyncio.Event()

    def poke(self) -> None:
        self._dirty = True
        if not self.running:
            # A context of its own: the loop must not inherit whatever the poking update carried (its trace
            # id, or the urgency of a Verify press, which would put all of the reactor's calls first).
            self._task = asyncio.get_running_loop().create_task(self._run(), context=contextvars.Context())

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _run(self) -> None:
        while self._dirty:
            self._dirty = False
            try:
                await self._one_pass()
            except Unavailable as error:
                # The store is away: expected in an outage, already on /readyz; one line, not a traceback each time.
                log.warning("%s pass waits for the event store (%s); the next recording retries it", self.name, error)
                return
            except Exception:
                log.exception("%s pass failed; the next recording retries it", self.name)
                return
            if self._dirty and self._pause and not self._hurry.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._hurry.wait(), self._pause)

    def hurry(self, on: bool) -> None:
        self._hurried += 1 if on else -1
        if self._hurried:
            self._hurry.set()
        else:
            self._hurry.clear()

    async def wait(self) -> None:
        while self.running:
            assert self._task is not None
            await self._task


class EventPump:
    def __init__(
        self,
        projector: Projector,
        reactor: Reactor,
        shared: list[Projector] | None = None,
        health: Health | None = None,
        sweeper: Sweeper | None = None,
        log_poster: LogPoster | None = None,
    ) -> None:
        self.reactor = reactor
        self.log_poster = log_poster
        self.health = health or Health()
        # This process's own writes reach its read models at once (GateContext.recorded), so the projector
        # only has to bring in other writers' events and move the position: it may take them in batches.
        self._loops = [_Loop("projector", projector.catch_up, LOCAL_PAUSE), _Loop("reactor", self._react)]
        if sweeper is not None:
            self._loops.append(_Loop("sweeper", sweeper.catch_up))
        if log_poster is not None:  # the log channels' posts: nothing else waits for them
            self._loops.append(_Loop("log_poster", log_poster.catch_up))
        # Read models other processes read: an outage there stops nothing here.
        self._loops += [_Loop(f"read_models:{p.name}", self._shared_pass(p), SHARED_PAUSE) for p in shared or []]

    def poke(self) -> None:
        """Something was recorded: make sure every loop passes soon (never inline, never twice at once)."""
        self.reactor.notify()
        for loop in self._loops:
            loop.poke()

    async def _react(self) -> None:
        await self.reactor.catch_up()
        await self.reactor.expire_warnings()

    def _shared_pass(self, projector: Projector) -> Callable[[], Awaitable[None]]:
        component = f"read_models:{projector.name}"

        async def one_pass() -> None:
            try:
                await projector.catch_up()
            except Unavailable as error:
                # Its position stayed where it was: the next pass after recovery catches it up.
                self.health.failed(component, str(error))
                return
            self.health.recovered(component)

        return one_pass

    async def drain(self) -> None:
        """Wait until every recorded decision has been projected and carried out."""
        self.poke()
        for loop in self._loops:
            loop.hurry(True)
        try:
            # The reactor's own recordings poke the projectors again, so wait until no loop is running.
            while any(loop.running for loop in self._loops):
                for loop in self._loops:
                    await loop.wait()
        finally:
            for loop in self._loops:
                loop.hurry(False)
