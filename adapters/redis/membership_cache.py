"""Channel statuses shared by every bot instance through Redis, expiring like the in-process cache.

Key layout: one string key per (user, channel), `<prefix>membership:<user>:<channel>`, holding the status.
A hash per user would be tidier, but a user's subscribed and unsubscribed statuses must expire at
different times and a TTL per hash field needs Redis 7.4 (HEXPIRE); a key per pair gets its own TTL on
any Redis, and MGET still fetches a user's channels in one round trip.
"""

import random
from collections.abc import AsyncIterator
from typing import Any

from adapters.redis import glob_escape, unlink_under
from adapters.redis.batching import BatchedCommands
from adapters.redis.errors import bounded
from adapters.redis.write_behind import BOUND_SECONDS, WriteBehind
from application.ports.clock import Clock
from domain.subscription import is_subscribed


class RedisMembershipCache:
    def __init__(
        self,
        client: Any,
        clock: Clock,
        prefix: str,
        positive_ttl: float = 21_600.0,
        negative_ttl: float = 60.0,
        jitter: float = 0.15,
        seed: int = 0,
        timeout: float = 0.25,
    ) -> None:
        # Each entry also carries its expiry on the application clock: Redis's TTL (real time) collects
        # garbage, while the clock decides freshness, so a simulated day ages entries like a real one.
        self._clock = clock
        self.client = client
        self.prefix = prefix
        self.timeout = timeout
        self._namespace = f"{prefix}membership:"
        self._ttl = {True: positive_ttl, False: negative_ttl}
        self._jitter = jitter
        self._random = random.Random(seed)
        self._commands = BatchedCommands(client, timeout)
        self.behind = WriteBehind(client, max(timeout, BOUND_SECONDS))

    def _key(self, user_id: int, channel_id: int) -> str:
        return f"{self._namespace}{user_id}:{channel_id}"

    async def get_many(self, user_id: int, channels: list[int]) -> dict[int, str]:
        if not channels:
            return {}
        keys = [self._key(user_id, c) for c in channels]
        (values,) = await self._commands.run([("MGET", *keys)], "MGET membership")
        now = self._clock.time()
        found = {}
        for channel, value in zip(channels, values, strict=True):
            if value is not None:
                status, _, expires = _text(value).partition(" ")
                if not expires or float(expires) > now:
                    found[channel] = status
        return found

    def _entry(self, status: str) -> tuple[str, float, int]:
        """The stored value, its expiry on the application clock, and Redis's TTL in milliseconds."""
        ttl = self._ttl[is_subscribed(status)]
        # Jitter spreads expiries so a crowd verified together is not re-checked together.
        ttl *= 1 + self._random.uniform(-self._jitter, self._jitter)
        expires = round(self._clock.time() + ttl, 3)  # as the value stores it
        return f"{status} {expires:.3f}", expires, max(1, round(ttl * 1000))

    async def put(self, user_id: int, channel_id: int, status: str, announce: tuple[str, str] | None = None) -> None:
        """Store a status; `announce` (pub/sub channel, one line) is published in the same round trip, joined
        with the other announcements of that round trip."""
        value, _, ttl_ms = self._entry(status)
        # SET replaces any earlier status and its TTL at once: an observed leave wins immediately.
        # The announcement goes after the batch's SETs: an instance that hears it and then misses memory
        # reads the new value.
        command = ("SET", self._key(user_id, channel_id), value, "PX", ttl_ms)
        await self._commands.run([command], "SET membership", announce=announce)

    async def put_many(self, channel_id: int, statuses: list[tuple[int, str]]) -> None:
        """The page's SETs in one pipeline."""
        commands = []
        for user_id, status in statuses:
            value, _, ttl_ms = self._entry(status)
            commands.append(("SET", self._key(user_id, channel_id), value, "PX", ttl_ms))
        if commands:
            await self._commands.run(commands, "SET membership")

    def put_behind(self, user_id: int, channel_id: int, status: str, announce: tuple[str, str] | None = None) -> float:
        """Store a status without waiting for Redis (see write_behind.py); returns its expiry on the
        application clock, for the in-process level to keep the very same."""
        value, expires, ttl_ms = self._entry(status)
        self.behind.write(self._key(user_id, channel_id), value, ttl_ms, announce)
        return expires

    def put_behind_many(self, channel_id: int, statuses: list[tuple[int, str]], channel: str,
                        lines: list[str]) -> list[float]:
        """As `put_behind` for each status, each announced by its line on `channel`; their expiries."""
        entries = [self._entry(status) for _, status in statuses]
        writes = [(self._key(user_id, channel_id), value, ttl_ms, line)
                  for (user_id, _), (value, _, ttl_ms), line in zip(statuses, entries, lines, strict=True)]
        self.behind.write_many(writes, channel)
        return [expires for _, expires, _ in entries]

    async def entries(self, batch: int = 1_000) -> AsyncIterator[tuple[int, int, str, float]]:
        """Every live status Redis holds, as (user, channel, status, expiry on the application clock), read
        a batch of keys at a time so no single call blocks Redis or us."""
        cursor = 0
        while True:
            cursor, keys = await bounded(
                self.client.scan(cursor, match=glob_escape(self._namespace) + "*", count=batch), self.timeout, "SCAN"
            )
            if keys:
                values = await bounded(self.client.mget(keys), self.timeout, "MGET membership")
                now = self._clock.time()
                for key, value in zip(keys, values, strict=True):
                    if value is None:
                        continue  # expired or replaced since the scan
                    user, _, channel = _text(key)[len(self._namespace):].partition(":")
                    status, _, expires = _text(value).partition(" ")
                    # A value written without its expiry (an older version) lives for its status's full TTL.
                    until = float(expires) if expires else now + self._ttl[is_subscribed(status)]
                    if until > now:
                        yield int(user), int(channel), status, until
            if int(cursor) == 0:
                return

    async def forget_channel(self, channel_id: int) -> None:
        await self.behind.drain()  # a status of this channel still on its way must not land after the scan
        # A scan of the namespace: rare (the bot's rights in a channel changed), and it blocks nobody.
        await unlink_under(self.client, self._namespace, self.timeout, rest=f"*:{channel_id}")

    async def clear(self) -> None:
        await self.behind.drain()
        await unlink_under(self.client, self._namespace, self.timeout)


def _text(value: bytes | str) -> str:
    # The client may or may not decode responses; statuses are always ASCII.
    return value.decode() if isinstance(value, bytes) else value
