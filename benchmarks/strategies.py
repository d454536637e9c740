"""The peers' membership-check strategies, as small alternatives to the application's checker.

Only the membership check differs between strategies: handlers, event store, projector and reactor are the
real application in every case, so differences in cost and speed come from the strategy alone.

- naive: asks Telegram on every decision and remembers nothing (what most peer bots do).
- lru5: an in-process LRU cache with a five-minute TTL for every status, which observed channel joins and
  leaves do not touch, so a member who left keeps passing until the entry expires.
- chanwarden: the application's own checker and cache, as bootstrap wires them (event-driven cache: observed
  joins and leaves replace the cached status at once).
"""

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from application.membership_checker import CheckResult, MembershipChecker
from application.ports.clock import Clock
from application.ports.telegram import TelegramError

LRU_TTL = 300.0
LRU_SIZE = 200_000  # entries; large enough that the benchmark measures the TTL, not evictions


class NoCache:
    async def get_many(self, user_id: int, channels: list[int]) -> dict[int, str]:
        return {}

    async def put(self, user_id: int, channel_id: int, status: str) -> None:
        return None

    async def put_many(self, channel_id: int, statuses: list[tuple[int, str]]) -> None:
        return None

    async def clear(self) -> None:
        return None


class LruTtlCache:
    """Same TTL for subscribed and unsubscribed statuses, least recently used entries evicted first."""

    def __init__(self, clock: Clock, ttl: float = LRU_TTL, size: int = LRU_SIZE) -> None:
        self._clock = clock
        self._ttl = ttl
        self._size = size
        self._entries: OrderedDict[tuple[int, int], tuple[float, str]] = OrderedDict()

    async def get_many(self, user_id: int, channels: list[int]) -> dict[int, str]:
        now = self._clock.time()
        found = {}
        for channel in channels:
            entry = self._entries.get((user_id, channel))
            if entry is not None and entry[0] > now:
                self._entries.move_to_end((user_id, channel))
                found[channel] = entry[1]
        return found

    async def put(self, user_id: int, channel_id: int, status: str) -> None:
        self._entries[(user_id, channel_id)] = (self._clock.time() + self._ttl, status)
        self._entries.move_to_end((user_id, channel_id))
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    async def put_many(self, channel_id: int, statuses: list[tuple[int, str]]) -> None:
        for user_id, status in statuses:
            await self.put(user_id, channel_id, status)

    async def clear(self) -> None:
        self._entries.clear()


class PeerChecker(MembershipChecker):
    """A checker that ignores what Telegram tells it unprompted, as the peers do."""

    async def observed(self, user_id: int, channel_id: int, status: str) -> None:
        return None

    async def observed_many(self, channel_id: int, statuses: list[tuple[int, str]]) -> None:
        return None

    async def forget_channel(self, channel_id: int) -> None:
        return None  # nor do the peers notice losing and regaining their rights in a channel

    async def cached(self, user_id: int, channels: list[int]) -> CheckResult:
        # What the application reads when it acts on an observed update: its own cache follows those
        # updates, a peer's does not, so a peer's would only answer from before them.
        return CheckResult(failures={c: TelegramError(TelegramError.INTERNAL, "not cached") for c in channels})


def checker(strategy: str) -> Callable[[Any, Any, Clock], Any]:
    """How the strategy checks a membership, as bootstrap's `checker`: (telegram, cache, clock) -> checker.

    The peers ask Telegram through the very gateway the application's checker is given (instrumented,
    rate-limited if configured), so only the caching differs; chanwarden is the application's own checker on
    the application's own cache.
    """
    if strategy == "chanwarden":
        return lambda telegram, cache, clock: MembershipChecker(telegram, cache)
    if strategy == "naive":
        return lambda telegram, cache, clock: PeerChecker(telegram, NoCache())
    if strategy == "lru5":
        return lambda telegram, cache, clock: PeerChecker(telegram, LruTtlCache(clock))
    raise ValueError(f"unknown strategy '{strategy}'")
