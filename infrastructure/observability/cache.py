"""Membership cache decorators: hit and miss counts per level, and a span around each lookup.

Levels are counted where they are built (the container for the in-process cache, the backends for the
memory-then-Redis pair), because from the outside the layered cache is one object and its levels are hidden.
"""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from application.ports.membership_cache import MembershipCache


@dataclass
class CacheStats:
    """Plain integers, read when /metrics is scraped: the cheapest possible bookkeeping on every lookup."""

    hits: Counter[str] = field(default_factory=Counter)
    misses: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)


class CountingCache:
    """One cache level; each channel asked for is a hit or a miss at this level."""

    def __init__(self, inner: MembershipCache, level: str, stats: CacheStats) -> None:
        self._inner = inner
        self._level = level
        self._stats = stats

    async def get_many(self, user_id: int, channels: list[int]) -> dict[int, str]:
        try:
            found = await self._inner.get_many(user_id, channels)
        except Exception:
            self._stats.failures[self._level] += 1
            raise
        self._stats.hits[self._level] += len(found)
        self._stats.misses[self._level] += len(channels) - len(found)
        return found

    async def put(self, user_id: int, channel_id: int, status: str, **options: Any) -> None:
        try:
            await self._inner.put(user_id, channel_id, status, **options)  # e.g. the Redis level's announce
        except Exception:
            self._stats.failures[self._level] += 1
            raise

    async def put_many(self, channel_id: int, statuses: list[tuple[int, str]]) -> None:
        try:
            await self._inner.put_many(channel_id, statuses)
        except Exception:
            self._stats.failures[self._level] += 1
            raise

    async def forget_channel(self, channel_id: int) -> None:
        await self._inner.forget_channel(channel_id)

    async def clear(self) -> None:
        await self._inner.clear()

    def __getattr__(self, name: str) -> Any:
        # The layered cache reads its Redis level's client, prefix and timeout; those pass straight through.
        return getattr(self._inner, name)


def counting(inner: MembershipCache, level: str, stats: CacheStats | None) -> Any:
    return inner if stats is None else CountingCache(inner, level, stats)


class TracedCache:
    """The cache as the membership checker sees it, with each lookup a span in the update's trace."""

    def __init__(self, inner: MembershipCache, tracer: Any) -> None:
        self._inner = inner
        self._tracer = tracer

    async def get_many(self, user_id: int, channels: list[int]) -> dict[int, str]:
        with self._tracer.start_as_current_span("cache.get_many") as span:
            found = await self._inner.get_many(user_id, channels)
            span.set_attribute("cache.hits", len(found))
            return found

    async def put(self, user_id: int, channel_id: int, status: str) -> None:
        with self._tracer.start_as_current_span("cache.put"):
            await self._inner.put(user_id, channel_id, status)

    async def put_many(self, channel_id: int, statuses: list[tuple[int, str]]) -> None:
        with self._tracer.start_as_current_span("cache.put_many") as span:
            span.set_attribute("cache.statuses", len(statuses))
            await self._inner.put_many(channel_id, statuses)

    async def forget_channel(self, channel_id: int) -> None:
        with self._tracer.start_as_current_span("cache.forget_channel"):
            await self._inner.forget_channel(channel_id)

    async def clear(self) -> None:
        await self._inner.clear()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)
