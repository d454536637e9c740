"""How often a follower records how far it has got: at most every PACE seconds while busy, and at once when idle.

A recorded position promises that everything before it is done. Recording it a little later than it could be
only means that a restart carries out a few more records again, in doubt (reading Telegram first), as after
any kill. Recording it after every batch, as the reactors did, cost a transaction each: thousands a second
under load, on the few connections appends share, each waiting its turn for a disk flush.
"""

import time
from collections.abc import Callable

PACE = 0.25  # seconds


class PositionPace:
    def __init__(self, every: float = PACE, clock: Callable[[], float] = time.monotonic) -> None:
        self._every = every
        self._clock = clock
        self._last = float("-inf")

    def due(self, at_once: bool = False) -> bool:
        """Whether to record now: `at_once` when the follower has finished everything it read."""
        now = self._clock()
        if at_once or now - self._last >= self._every:
            self._last = now
            return True
        return False
