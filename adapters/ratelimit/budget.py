"""Sliding-window budgets on an injectable clock.

aiolimiter's AsyncLimiter reads and sleeps on the event loop's own clock, so tests could not simulate a minute in
milliseconds, and it cannot answer "how long until this call may go?" across several budgets without taking from
them. A sliding window answers that and is exact about Telegram's wording ("at most 20 messages per minute"): a
token bucket of the same rate lets a full bucket plus a minute's refill through in the first minute.
"""

import asyncio
import time
from collections import deque
from typing import Protocol

# Float slack, so a window that has just lapsed does not ask for a 1e-15 s sleep over and over.
EPSILON = 1e-9


class SleepingClock(Protocol):
    def time(self) -> float:
        """Seconds on a clock that never goes backwards."""

    async def sleep(self, seconds: float) -> None: ...


class MonotonicClock:
    """Real time: monotonic, so a wall-clock jump can neither stall nor burst the limiter."""

    def time(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class SlidingWindow:
    """At most `limit` takes in any `window` seconds."""

    def __init__(self, limit: int, window: float) -> None:
        if limit < 1 or window <= 0:
            raise ValueError(f"a budget needs limit >= 1 and window > 0, got {limit} per {window}s")
        self.limit = limit
        self.window = window
        self._taken: deque[float] = deque()

    def wait(self, now: float) -> float:
        """Seconds until one more take fits; 0.0 if it fits now."""
        while self._taken and self._taken[0] + self.window <= now + EPSILON:
            self._taken.popleft()
        if len(self._taken) < self.limit:
            return 0.0
        return self._taken[0] + self.window - now

    def take(self, now: float) -> None:
        self._taken.append(now)

    def idle(self, now: float) -> bool:
        """Nothing taken within the window: the budget is as good as a fresh one and can be dropped."""
        self.wait(now)
        return not self._taken
