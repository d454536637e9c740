"""Two cache levels: this process's memory first, then Redis, shared by every instance.

While the subscription to the other instances' announcements is up, the memory level is a full copy of
what Redis holds: filled from Redis each time the subscription is made, kept by this instance's own
writes and by the others' announcements. A status memory lacks is then lacking in Redis too, so a member
first seen here costs no Redis read. Before the copy is complete (starting, or subscribing again after a
loss) reads fall through to Redis and keep what it knew in memory.

Writes go to memory at once and to Redis behind the answer (write_behind.py), announced on
`<prefix>cache-events` (one JSON object per line; the statuses written in one Redis call share one
message), so other instances replace their in-memory copy: a member seen leaving a channel must not keep
passing on another instance until a long positive TTL runs out. Announcements missed while the
subscription was down cannot be known afterwards, so each time it is made again the memory level is
dropped and filled again from Redis.
"""

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from uuid import uuid4

from redis import exceptions

from adapters.redis.errors import RedisUnavailable, bounded
from adapters.redis.membership_cache import RedisMembershipCache
from application.ports.availability import Unavailable
from application.ports.membership_cache import MembershipCache

log = logging.getLogger(__name__)

# Statuses as JSON strings, made once: every status learned is announced.
_QUOTED = {status: json.dumps(status)
           for status in ("member", "creator", "administrator", "restricted", "left", "kicked")}
RESUBSCRIBE_FIRST, RESUBSCRIBE_MAX = 0.1, 10.0  # seconds between attempts, doubling


