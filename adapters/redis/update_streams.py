"""The update bus: one Redis stream per partition, written by the gateway, read by the partition's owner.

Each entry is one gate command (the gateway translated Telethon's update already) encoded by the spool's codec.
A partition's owner reads from the partition's acknowledged offset and moves the offset only past entries
whose decisions are recorded; the move is fenced by the owner's lease (a worker that lost the partition
cannot move it). A new owner therefore starts right after the last acknowledged entry: what the previous
owner handled but had not acknowledged is handled again, which the gate takes like any update Telegram
delivers twice. Entries before the offset are trimmed away.
"""

from typing import Any

from application.ownership import CONTROL, Partition, all_partitions, route
from infrastructure.command_codec import CommandCodec

FIELD = b"c"
# Moves the offset only while the caller's lease token is the partition's lease; trims what is behind it.
_ACK = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('XTRIM', KEYS[3], 'MINID', ARGV[3])
return 1
"""


def _next_id(entry_id: str) -> str:
    """The smallest id after `entry_id` (XTRIM MINID keeps ids >= it)."""
    ms, seq = entry_id.split("-")
    return f"{ms}-{int(seq) + 1}"


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class UpdateStreams:
    def __init__(self, client: Any, prefix: str, partitions: int, codec: CommandCodec | None = None) -> None:
        self._client = client
        self._prefix = f"{prefix}bus:"
        self.partitions = partitions
        self._codec = codec or CommandCodec()
        self._ack = client.register_script(_ACK)

    def stream(self, partition: Partition) -> str:
        return f"{self._prefix}{'control' if partition == CONTROL else f'p{partition}'}"

    def _offset(self, partition: Partition) -> str:
        return f"{self.stream(partition)}:offset"

    async def publish(self, command: Any) -> tuple[Partition, str]:
        """Append the command to its partition; once this returns, the update survives the gateway."""
        partition = route(command, self.partitions)
        entry = await self._client.xadd(self.stream(partition), {FIELD: self._codec.encode(command)})
        return partition, _text(entry)

    async def publish_many(self, commands: list[Any]) -> None:
        """Several updates in one pipeline, in their order (each partition's stream keeps it)."""
        if not commands:
            return
        pipe = self._client.pipeline(transaction=False)
        for command in commands:
            pipe.xadd(self.stream(route(command, self.partitions)), {FIELD: self._codec.encode(command)})
        await pipe.execute()

    async def offset(self, partition: Partition) -> str:
        found = await self._client.get(self._offset(partition))
        return _text(found) if found is not None else "0-0"

    async def read(self, partition: Partition, after: str, count: int = 200, block_ms: int | None = None
                   ) -> list[tuple[str, Any]]:
        """Entries after `after`, decoded: [(entry id, command)]."""
        answer = await self._client.xread({self.stream(partition): after}, count=count, block=block_ms)
        entries = answer[0][1] if answer else []
        return [(_text(entry_id), self._codec.decode(_text(fields[FIELD]))) for entry_id, fields in entries]

    async def acknowledge(self, partition: Partition, entry_id: str, lease_key: str, token: str) -> bool:
        """Everything up to `entry_id` is recorded; False (nothing moved) when `token` no longer holds the lease."""
        keys = [lease_key, self._offset(partition), self.stream(partition)]
        return bool(await self._ack(keys=keys, args=[token, entry_id, _next_id(entry_id)]))

    async def lag(self) -> dict[str, int]:
        """Entries waiting after each partition's acknowledged offset (what Grafana shows as stream lag)."""
        # Acknowledging trims the stream up to the offset, so its length is what waits.
        pipe = self._client.pipeline(transaction=False)
        partitions = all_partitions(self.partitions)
        for partition in partitions:
            pipe.xlen(self.stream(partition))
        return {str(p): int(n) for p, n in zip(partitions, await pipe.execute(), strict=True)}

    async def pending(self) -> int:
        return sum((await self.lag()).values())
