"""Membership statuses written to Redis behind the answer, in order, one script call at a time.

The in-process level already holds a status when it is learned, so nobody needs to wait for Redis to
hold it too: the gate's answer goes on at once, and Redis (other instances, a restarted one) learns it a
few milliseconds later. The statuses written within a few milliseconds, and while one call is on its way,
go in the next call, as one EVAL that sets them all and then publishes their announcements as one
message, so Redis parses one command and we one reply however many statuses there are. One call at a
time keeps the order of writes: a leave observed after a check's answer can never be overtaken by it in
Redis.

Nothing waits for a write, so a write that fails is remembered for the next caller to report (the
cache's health), logged once per outage, and not retried: a status Redis lacks is asked of Telegram
again when needed, as it was before.
"""

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from typing import Any

from redis import exceptions

from adapters.redis.errors import RedisUnavailable, bounded

log = logging.getLogger(__name__)

MAX_STATUSES = 1_000  # per call: a bound on the work Redis does in one script
# Nobody waits for these writes, so they may wait a little to share a call: under load a call every few
# milliseconds carries dozens of statuses (one send, one reply, one announcement for all of them), while
# other instances hear of a status a few milliseconds later than they could.
GATHER_SECONDS = 0.005
# How long one call may take before it counts as failed: longer than a read's bound, since nobody waits for it.
# Under load the answer to a call can be late only because this process's event loop is busy (a raid being
# decided), and a write that landed must not count as an outage.
BOUND_SECONDS = 2.0

# ARGV[1]: a line "<key>\t<value>\t<TTL in milliseconds>" per status, then optionally a pub/sub channel and
# the message to publish on it once every SET is done. The statuses travel as one argument: the client encodes
# each argument on its own, in Python, and for a call carrying a thousand statuses that cost more than all of
# Redis's work. The keys are not declared in KEYS, which only Redis Cluster needs: chanwarden runs on one Redis
# (its streams, leases and scripts assume one).
SCRIPT = r"""
local i = 0
for key, value, ttl in string.gmatch(ARGV[1], '([^\t\n]+)\t([^\t\n]*)\t(%d+)\n') do
  i = i + 1
  redis.call('SET', key, value, 'PX', ttl)
end
if #ARGV > 1 then
  redis.call('PUBLISH', ARGV[2], ARGV[3])
end
return i
"""


class WriteBehind:
    def __init__(self, client: Any, timeout: float) -> None:
        self._client = client
        self._timeout = timeout
        self._queue: deque[tuple[str, str, int, str | None]] = deque()  # key, value, ttl ms, announcement
        self._channel: str | None = None
        self._sender: asyncio.Task | None = None
        self.error: RedisUnavailable | None = None  # the last call's failure, None once one succeeds again
        self.calls = 0  # script calls sent, for the tests and the curious
        self.written = 0
        self.lost = 0  # statuses whose write failed
        # Told each call's outcome (the error, or None), since no caller waits to hear it: the cache's health.
        self.watchers: list[Callable[[RedisUnavailable | None], None]] = []

    def write(self, key: str, value: str, ttl_ms: int, announce: tuple[str, str] | None = None) -> None:
        """Queue one SET (and its announcement line) for the next call; returns at once."""
        if "\t" in value or "\n" in value or "\t" in key or "\n" in key:
            raise ValueError("a status key and its value are one field each")
        if announce is not None:
            if "\n" in announce[1]:
                raise ValueError("an announcement is one line")
            self._channel = announce[0]  # one cache publishes on one channel
        self._queue.append((key, value, ttl_ms, announce[1] if announce else None))
        self._send_soon()

    def write_many(self, writes: list[tuple[str, str, int, str]], channel: str) -> None:
        """As `write` for each (key, value, TTL ms, announcement line), the lines announced on `channel`."""
        if any("\t" in key + value or "\n" in key + value + line for key, value, _, line in writes):
            raise ValueError("a status key and its value are one field each, an announcement one line")
        self._channel = channel
        self._queue.extend(writes)
        self._send_soon()

    def _send_soon(self) -> None:
        if self._sender is None:
            self._sender = asyncio.get_running_loop().create_task(self._send_all())

    async def drain(self) -> None:
        """Until every status queued so far is in Redis, or failed: forgetting and clearing wait for it,
        or a write queued before would land after them."""
        while self._sender is not None:
            await asyncio.shield(self._sender)

    async def _send_all(self) -> None:
        try:
            while self._queue:
                await asyncio.sleep(GATHER_SECONDS)
                taken = [self._queue.popleft() for _ in range(min(len(self._queue), MAX_STATUSES))]
                await self._send(taken)
        finally:
            self._sender = None

    async def _send(self, taken: list[tuple[str, str, int, str | None]]) -> None:
        argv: list[Any] = ["".join(f"{key}\t{value}\t{ttl_ms}\n" for key, value, ttl_ms, _ in taken)]
        lines = [line for _, _, _, line in taken if line is not None]
        if lines:
            argv += [self._channel, "\n".join(lines)]
        self.calls += 1
        try:
            await bounded(self._client.execute_command("EVAL", SCRIPT, 0, *argv),
                          self._timeout, "EVAL membership")
        except (RedisUnavailable, exceptions.RedisError) as error:
            if self.error is None:
                log.warning("membership statuses not written to Redis (%s); they are asked of Telegram again "
                            "when needed", type(error).__name__)
            self.error = error if isinstance(error, RedisUnavailable) else RedisUnavailable(f"EVAL membership: {error}")
            self.lost += len(taken)
        else:
            self.error = None
            self.written += len(taken)
        for watcher in self.watchers:
            watcher(self.error)
