"""The production log: eventsourcing's PostgreSQL tables, written and read with asyncpg.

Writes go through one server-side call per append (see append_function), so a batch of any size costs
one statement, after one indexed read of the hashes its streams' chains continue from (see
_predecessor_hashes); appends that wait at the same moment share one (see group_commit). The log chain
continues from the head this process last wrote or was told of, so linking reads nothing first either.
The raw methods (append_stored, select_stored, notifications, tracked) speak
eventsourcing's StoredEvent so its tools can run against this store.
"""

import asyncio
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import asyncpg
from eventsourcing.persistence import Notification, StoredEvent

from adapters.postgres.append_function import HEAD_MOVED
from adapters.postgres.group_commit import GroupCommit
from adapters.postgres.migrations import migrate
from adapters.postgres.tables import Tables
from application.ports.event_store import ConcurrencyConflict, Recorded, Tracking
from infrastructure.event_codec import EventCodec
from infrastructure.event_hashing import chain, predecessors, stream_of
from infrastructure.log_chain import Head, Linker, LoggedRow

HEADS_KEPT = 100_000  # streams whose last hash is remembered
WRITERS = 2  # connections for appends: one group commit at a time, and the reactor's tracking beside it
RELINKS = 100  # appends by other processes an append may see slip in before its own, one after the other
_UNREAD = b"unread"  # the log head before this process first needs it


