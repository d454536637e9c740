"""Channel statuses remembered in this process: long for subscribers, briefly for everyone else."""

import random

from application.ports.clock import Clock
from domain.subscription import is_subscribed


class InMemoryMembershipCache:
    def __init__(
        self, clock: Clock, positive_ttl: float = 600.0, negative_ttl: float = 60.0, jitter: float = 0.15, seed: int = 0
    ) -> None:
        self._clock = clock
        self._ttl = {True: positive_ttl, False: negative_ttl}
        self._jitter = jitter
        self._random = random.Random(seed)
        self._entries: dict[tuple[int, int], tuple[float, str]] = {}

    async def get_many(self, user_id: int, channels: list[int]) -> dict[int, str]:
        now = self._clock.time()
        found = {}
        for channel in channels:
            entry = self._entries.get((user_id, channel))
            if entry is not None and entry[0] > now:
                found[channel] = entry[1]
        return found

    async def put(self, user_id: int, channel_id: int, status: str) -> None:
        ttl = self._ttl[is_subscribed(status)]
        # Jitter spreads expiries so a crowd verified together is not re-checked together.
        ttl *= 1 + self._random.uniform(-self._jitter, self._jitter)
        self._entries[(user_id, channel_id)] = (self._clock.time() + ttl, status)

    async def clear(self) -> None:
        self._entries.clear()
