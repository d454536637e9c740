"""Two cache levels: this process's memory first, then Redis, shared by every instance.

Reads try memory, then Redis, and keep what Redis knew in memory. Writes go to both levels and are
announced on `<prefix>cache-events`, so other instances replace their in-memory copy at once: a member
seen leaving a channel must not keep passing on another instance until a long positive TTL runs out.
A message missed while disconnected leaves a memory entry stale until that level's own TTL, so the
memory level should be given shorter TTLs than Redis.
"""

import asyncio
import json
from uuid import uuid4

from adapters.redis.errors import bounded
from adapters.redis.membership_cache import RedisMembershipCache
from application.ports.membership_cache import MembershipCache


class LayeredMembershipCache:
    def __init__(self, first: MembershipCache, second: RedisMembershipCache, instance_id: str | None = None) -> None:
        self._first = first
        self._second = second
        self.instance_id = instance_id or uuid4().hex
        self.channel = f"{second.prefix}cache-events"
        self.ready = asyncio.Event()  # set once listen() is subscribed, so callers can wait for it
        self.applied = 0  # puts from other instances applied to the memory level
        self._stopping = asyncio.Event()

    async def get_many(self, user_id: int, channels: list[int]) -> dict[int, str]:
        found = await self._first.get_many(user_id, channels)
        rest = [c for c in channels if c not in found]
        if rest:
            shared = await self._second.get_many(user_id, rest)
            for channel, status in shared.items():
                await self._first.put(user_id, channel, status)
            found.update(shared)
        return found

    async def put(self, user_id: int, channel_id: int, status: str) -> None:
        await self._first.put(user_id, channel_id, status)
        event = {"origin": self.instance_id, "user": user_id, "channel": channel_id, "status": status}
        await self._second.put(user_id, channel_id, status, announce=(self.channel, json.dumps(event)))

    def stop(self) -> None:
        self._stopping.set()

    async def forget_local(self) -> None:
        """Drop only this process's level, as a restart would."""
        await self._first.clear()

    async def clear(self) -> None:
        # Other instances' memory levels are not told; their entries age out on their own TTLs.
        await self._first.clear()
        await self._second.clear()

    async def listen(self) -> None:
        """Apply other instances' puts to the memory level until stop() is called.

        Stopped by a flag, not by cancelling: redis-py's get_message can swallow a cancellation and then
        wait forever, so the loop checks the flag between short reads instead.
        """
        pubsub = self._second.client.pubsub()
        try:
            await bounded(pubsub.subscribe(self.channel), self._second.timeout, "SUBSCRIBE")
            self.ready.set()
            while not self._stopping.is_set():
                # A bounded wait rather than a blocking read: it behaves the same with or without socket timeouts.
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.1)
                if message is None or message["type"] != "message":
                    continue
                event = json.loads(message["data"])
                if event["origin"] != self.instance_id:
                    await self._first.put(event["user"], event["channel"], event["status"])
                    self.applied += 1
        finally:
            self.ready.clear()
            await pubsub.aclose()