class LayeredMembershipCache:
    def __init__(self, first: MembershipCache, second: RedisMembershipCache, instance_id: str | None = None) -> None:
        self._first = first
        self._second = second
        # Bound once: the levels may be wrapped (counted), and every status learned passes through these.
        self._keep, self._keep_many = first.keep, first.keep_many
        self._put_behind, self._put_behind_many = second.put_behind, second.put_behind_many
        self._writes = second.behind
        self.instance_id = instance_id or uuid4().hex
        # Every instance hears its own announcements too; they start with its origin, so they are told
        # apart without parsing them.
        self._own = json.dumps({"origin": self.instance_id})[:-1]
        self._own_bytes = self._own.encode()
        self.channel = f"{second.prefix}cache-events"
        self.ready = asyncio.Event()  # set while listen() is subscribed, so callers can wait for it
        self.applied = 0  # announcements from other instances applied to the memory level
        self.subscriptions = 0  # times listen() has (re)subscribed
        self.complete = False  # memory holds everything Redis does: a memory miss needs no Redis read
        self.loaded = 0  # statuses read from Redis by the last fill
        # Moves on each time memory is dropped: a Redis read begun before must not put what it read into
        # the memory after (it may be a status changed meanwhile, announced while nobody listened).
        self._generation = 0
        self._stopping = asyncio.Event()

    async def get_many(self, user_id: int, channels: list[int]) -> dict[int, str]:
        found = await self._first.get_many(user_id, channels)
        if self.complete:
            return found
        rest = [c for c in channels if c not in found]
        if rest:
            generation = self._generation
            shared = await self._second.get_many(user_id, rest)
            if generation == self._generation:
                for channel, status in shared.items():
                    await self._first.put(user_id, channel, status)
            found.update(shared)
        return found

    async def put(self, user_id: int, channel_id: int, status: str) -> None:
        """Memory holds the status when this returns; Redis a round trip later. While Redis's last write
        failed, this one is waited for instead and fails as it does (memory holds it all the same), so the
        cache's health shows the outage and its end at once."""
        await self._put(user_id, channel_id, status)
        await self._failed_writes()

    async def put_many(self, channel_id: int, statuses: list[tuple[int, str]]) -> None:
        """As `put` for each, in one pass per level, with the outage check once for the page."""
        lines = [self._line(user_id, channel_id, status) for user_id, status in statuses]
        expiries = self._put_behind_many(channel_id, statuses, self.channel, lines)
        await self._keep_many(channel_id, [(user_id, status, expires) for (user_id, status), expires
                                           in zip(statuses, expiries, strict=True)])
        await self._failed_writes()

    async def _put(self, user_id: int, channel_id: int, status: str) -> None:
        line = self._line(user_id, channel_id, status)
        expires = self._put_behind(user_id, channel_id, status, announce=(self.channel, line))
        await self._keep(user_id, channel_id, status, expires)

    def _line(self, user_id: int, channel_id: int, status: str) -> str:
        quoted = _QUOTED.get(status) or json.dumps(status)
        return f'{self._own}, "user": {int(user_id)}, "channel": {int(channel_id)}, "status": {quoted}}}'

    async def _failed_writes(self) -> None:
        if self._writes.error is None:
            return
        # Redis failed the last write: this put waits for its own, but only as long as a read would wait (the
        # write goes on for its own, longer bound), so a Redis that stopped answering slows no check for longer.
        try:
            await asyncio.wait_for(self._writes.drain(), self._second.timeout)
        except TimeoutError:
            raise RedisUnavailable(f"membership write: no answer from Redis within {self._second.timeout}s") from None
        if self._writes.error is not None:
            raise self._writes.error

    async def forget_channel(self, channel_id: int) -> None:
        await self._first.forget_channel(channel_id)
        await self._second.forget_channel(channel_id)
        event = {"origin": self.instance_id, "forget_channel": channel_id}
        await bounded(self._second.client.publish(self.channel, json.dumps(event)), self._second.timeout, "PUBLISH")

    def watch_writes(self, watcher: Callable[[Unavailable | None], None]) -> None:
        """`watcher` hears the outcome of every write made behind an answer: the error, or None."""
        self._second.behind.watchers.append(watcher)

    async def flushed(self) -> None:
        """Until every status put so far is in Redis (or its write failed)."""
        await self._second.behind.drain()

    def stop(self) -> None:
        self._stopping.set()

    async def forget_local(self) -> None:
        """Drop only this process's level, as a restart would (after its writes landed), and fill it again
        from Redis as a restarted instance does when it subscribes."""
        await self.flushed()
        was_complete, self.complete = self.complete, False
        await self._drop_memory()
        if was_complete:
            try:
                await self._fill()
            except (Unavailable, exceptions.RedisError, OSError) as error:
                # Reads fall through to Redis until the subscription is made again, as after a restart.
                log.warning("in-process cache level not filled again (%s)", type(error).__name__)

    async def clear(self) -> None:
        # Other instances' memory levels are not told; their entries age out on their own TTLs.
        await self._drop_memory()
        await self._second.clear()

    async def _drop_memory(self) -> None:
        self._generation += 1
        await self._first.clear()

    async def listen(self) -> None:
        """Apply other instances' announcements to the memory level until stop() is called, subscribing
        again (with growing pauses) whenever the connection is lost."""
        pause = RESUBSCRIBE_FIRST
        while not self._stopping.is_set():
            try:
                await self._listen_once()
                return
            except (Unavailable, exceptions.RedisError, OSError) as error:
                if self.ready.is_set():
                    pause = RESUBSCRIBE_FIRST  # it had worked: a fresh outage starts with a short pause
                log.warning("cache coherence subscription lost (%s); subscribing again in %.1fs",
                            type(error).__name__, pause)
            finally:
                self.ready.clear()
                self.complete = False
            try:
                await asyncio.wait_for(self._stopping.wait(), pause)
            except TimeoutError:
                pause = min(pause * 2, RESUBSCRIBE_MAX)

    async def _listen_once(self) -> None:
        # Stopped by a flag, not by cancelling: redis-py's get_message can swallow a cancellation and then
        # wait forever, so the loop checks the flag between short reads instead.
        pubsub = self._second.client.pubsub()
        try:
            await bounded(pubsub.subscribe(self.channel), self._second.timeout, "SUBSCRIBE")
            await self._drop_memory()  # whatever was announced before this moment may have been missed
            self.subscriptions += 1
            self.ready.set()
            await self._fill()
            while not self._stopping.is_set():
                # A bounded wait rather than a blocking read: it behaves the same with or without socket timeouts.
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.1)
                if message is not None and message["type"] == "message":
                    await self._apply(message["data"])
        finally:
            await pubsub.aclose()

    async def _fill(self) -> None:
        """Copy what Redis holds into memory. Announcements heard meanwhile wait in the subscription and are
        applied after, in order, so they end up over whatever the fill read; a status this instance put
        meanwhile is newer than Redis's and stays."""
        self.loaded = 0
        generation = self._generation
        async with contextlib.aclosing(self._second.entries()) as entries:
            async for user, channel, status, expires in entries:
                if generation != self._generation:
                    return  # memory was dropped meanwhile: whoever dropped it fills it again
                await self._first.keep(user, channel, status, expires, replace=False)
                self.loaded += 1
        self.complete = generation == self._generation and self.ready.is_set()

    async def _apply(self, data: bytes | str) -> None:
        # A message holds one instance's announcements only, so its first line tells whose they all are.
        if data.startswith(self._own_bytes if isinstance(data, bytes) else self._own):
            return
        for line in data.splitlines():
            try:
                event = json.loads(line)
                if "forget_channel" in event:
                    await self._first.forget_channel(int(event["forget_channel"]))
                else:
                    await self._first.put(int(event["user"]), int(event["channel"]), str(event["status"]))
            except (ValueError, KeyError, TypeError):
                # Anyone who can publish to Redis can send anything; one bad line must not end coherence.
                log.warning("ignored a malformed cache announcement on %s", self.channel)
                continue
            self.applied += 1
