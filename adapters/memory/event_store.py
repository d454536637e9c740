"""The log kept in a list: for tests and for runs that need nothing to survive."""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from application.ports.event_store import ConcurrencyConflict, Recorded, Tracking
from infrastructure.event_codec import EventCodec
from infrastructure.event_hashing import chain
from infrastructure.log_chain import Head, Linker, LoggedRow


class InMemoryEventStore:
    def __init__(self, codec: EventCodec | None = None, linker: Linker | None = None) -> None:
        self._codec = codec or EventCodec()
        self._linker = linker or Linker()
        self._rows: list[StoredEvent] = []  # position = index + 1
        self._hashes: list[bytes | None] = []  # the streams' hash chains, alongside the rows
        self._links: list[bytes] = []  # the log chain, alongside the rows
        self._head: Head | None = None
        self._versions: dict[UUID, list[int]] = {}  # stream -> positions, in version order
        self._tracking: dict[str, int] = {}
        self._snapshots: dict[UUID, StoredEvent] = {}

    async def append(self, events: Sequence[Any], tracking: Tracking | None = None) -> list[int]:
        return await self.append_stored([self._codec.encode(e) for e in events], tracking)

    async def append_stored(self, stored: Sequence[StoredEvent], tracking: Tracking | None = None) -> list[int]:
        seen: dict[UUID, int] = {}
        for row in stored:
            current = seen.get(row.originator_id, len(self._versions.get(row.originator_id, [])))
            if row.originator_version != current + 1:
                raise ConcurrencyConflict(f"{row.originator_id} v{row.originator_version}")
            seen[row.originator_id] = row.originator_version
        if tracking is not None and tracking.position <= self._tracking.get(tracking.reader, 0):
            raise ConcurrencyConflict(f"{tracking.reader} already at {self._tracking[tracking.reader]}")
        positions = []
        hashes = chain(stored, self._stored_hash)
        links = self._linker.links(self._head.link if self._head else None, hashes)
        for row, digest, link in zip(stored, hashes, links, strict=True):
            self._rows.append(row)
            self._hashes.append(digest)
            self._links.append(link)
            self._versions.setdefault(row.originator_id, []).append(len(self._rows))
            positions.append(len(self._rows))
        if stored:
            self._head = self._linker.head(positions[-1], links[-1])
        if tracking is not None:
            self._tracking[tracking.reader] = tracking.position
        return positions

    async def read_stream(self, stream_id: UUID, after_version: int = 0) -> list[Any]:
        positions = self._versions.get(stream_id, [])[after_version:]
        return [self._codec.decode(self._rows[p - 1]) for p in positions]

    async def read_all(self, after: int = 0, limit: int = 1000, topics: Sequence[str] = ()) -> list[Recorded]:
        if topics:
            found = [(i + 1, r) for i, r in enumerate(self._rows[after:], start=after) if r.topic in topics][:limit]
            return [Recorded(n, self._codec.decode(r)) for n, r in found]
        rows = self._rows[after : after + limit]
        return [Recorded(after + i + 1, self._codec.decode(r)) for i, r in enumerate(rows)]

    def _stored_hash(self, stream_id: UUID, version: int) -> bytes | None:
        positions = self._versions.get(stream_id, [])
        return self._hashes[positions[version - 1] - 1] if 0 < version <= len(positions) else None

    async def read_all_stored(self, after: int = 0, limit: int = 1000) -> list[tuple[int, StoredEvent, bytes | None]]:
        """Raw rows with their stream hashes (nothing decoded, so nothing can fail to decode)."""
        return [(r.position, r.event, r.stream_hash) for r in await self.read_log(after, limit)]

    async def read_log(self, after: int = 0, limit: int = 1000) -> list[LoggedRow]:
        """Raw rows with their stream hashes and log links, for the auditor."""
        end = after + limit
        rows = zip(self._rows[after:end], self._hashes[after:end], self._links[after:end], strict=True)
        keyed_by = self._linker.fingerprint
        return [LoggedRow(after + i + 1, row, digest, link, keyed_by) for i, (row, digest, link) in enumerate(rows)]

    async def log_head(self) -> Head | None:
        return self._head

    async def tracking_positions(self) -> dict[str, int]:
        return dict(sorted(self._tracking.items()))

    async def last_position(self) -> int:
        return len(self._rows)

    async def tracking_position(self, reader: str) -> int:
        return self._tracking.get(reader, 0)

    async def save_snapshot(self, snapshot: Any) -> None:
        row = self._codec.encode(snapshot)
        current = self._snapshots.get(row.originator_id)
        if current is None or current.originator_version < row.originator_version:
            self._snapshots[row.originator_id] = row

    async def latest_snapshot(self, stream_id: UUID) -> Any | None:
        row = self._snapshots.get(stream_id)
        return None if row is None else self._codec.decode(row)

    async def load_stream(self, stream_id: UUID) -> tuple[Any | None, list[Any]]:
        snapshot = await self.latest_snapshot(stream_id)
        return snapshot, await self.read_stream(stream_id, snapshot.originator_version if snapshot else 0)

    async def close(self) -> None:
        pass
