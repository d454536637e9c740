"""Channel statuses remembered in this process: long for subscribers, briefly for everyone else."""

import random
from itertools import islice

from application.ports.clock import Clock
from domain.subscription import is_subscribed

MAX_ENTRIES = 1_000_000  # about 250 MB; past it, expired entries go first, then the oldest written


class InMemoryMembershipCache:
    def __init__(
        self,
        clock: Clock,
        positive_ttl: float = 21_600.0,
        negative_ttl: float = 60.0,
        jitter: float = 0.15,
        seed: int = 0,
        max_entries: int = MAX_ENTRIES,
    ) -> None:
        self._clock = clock
        self._ttl = {True: positive_ttl, False: negative_ttl}
        self._jitter = jitter
        self._random = random.Random(seed)
        self._max = max_entries
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
        self._put(user_id, channel_id, status)

    async def put_many(self, channel_id: int, statuses: list[tuple[int, str]]) -> None:
        for user_id, status in statuses:
            self._put(user_id, channel_id, status)

    def _put(self, user_id: int, channel_id: int, status: str) -> None:
        ttl = self._ttl[is_subscribed(status)]
        # Jitter spreads expiries so a crowd verified together is not re-checked together.
        ttl *= 1 + self._random.uniform(-self._jitter, self._jitter)
        self._store((user_id, channel_id), self._clock.time() + ttl, status)
        if len(self._entries) > self._max:
            self._shrink()

    async def keep(self, user_id: int, channel_id: int, status: str, expires: float, replace: bool = True) -> None:
        """Hold a status until `expires` (application clock): one another level holds with that very expiry.
        Without `replace`, a status this level holds already stays: it is newer than what was read."""
        key = (user_id, channel_id)
        if not replace and key in self._entries:
            return
        self._store(key, expires, status)
        if len(self._entries) > self._max:
            self._shrink()

    async def keep_many(self, channel_id: int, kept: list[tuple[int, str, float]]) -> None:
        """As `keep` for each (user, status, expiry), replacing."""
        for user_id, status, expires in kept:
            self._store((user_id, channel_id), expires, status)
        if len(self._entries) > self._max:
            self._shrink()

    def _store(self, key: tuple[int, int], expires: float, status: str) -> None:
        self._entries.pop(key, None)  # re-inserted at the end: the dict's order is the order of writing
        self._entries[key] = (expires, status)

    async def forget_channel(self, channel_id: int) -> None:
        for key in [k for k in self._entries if k[1] == channel_id]:
            del self._entries[key]

    async def clear(self) -> None:
        self._entries.clear()

    def _shrink(self) -> None:
        """Back to nine tenths of the bound, so the sweep's cost is shared by many puts."""
        now = self._clock.time()
        for key in [k for k, (expires, _) in self._entries.items() if expires <= now]:
            del self._entries[key]
        excess = len(self._entries) - self._max * 9 // 10
        for key in list(islice(self._entries, max(0, excess))):
            del self._entries[key]
