"""The embedded log: one SQLite file, in eventsourcing's table layout, so history survives restarts.

sqlite3 is called directly rather than through a thread: every call is a local file operation of
well under a millisecond, cheaper than a thread hop, and writes are serialised by SQLite anyway.
"""

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from application.ports.event_store import ConcurrencyConflict, Recorded, Tracking
from infrastructure.event_codec import EventCodec
from infrastructure.event_hashing import chain
from infrastructure.log_chain import Head, Linker, LoggedRow

_SCHEMA = """
CREATE TABLE IF NOT EXISTS stored_events (
    notification_id INTEGER PRIMARY KEY AUTOINCREMENT,
    originator_id TEXT NOT NULL,
    originator_version INTEGER NOT NULL,
    topic TEXT NOT NULL,
    state BLOB NOT NULL,
    UNIQUE (originator_id, originator_version)
);
CREATE TABLE IF NOT EXISTS snapshots (
    originator_id TEXT NOT NULL,
    originator_version INTEGER NOT NULL,
    topic TEXT NOT NULL,
    state BLOB NOT NULL,
    PRIMARY KEY (originator_id, originator_version)
);
CREATE TABLE IF NOT EXISTS tracking (
    application_name TEXT PRIMARY KEY,
    notification_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS log_head (
    single INTEGER PRIMARY KEY CHECK (single = 1),
    position INTEGER NOT NULL,
    link BLOB NOT NULL,
    keyed_by BLOB,
    seal BLOB
);
"""
# Evidence added to logs created before it existed: the stream hash (infrastructure/event_hashing.py), then
# the log chain (infrastructure/log_chain.py).
_ADDED_COLUMNS = {"hash": "BLOB", "link": "BLOB", "keyed_by": "BLOB"}


