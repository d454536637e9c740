"""Strict-priority scheduling of outbound Telegram calls under Telegram's rate limits.

One dispatcher task owns all budget arithmetic; callers wait on a future until it grants them a start. On every
wake it walks the waiting calls best priority first (FIFO within a priority) and starts each one whose budgets
allow it. A call that cannot go reserves only the budgets it is actually waiting for, so callers behind it that
need those budgets wait their turn, while callers needing other budgets (another chat, a non-message method)
keep flowing: no head-of-line blocking. Flood waits are keyed by (chat, method), never by method alone.
"""

import asyncio
import bisect
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from adapters.ratelimit.budget import EPSILON, MonotonicClock, SleepingClock, SlidingWindow
from application.ports.telegram import TelegramError

T = TypeVar("T")

P0_USER, P1_ENFORCE, P2_BULK, P3_BACKGROUND = 0, 1, 2, 3
PRIORITIES = (P0_USER, P1_ENFORCE, P2_BULK, P3_BACKGROUND)


@dataclass(frozen=True)
class RateLimits:
    messages_per_second: int = 30  # Telegram's global message limit, all chats together
    chat_messages_per_minute: int = 20  # Telegram's limit for one group
    chat_messages_per_second: int = 1  # Telegram's burst advice for one chat
    calls_per_second: int = 30  # every other method; Telegram publishes no number, so generous and global
    max_flood_retries: int = 3
    flood_sleep_threshold: float = 60.0  # a longer flood wait is raised to the caller rather than slept through


@dataclass(eq=False)
class _Waiting:
    priority: int
    seq: int
    chat_id: int | None
    method: str
    sends_message: bool
    since: float
    granted: asyncio.Future[None] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class PriorityScheduler:
    def __init__(self, clock: SleepingClock | None = None, limits: RateLimits | None = None) -> None:
        self._clock = clock or MonotonicClock()
        self._limits = limits = limits or RateLimits()
        self._messages = SlidingWindow(limits.messages_per_second, 1.0)
        self._calls = SlidingWindow(limits.calls_per_second, 1.0)
        self._chats: dict[int, tuple[SlidingWindow, SlidingWindow]] = {}
        self._flooded: dict[tuple[int | None, str], float] = {}  # (chat, method) -> blocked until
        self._waiting: list[_Waiting] = []  # sorted by (priority, seq)
        self._seq = itertools.count()
        self._wake = asyncio.Event()
        self._dispatcher: asyncio.Task[None] | None = None
        self.last_wait: dict[int, float] = dict.fromkeys(PRIORITIES, 0.0)  # seconds queued by the last start

    def queue_depth(self) -> dict[int, int]:
        depth = dict.fromkeys(PRIORITIES, 0)
        for waiting in self._waiting:
            depth[waiting.priority] += 1
        return depth

    def stats(self) -> dict[str, dict[int, int] | dict[int, float] | int]:
        return {"queue_depth": self.queue_depth(), "last_wait": dict(self.last_wait), "flooded": len(self._flooded)}

    async def run(
        self, priority: int, chat_id: int | None, method: str, call: Callable[[], Awaitable[T]], sends_message: bool
    ) -> T:
        if priority not in PRIORITIES:
            raise ValueError(f"priority must be one of {PRIORITIES}, got {priority}")
        seq = next(self._seq)  # kept across flood retries, so a retried call keeps its place in line
        retries = 0
        while True:
            await self._acquire(_Waiting(priority, seq, chat_id, method, sends_message, self._clock.time()))
            try:
                return await call()
            except TelegramError as error:
                if error.kind != TelegramError.FLOOD_WAIT:
                    raise
                key = (chat_id, method)
                until = self._clock.time() + max(error.retry_after, 0.0)
                self._flooded[key] = max(self._flooded.get(key, until), until)
                if retries >= self._limits.max_flood_retries or error.retry_after > self._limits.flood_sleep_threshold:
                    raise
                retries += 1

    async def _acquire(self, waiting: _Waiting) -> None:
        bisect.insort(self._waiting, waiting, key=lambda w: (w.priority, w.seq))
        self._wake.set()
        if self._dispatcher is None or self._dispatcher.done():
            self._dispatcher = asyncio.get_running_loop().create_task(self._dispatch())
        try:
            await waiting.granted
        except asyncio.CancelledError:
            if waiting in self._waiting:
                self._waiting.remove(waiting)
            raise

    async def _dispatch(self) -> None:
        # Runs only while calls wait, so an idle scheduler leaves no task behind.
        try:
            while self._waiting:
                self._wake.clear()
                delay = self._grant(self._clock.time())
                if self._waiting:
                    await self._idle(delay)
        except Exception as error:  # never leave callers hanging on a dispatcher that died
            for waiting in self._waiting:
                if not waiting.granted.done():
                    waiting.granted.set_exception(error)
            self._waiting.clear()
            raise

    async def _idle(self, delay: float | None) -> None:
        waiters = [asyncio.ensure_future(self._wake.wait())]
        if delay is not None:
            waiters.append(asyncio.ensure_future(self._clock.sleep(delay)))
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    def _grant(self, now: float) -> float | None:
        """Start every waiting call that may start now; return seconds until the next one might."""
        self._flooded = {key: until for key, until in self._flooded.items() if until > now + EPSILON}
        reserved: set[int] = set()  # ids of budgets a better-placed waiting call is already waiting for
        next_in: float | None = None
        still: list[_Waiting] = []
        for waiting in self._waiting:
            if waiting.granted.done():
                continue
            flooded_for = self._flooded.get((waiting.chat_id, waiting.method), now) - now
            if flooded_for > self._limits.flood_sleep_threshold:
                detail = f"{waiting.method} in {waiting.chat_id} is flood-blocked"
                waiting.granted.set_exception(TelegramError(TelegramError.FLOOD_WAIT, detail, flooded_for))
                continue
            budgets = self._budgets(waiting)
            if flooded_for > EPSILON:
                # A flooded call reserves no budget: its wait is Telegram's, and others may use the budgets.
                still.append(waiting)
                next_in = flooded_for if next_in is None else min(next_in, flooded_for)
                continue
            if any(id(budget) in reserved for budget in budgets):
                still.append(waiting)  # starts once the call holding the reservation has started
                continue
            waits = [budget.wait(now) for budget in budgets]
            longest = max(waits)
            if longest > 0:
                # Reserve only the binding budgets: holding the 1 s global window while this call waits 40 s
                # for its chat's minute window would stall every other chat.
                reserved.update(id(b) for b, w in zip(budgets, waits, strict=True) if w >= longest - EPSILON)
                still.append(waiting)
                next_in = longest if next_in is None else min(next_in, longest)
                continue
            for budget in budgets:
                budget.take(now)
            self.last_wait[waiting.priority] = now - waiting.since
            waiting.granted.set_result(None)
        self._waiting = still
        if len(self._chats) > 1024:
            self._chats = {chat: pair for chat, pair in self._chats.items() if not all(b.idle(now) for b in pair)}
        return next_in

    def _budgets(self, waiting: _Waiting) -> list[SlidingWindow]:
        if not waiting.sends_message:
            return [self._calls]
        if waiting.chat_id is None:
            return [self._messages]
        chat = self._chats.get(waiting.chat_id)
        if chat is None:
            per_minute = SlidingWindow(self._limits.chat_messages_per_minute, 60.0)
            chat = (per_minute, SlidingWindow(self._limits.chat_messages_per_second, 1.0))
            self._chats[waiting.chat_id] = chat
        return [self._messages, *chat]