class PostgresEventStore:
    def __init__(
        self,
        pool: asyncpg.Pool,
        dsn: str,
        tables: Tables,
        codec: EventCodec,
        lock_timeout: float,
        writers: asyncpg.Pool | None = None,
        linker: Linker | None = None,
    ) -> None:
        self._pool = pool
        # Appends have connections of their own: a group commit never queues behind hundreds of reads.
        self._writers = writers or pool
        self._dsn = dsn
        self._tables = tables
        self._codec = codec
        self._lock_timeout_ms = int(lock_timeout * 1000)
        self._linker = linker or Linker()
        self._append_sql = f"SELECT {tables.append}({', '.join(f'${n}' for n in range(1, 13))})"
        # The latest snapshot (flagged, first) and the events after it, in one round trip and one MVCC snapshot.
        self._load_sql = (
            f"WITH s AS (SELECT originator_version, topic, state FROM {tables.snapshots} WHERE originator_id = $1 "
            "ORDER BY originator_version DESC LIMIT 1) "
            "SELECT true, originator_version, topic, state FROM s "
            f"UNION ALL SELECT false, originator_version, topic, state FROM {tables.events} "
            "WHERE originator_id = $1 AND originator_version > coalesce((SELECT originator_version FROM s), 0) "
            "ORDER BY 1 DESC, 2"
        )
        self._group_commit = GroupCommit(self._append_now)
        self._heads: OrderedDict[UUID, tuple[int, bytes]] = OrderedDict()  # stream -> last version we wrote, hash
        self._log_head: bytes | None = _UNREAD  # the link of the log's last linked row, as far as we know
        # One append of this process links at a time: the table lock serialises them anyway, and two linking
        # from the same head would only send one of them round again.
        self._linking = asyncio.Lock()
        self._listener: asyncpg.Connection | None = None
        self._listener_lock = asyncio.Lock()
        self._notified = 0  # NOTIFYs received; lets a follower ask "anything since count n?" without a gap
        self._waiters: set[asyncio.Future[None]] = set()

    @classmethod
    async def open(
        cls,
        dsn: str,
        name: str = "chanwarden",
        codec: EventCodec | None = None,
        schema: str | None = None,
        *,
        lock_timeout: float = 10.0,
        pool_size: int = 20,
        linker: Linker | None = None,
    ) -> "PostgresEventStore":
        """Migrate the schema, then connect. An append waiting longer than lock_timeout for the
        table lock fails with asyncpg.LockNotAvailableError rather than hanging the bot."""
        await migrate(dsn, name, schema)
        # Custom plans: a prepared statement's generic plan, made while the table was empty, would keep
        # scanning the whole table for a predecessor's hash long after the primary key could find it.
        settings = {"plan_cache_mode": "force_custom_plan"}
        pool = await asyncpg.create_pool(dsn, min_size=1, max_size=pool_size, reset=_keep_session,
                                         server_settings=settings)
        writers = await asyncpg.create_pool(dsn, min_size=1, max_size=WRITERS, reset=_keep_session,
                                            server_settings=settings)
        tables = Tables(name, schema or "public")
        return cls(pool, dsn, tables, codec or EventCodec(), lock_timeout, writers, linker)

    # The port.

    async def append(self, events: Sequence[Any], tracking: Tracking | None = None) -> list[int]:
        return await self.append_stored([self._codec.encode(e) for e in events], tracking)

    async def read_stream(self, stream_id: UUID, after_version: int = 0) -> list[Any]:
        return [self._codec.decode(row) for row in await self.select_stored(stream_id, gt=after_version)]

    async def read_all(self, after: int = 0, limit: int = 1000, topics: Sequence[str] = ()) -> list[Recorded]:
        return [Recorded(n.id, self._codec.decode(n)) for n in await self.notifications(after, limit, topics=topics)]

    async def last_position(self) -> int:
        return await self._pool.fetchval(f"SELECT coalesce(max(notification_id), 0) FROM {self._tables.events}")

    async def tracking_position(self, reader: str) -> int:
        return await self.tracked(reader) or 0

    async def close(self) -> None:
        """Release followers still waiting, then disconnect; closing twice is harmless."""
        self._wake()
        if self._listener is not None:
            await self._listener.close()
        for pool in {self._pool, self._writers}:
            if not pool.is_closing():
                await pool.close()

    async def save_snapshot(self, snapshot: Any) -> None:
        row = self._codec.encode(snapshot)
        await self._pool.execute(
            f"INSERT INTO {self._tables.snapshots} (originator_id, originator_version, topic, state) "
            "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            row.originator_id, row.originator_version, row.topic, row.state,
        )

    async def latest_snapshot(self, stream_id: UUID) -> Any | None:
        found = await self._pool.fetchrow(
            f"SELECT originator_version, topic, state FROM {self._tables.snapshots} WHERE originator_id = $1 "
            "ORDER BY originator_version DESC LIMIT 1",
            stream_id,
        )
        return None if found is None else self._codec.decode(StoredEvent(stream_id, found[0], found[1], found[2]))

    async def load_stream(self, stream_id: UUID) -> tuple[Any | None, list[Any]]:
        rows = await self._pool.fetch(self._load_sql, stream_id)
        decoded = [self._codec.decode(StoredEvent(stream_id, r[1], r[2], r[3])) for r in rows]
        if rows and rows[0][0]:  # the snapshot's row, which sorts first
            return decoded[0], decoded[1:]
        return None, decoded

    # Following the log as it grows.

    async def wait_for_events(self, timeout: float, seen: int | None = None) -> bool:
        """True once an append commits (its NOTIFY arrives), False when `timeout` seconds pass first.

        A follower that passes `seen` from notification_count() before reading also learns of appends
        that committed between its read and this call, which a plain wait would sleep through.
        """
        await self._listen()
        if seen is None:
            seen = self._notified
        if self._notified == seen:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.add(waiter)
            try:
                await asyncio.wait_for(waiter, timeout)
            except TimeoutError:
                pass
            finally:
                self._waiters.discard(waiter)
        return self._notified != seen

    async def notification_count(self) -> int:
        await self._listen()
        return self._notified

    async def _listen(self) -> None:
        async with self._listener_lock:
            if self._listener is not None and not self._listener.is_closed():
                return
            if self._pool.is_closing():
                raise RuntimeError("the event store is closed")
            if self._listener is not None:
                self._wake()  # NOTIFYs sent while it was down are lost: make followers read again
            self._listener = await asyncpg.connect(self._dsn)
            await self._listener.add_listener(self._tables.channel, self._on_notify)

    def _on_notify(self, *_: Any) -> None:
        self._wake()

    def _wake(self) -> None:
        self._notified += 1
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)

    # Stored events, for eventsourcing's recorder interface and anything else below the codec.

    async def append_stored(self, rows: Sequence[StoredEvent], tracking: Tracking | None = None) -> list[int]:
        if not rows and tracking is None:
            return []
        if tracking is None:
            return await self._group_commit.append(rows)
        return await self._append_now(rows, tracking)

    async def _append_now(self, rows: Sequence[StoredEvent], tracking: Tracking | None = None) -> list[int]:
        if not rows:
            return await self._call(rows, [], [], None, tracking)
        hashes = chain(rows, await self._predecessor_hashes(rows))
        async with self._linking:
            if self._log_head is _UNREAD:
                self._log_head = await self._pool.fetchval(f"SELECT link FROM {self._tables.head}")
            for _ in range(RELINKS):
                links = self._linker.links(self._log_head, hashes)
                try:
                    positions = await self._call(rows, hashes, links, self._log_head, tracking)
                except asyncpg.PostgresError as error:
                    if error.sqlstate != HEAD_MOVED:
                        raise
                    self._log_head = bytes.fromhex(error.detail or "") or None  # another process appended
                    continue
                self._log_head = links[-1]
                self._remember_heads(rows, hashes)
                return positions
        raise RuntimeError(f"the log's head moved {RELINKS} times in a row under this append: other writers "
                           "keep appending; try again")

    async def _call(
        self,
        rows: Sequence[StoredEvent],
        hashes: Sequence[bytes],
        links: Sequence[bytes],
        after: bytes | None,
        tracking: Tracking | None,
    ) -> list[int]:
        try:
            positions = await self._writers.fetchval(
                self._append_sql,
                [r.originator_id for r in rows],
                [r.originator_version for r in rows],
                [r.topic for r in rows],
                [r.state for r in rows],
                tracking.reader if tracking else None,
                tracking.position if tracking else None,
                self._lock_timeout_ms,
                hashes,
                links,
                after,
                self._linker.fingerprint,
                self._linker.seal(links[-1]) if links else None,
            )
        except asyncpg.UniqueViolationError as error:
            raise ConcurrencyConflict(error.detail or str(error)) from None
        return list(positions)

    def _remember_heads(self, rows: Sequence[StoredEvent], hashes: Sequence[bytes]) -> None:
        """The hash of the last row written to each stream: the next append there chains from it unread."""
        for row, digest in zip(rows, hashes, strict=True):
            stream = stream_of(row)
            self._heads[stream] = (row.originator_version, digest)
            self._heads.move_to_end(stream)
        while len(self._heads) > HEADS_KEPT:
            self._heads.popitem(last=False)

    async def _predecessor_hashes(self, rows: Sequence[StoredEvent]) -> Any:
        """The stored hashes the batch's chain continues from, read before the append's transaction.

        Reading them outside the table lock is safe: the row at version v-1 of a stream never changes once
        committed, so its hash is the same when our append commits; and the append commits only if version v
        is still free, which the primary key checks under the lock (a loser gets ConcurrencyConflict, reloads
        and recomputes). Writers append versions contiguous with what they loaded, so the predecessor they
        chain from is already committed when they read it. Holding the lock across this extra round trip
        would serialise every writer for longer for no gain.
        """
        known: dict[tuple[UUID, int], bytes] = {}
        needed = []
        for stream, version in predecessors(rows):
            head = self._heads.get(stream)
            if head is not None and head[0] == version:
                known[stream, version] = head[1]  # written by this process: it cannot have changed
            elif version > 0:  # a new stream has no predecessor to read
                needed.append((stream, version))
        if not needed:
            return lambda stream, version: known.get((stream, version))
        found = await self._pool.fetch(
            f"SELECT e.originator_id, e.originator_version, e.hash FROM {self._tables.events} e "
            "JOIN unnest($1::uuid[], $2::bigint[]) AS p(i, v) ON e.originator_id = p.i AND e.originator_version = p.v",
            [i for i, _ in needed], [v for _, v in needed],
        )
        known.update({(UUID(bytes=r[0].bytes), r[1]): r[2] for r in found})
        return lambda stream, version: known.get((stream, version))

    async def read_all_stored(self, after: int = 0, limit: int = 1000) -> list[tuple[int, StoredEvent, bytes | None]]:
        """Raw rows with their stream hashes (nothing decoded, so nothing can fail to decode)."""
        return [(r.position, r.event, r.stream_hash) for r in await self.read_log(after, limit)]

    async def read_log(self, after: int = 0, limit: int = 1000) -> list[LoggedRow]:
        """Raw rows with their stream hashes and log links, for the auditor."""
        rows = await self._pool.fetch(
            "SELECT notification_id, originator_id, originator_version, topic, state, hash, link, keyed_by "
            f"FROM {self._tables.events} WHERE notification_id > $1 ORDER BY notification_id LIMIT $2",
            after, limit,
        )
        return [LoggedRow(r[0], StoredEvent(UUID(bytes=r[1].bytes), r[2], r[3], r[4]), r[5], r[6], r[7]) for r in rows]

    async def log_head(self) -> Head | None:
        found = await self._pool.fetchrow(f"SELECT position, link, keyed_by, seal FROM {self._tables.head}")
        return None if found is None else Head(*found)

    async def tracking_positions(self) -> dict[str, int]:
        """Every reader's position in this log (eventsourcing's marker row, which is no reader, left out)."""
        rows = await self._pool.fetch(
            f"SELECT application_name, notification_id FROM {self._tables.tracking} "
            "WHERE application_name <> '__migration__' ORDER BY application_name"
        )
        return {r[0]: r[1] for r in rows}

    async def select_stored(
        self,
        stream_id: UUID,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> list[StoredEvent]:
        sql = f"SELECT originator_version, topic, state FROM {self._tables.events} WHERE originator_id = $1"
        args: list[Any] = [stream_id]
        if gt is not None:
            args.append(gt)
            sql += f" AND originator_version > ${len(args)}"
        if lte is not None:
            args.append(lte)
            sql += f" AND originator_version <= ${len(args)}"
        sql += " ORDER BY originator_version DESC" if desc else " ORDER BY originator_version"
        if limit is not None:
            args.append(limit)
            sql += f" LIMIT ${len(args)}"
        rows = await self._pool.fetch(sql, *args)
        return [StoredEvent(stream_id, r[0], r[1], r[2]) for r in rows]

    async def notifications(
        self, after: int, limit: int, stop: int | None = None, topics: Sequence[str] = ()
    ) -> list[Notification]:
        """Rows with positions after `after` (and up to `stop`), in position order."""
        sql = (
            "SELECT notification_id, originator_id, originator_version, topic, state "
            f"FROM {self._tables.events} WHERE notification_id > $1"
        )
        args: list[Any] = [after]
        if stop is not None:
            args.append(stop)
            sql += f" AND notification_id <= ${len(args)}"
        if topics:
            args.append(list(topics))
            sql += f" AND topic = ANY(${len(args)}::text[])"
        args.append(limit)
        sql += f" ORDER BY notification_id LIMIT ${len(args)}"
        rows = await self._pool.fetch(sql, *args)
        return [
            Notification(id=r[0], originator_id=UUID(bytes=r[1].bytes), originator_version=r[2], topic=r[3], state=r[4])
            for r in rows
        ]

    async def tracked(self, reader: str) -> int | None:
        return await self._pool.fetchval(
            f"SELECT notification_id FROM {self._tables.tracking} WHERE application_name = $1", reader
        )


async def _keep_session(_: asyncpg.Connection) -> None:
    """Skip asyncpg's reset query on release, which would double the round trips of every call.

    Safe because pool connections never carry session state: settings are SET LOCAL, LISTEN has its own
    connection, and asyncpg still rolls back any transaction left open before calling this.
    """