class SqliteEventStore:
    def __init__(self, path: str | Path, codec: EventCodec | None = None, linker: Linker | None = None) -> None:
        self._codec = codec or EventCodec()
        self._linker = linker or Linker()
        self.path = path
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # No busy timeout: sqlite3 would wait for a lock by sleeping in the event loop's thread. A busy file is
        # waited for by awaiting instead (adapters/sqlite/guarded.py).
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=0)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        present = {c[1] for c in self._db.execute("PRAGMA table_info(stored_events)")}
        for column, kind in _ADDED_COLUMNS.items():
            if column not in present:
                self._db.execute(f"ALTER TABLE stored_events ADD COLUMN {column} {kind}")

    async def append(self, events: Sequence[Any], tracking: Tracking | None = None) -> list[int]:
        return await self.append_stored([self._codec.encode(e) for e in events], tracking)

    async def append_stored(self, rows: Sequence[StoredEvent], tracking: Tracking | None = None) -> list[int]:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            # Under the write lock BEGIN IMMEDIATE took, no other writer can add to a stream or to the log between
            # our reading the hashes and the head we continue from and our insert.
            hashes = chain(rows, self._stored_hash)
            links = self._linker.links(self._head_link(), hashes)
            positions = []
            for row, digest, link in zip(rows, hashes, links, strict=True):
                cursor = db.execute(
                    "INSERT INTO stored_events (originator_id, originator_version, topic, state, hash, link, keyed_by) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (row.originator_id.hex, row.originator_version, row.topic, row.state, digest, link,
                     self._linker.fingerprint),
                )
                positions.append(cursor.lastrowid)
            if rows:
                head = self._linker.head(positions[-1], links[-1])
                db.execute(
                    "INSERT OR REPLACE INTO log_head (single, position, link, keyed_by, seal) VALUES (1, ?, ?, ?, ?)",
                    (head.position, head.link, head.keyed_by, head.seal),
                )
            if tracking is not None:
                self._track(tracking)
            db.execute("COMMIT")
        except sqlite3.IntegrityError as error:
            db.execute("ROLLBACK")
            raise ConcurrencyConflict(str(error)) from None
        except BaseException:
            # After an I/O error SQLite may have rolled back already; a failing ROLLBACK would hide the cause.
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        return positions

    def _track(self, tracking: Tracking) -> None:
        current = self._db.execute(
            "SELECT notification_id FROM tracking WHERE application_name = ?", (tracking.reader,)
        ).fetchone()
        if current is not None and current[0] >= tracking.position:
            raise sqlite3.IntegrityError(f"{tracking.reader} already at {current[0]}")
        self._db.execute(
            "INSERT INTO tracking (application_name, notification_id) VALUES (?, ?) "
            "ON CONFLICT (application_name) DO UPDATE SET notification_id = excluded.notification_id",
            (tracking.reader, tracking.position),
        )

    def _stored_hash(self, stream_id: UUID, version: int) -> bytes | None:
        found = self._db.execute(
            "SELECT hash FROM stored_events WHERE originator_id = ? AND originator_version = ?",
            (stream_id.hex, version),
        ).fetchone()
        return None if found is None or found[0] is None else bytes(found[0])

    def _head_link(self) -> bytes | None:
        found = self._db.execute("SELECT link FROM log_head").fetchone()
        return None if found is None else _blob(found[0])

    async def read_all_stored(self, after: int = 0, limit: int = 1000) -> list[tuple[int, StoredEvent, bytes | None]]:
        """Raw rows with their stream hashes (nothing decoded, so nothing can fail to decode)."""
        return [(r.position, r.event, r.stream_hash) for r in await self.read_log(after, limit)]

    async def read_log(self, after: int = 0, limit: int = 1000) -> list[LoggedRow]:
        """Raw rows with their stream hashes and log links, for the auditor."""
        rows = self._db.execute(
            "SELECT notification_id, originator_id, originator_version, topic, state, hash, link, keyed_by "
            "FROM stored_events WHERE notification_id > ? ORDER BY notification_id LIMIT ?",
            (after, limit),
        ).fetchall()
        return [
            LoggedRow(n, StoredEvent(UUID(hex=o), v, t, _blob(s)), _maybe_blob(h), _maybe_blob(lk), _maybe_blob(k))
            for n, o, v, t, s, h, lk, k in rows
        ]

    async def log_head(self) -> Head | None:
        found = self._db.execute("SELECT position, link, keyed_by, seal FROM log_head").fetchone()
        return None if found is None else Head(found[0], _blob(found[1]), _maybe_blob(found[2]), _maybe_blob(found[3]))

    async def tracking_positions(self) -> dict[str, int]:
        return dict(self._db.execute("SELECT application_name, notification_id FROM tracking ORDER BY 1").fetchall())

    async def read_stream(self, stream_id: UUID, after_version: int = 0) -> list[Any]:
        rows = self._db.execute(
            "SELECT originator_version, topic, state FROM stored_events "
            "WHERE originator_id = ? AND originator_version > ? ORDER BY originator_version",
            (stream_id.hex, after_version),
        ).fetchall()
        return [self._codec.decode(StoredEvent(stream_id, v, t, bytes(s))) for v, t, s in rows]

    async def read_all(self, after: int = 0, limit: int = 1000, topics: Sequence[str] = ()) -> list[Recorded]:
        wanted = f" AND topic IN ({', '.join('?' * len(topics))})" if topics else ""
        rows = self._db.execute(
            "SELECT notification_id, originator_id, originator_version, topic, state FROM stored_events "
            f"WHERE notification_id > ?{wanted} ORDER BY notification_id LIMIT ?",
            (after, *topics, limit),
        ).fetchall()
        return [
            Recorded(n, self._codec.decode(StoredEvent(UUID(hex=o), v, t, bytes(s)))) for n, o, v, t, s in rows
        ]

    async def last_position(self) -> int:
        row = self._db.execute("SELECT MAX(notification_id) FROM stored_events").fetchone()
        return row[0] or 0

    async def tracking_position(self, reader: str) -> int:
        row = self._db.execute(
            "SELECT notification_id FROM tracking WHERE application_name = ?", (reader,)
        ).fetchone()
        return row[0] if row else 0

    async def save_snapshot(self, snapshot: Any) -> None:
        row = self._codec.encode(snapshot)
        self._db.execute(
            "INSERT OR IGNORE INTO snapshots (originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?)",
            (row.originator_id.hex, row.originator_version, row.topic, row.state),
        )

    async def latest_snapshot(self, stream_id: UUID) -> Any | None:
        found = self._db.execute(
            "SELECT originator_version, topic, state FROM snapshots WHERE originator_id = ? "
            "ORDER BY originator_version DESC LIMIT 1",
            (stream_id.hex,),
        ).fetchone()
        if found is None:
            return None
        return self._codec.decode(StoredEvent(stream_id, found[0], found[1], bytes(found[2])))

    async def load_stream(self, stream_id: UUID) -> tuple[Any | None, list[Any]]:
        # Both reads are local and nothing awaits between them, so no append can come in between.
        snapshot = await self.latest_snapshot(stream_id)
        return snapshot, await self.read_stream(stream_id, snapshot.originator_version if snapshot else 0)

    async def close(self) -> None:
        self._db.close()


def _blob(value: bytes | str) -> bytes:
    """SQLite keeps whatever type it is given: a row edited by hand may hold text where bytes belong."""
    return value.encode() if isinstance(value, str) else bytes(value)


def _maybe_blob(value: bytes | str | None) -> bytes | None:
    return None if value is None else _blob(value)
