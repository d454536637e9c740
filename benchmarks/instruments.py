"""Meters around the real parts: Telegram's bill per update, append-to-projection lag, memory."""

import asyncio
import contextlib
import heapq
import os
import resource
import time
from collections import Counter
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from adapters.simulated_telegram.gateway import SimulatedTelegram

MESSAGE_METHODS = frozenset({"send_message", "edit_message"})  # the rest share Telegram's general budget


@dataclass
class Probe:
    """The Telegram calls one update's handling made; `open` stops counting once the handler returned.

    `waited` also counts answers it waited for without asking itself: a member's second message while the
    first one's question is on its way shares that answer, and was no more decided from the cache.
    """

    kind: str = ""
    calls: int = 0
    waited: int = 0
    open: bool = True

    @property
    def hit(self) -> bool:
        return not self.calls and not self.waited


class TelegramWaits:
    """The application's membership checker, unchanged, telling each update's probe how many channels
    Telegram had to answer for it (`CheckResult.api_calls`, its own questions and shared ones alike)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    async def check(self, user_id: int, channels: list[int], fresh: bool = False) -> Any:
        result = await self._inner.check(user_id, channels, fresh=fresh)
        probe = PROBE.get()
        if probe is not None and probe.open:
            probe.waited += result.api_calls
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


PROBE: ContextVar[Probe | None] = ContextVar("bench_probe", default=None)


class MeteredTelegram(SimulatedTelegram):
    """The simulated Telegram, also logging when each call was made and when each member was first muted."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.log: list[tuple[float, str, int | None, int | None]] = []  # (wall time, method, chat, user)
        self.first_mute: dict[tuple[int, int], float] = {}
        self.channel_checks = 0
        self.duplicate_checks = 0  # asked while the same question was already on its way
        self._asking: Counter[tuple[int, int]] = Counter()
        self.checks_by_update: Counter[str] = Counter()  # which kind of update asked
        self._user: int | None = None

    async def _call(self, method: str, chat: int | None = None) -> None:
        self.log.append((time.perf_counter(), method, chat, self._user))
        self._user = None
        probe = PROBE.get()
        if probe is not None and probe.open:
            probe.calls += 1
        await super()._call(method, chat)

    async def get_participant(self, chat_id: int, user_id: int):
        chat = self.world.chats.get(chat_id)
        if chat is None or chat.kind != "channel" or user_id == self.bot_id:
            self._user = user_id  # read synchronously by _call before its first await
            return await super().get_participant(chat_id, user_id)
        self.channel_checks += 1
        probe = PROBE.get()
        self.checks_by_update[probe.kind if probe is not None else "reactor"] += 1
        pair = (chat_id, user_id)
        self.duplicate_checks += self._asking[pair] > 0
        self._asking[pair] += 1
        try:
            self._user = user_id
            return await super().get_participant(chat_id, user_id)
        finally:
            self._asking[pair] -= 1
            if not self._asking[pair]:
                del self._asking[pair]

    async def restrict(
        self, chat_id: int, member_id: int, restrictions: frozenset[str], until: datetime | None = None
    ) -> None:
        self._user = member_id
        await super().restrict(chat_id, member_id, restrictions, until)
        if "send_messages" in restrictions:
            self.first_mute.setdefault((chat_id, member_id), time.perf_counter())

    def instant(self) -> None:
        """No more simulated round trips: for phases that are not measured, so they cost no wall time."""
        self._rtt = self._jitter = 0.0

    def reset(self) -> None:
        """Forget the setup's calls, so the figures count only the workload."""
        self.calls.clear()
        self.log.clear()
        self.first_mute.clear()
        self.channel_checks = self.duplicate_checks = 0
        self.checks_by_update.clear()


class LagMeter:
    """Wall time from an append returning to the gate's read models holding it.

    The read models are polled through their port (position()), so nothing in the wiring changes for it.
    """

    POLL = 0.005

    def __init__(self) -> None:
        self._appended: list[tuple[int, float]] = []  # min-heap of (position, appended at)
        self.applied = 0
        self.lags: list[float] = []
        self._task: asyncio.Task | None = None

    def appended(self, positions: list[int]) -> None:
        now = time.perf_counter()
        for position in positions:
            if position <= self.applied:
                self.lags.append(0.0)  # projected before the appending task even resumed
            else:
                heapq.heappush(self._appended, (position, now))

    def projected(self, position: int) -> None:
        now = time.perf_counter()
        self.applied = max(self.applied, position)
        while self._appended and self._appended[0][0] <= position:
            self.lags.append(now - heapq.heappop(self._appended)[1])

    def watch(self, read_models: Any) -> None:
        async def poll() -> None:
            while True:
                self.projected(await read_models.position())
                await asyncio.sleep(self.POLL)

        self._task = asyncio.get_running_loop().create_task(poll())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


class TimedStore:
    """The configured event store, unchanged, with its appends reported to the lag meter."""

    def __init__(self, inner: Any, lag: LagMeter) -> None:
        self._inner = inner
        self._lag = lag

    async def append(self, events: Any, tracking: Any = None) -> list[int]:
        positions = await self._inner.append(events, tracking)
        self._lag.appended(positions)
        return positions

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def rss_mb() -> float:
    """Resident memory now."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb() -> float:
    """This process's peak resident memory (each run is a process of its own, so this is the run's peak)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentiles(values: list[float], scale: float = 1000.0) -> dict[str, float | int | None]:
    """p50/p95/p99/max in milliseconds (values in seconds), nearest-rank."""
    if not values:
        return {"n": 0, "p50": None, "p95": None, "p99": None, "max": None}
    ordered = sorted(values)

    def rank(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, max(0, int(p * len(ordered) + 0.999999) - 1))] * scale, 3)

    return {"n": len(ordered), "p50": rank(0.50), "p95": rank(0.95), "p99": rank(0.99),
            "max": round(ordered[-1] * scale, 3)}
