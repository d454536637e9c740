"""What `chanwarden run` waits for before it may act: its store's lease, then the store itself.

Meanwhile it says so in one line per reason (never a traceback, never a line per try), /healthz answers
"alive" and /readyz 503 with the status and the reason, and it tries again: every second for the lease,
since a standby should take over within seconds of its holder's death, and after a growing pause for a
store that does not answer. A lease lost later stops the process at once (see exit_when_lost).
"""

import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from application.ports.availability import Unavailable
from infrastructure.backends import Backends, open_lease
from infrastructure.observability.http import Waiting
from infrastructure.settings import Settings

log = logging.getLogger(__name__)

STANDBY = "another chanwarden process holds the lease for this store; standing by"
LEASE_POLL = 1.0  # seconds between a standby's tries
BACKOFF = (1.0, 2.0, 4.0, 8.0, 15.0)  # seconds between tries of a store that does not answer; the last repeats
LEASE_LOST_EXIT = 3


class Stopped(Exception):
    """Asked to stop (SIGTERM) while still waiting: there is nothing to finish."""


class Startup:
    def __init__(self, settings: Settings, stop: asyncio.Event, waiting: Waiting) -> None:
        self._settings = settings
        self._stop = stop
        self._waiting = waiting
        self._said: set[str] = set()
        self._unreachable = False

    async def take_lease(self) -> Any | None:
        """The store's lease once this process holds it; None when the store needs none (memory)."""
        lease = open_lease(self._settings)
        if lease is None:
            return None
        pauses = iter(BACKOFF)
        while True:
            try:
                if await lease.acquire():
                    self._answered()
                    self._waiting.status, self._waiting.reason = "not_ready", "starting"  # no longer standing by
                    return lease
                self._wait("standby", "another process holds the lease for this store", STANDBY)
                pause = LEASE_POLL
            except Unavailable as error:
                self._not_answering(error)
                pause = next(pauses, BACKOFF[-1])
            if not await self._paused(pause):
                await lease.release()
                raise Stopped

    async def reach_store(self, open_backends: Callable[[], Awaitable[Backends]]) -> Backends:
        """The backends (Application.open), opened once the store answers."""
        pauses = iter(BACKOFF)
        while True:
            try:
                backends = await open_backends()
            except Unavailable as error:
                self._not_answering(error)
            else:
                self._answered()
                return backends
            if not await self._paused(next(pauses, BACKOFF[-1])):
                raise Stopped

    def _not_answering(self, error: Exception) -> None:
        self._unreachable = True
        self._wait("not_ready", f"the event store does not answer: {error}",
                   f"the event store does not answer ({error}); trying again until it does")

    def _answered(self) -> None:
        if self._unreachable:
            self._unreachable = False
            log.info("the event store answers; starting")

    def _wait(self, status: str, reason: str, line: str) -> None:
        self._waiting.status, self._waiting.reason = status, reason
        if status not in self._said:  # one line per kind of wait, not one per try
            self._said.add(status)
            log.warning(line)

    async def _paused(self, seconds: float) -> bool:
        """Wait, unless asked to stop meanwhile; False when asked."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)
        return not self._stop.is_set()


async def exit_when_lost(lease: Any, exit_now: Callable[[int], Any] = os._exit) -> None:
    """Stop acting the moment the lease is lost: another process may hold it from then on.

    At once, with no cleanup: finishing in-flight work or settling would mean more Telegram calls and appends
    by a process that is no longer the store's bot. What was recorded or spooled is safe on disk, and updates
    not yet confirmed are delivered again to whoever holds the lease next.
    """
    reason = await lease.lost()
    log.error("lost the lease for this store (%s); stopping at once so that only one process acts", reason)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    exit_now(LEASE_LOST_EXIT)


def watch_lease(lease: Any | None) -> asyncio.Task | None:
    return None if lease is None else asyncio.get_running_loop().create_task(exit_when_lost(lease))


async def release(lease: Any | None, watcher: asyncio.Task | None) -> None:
    """Give the lease up at the end; the watcher goes first, or our own release would look like a loss."""
    if watcher is not None:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
    if lease is not None:
        await lease.release()

