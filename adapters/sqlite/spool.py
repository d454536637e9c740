"""The durable spool: one SQLite file (WAL, synchronous=FULL), so a command kept survives a kill or a power cut.

Every write waits for the disk, which takes milliseconds; it runs on a thread of its own so the event loop
goes on meanwhile, and that one thread takes the calls in the order they were made, which keeps the
commands in arrival order. Only the lease holder writes here (see the lease), so the count kept in memory
is the file's.
"""

import asyncio
import logging
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from infrastructure.command_codec import CommandCodec, CommandCodecError

log = logging.getLogger(__name__)
T = TypeVar("T")

_SCHEMA = "CREATE TABLE IF NOT EXISTS spool (position INTEGER PRIMARY KEY AUTOINCREMENT, command TEXT NOT NULL)"


class SqliteSpool:
    def __init__(self, path: str | Path, codec: CommandCodec | None = None) -> None:
        self.path = Path(path)
        self._codec = codec or CommandCodec()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # a commit is on the disk before append returns
        self._db.execute(_SCHEMA)
        self._count = self._db.execute("SELECT count(*) FROM spool").fetchone()[0]
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="spool")

    async def _run(self, call: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._thread, call, *args)

    async def append(self, command: Any) -> None:
        text = self._codec.encode(command)  # here, so a command that cannot be kept fails before anything is written
        self._count += 1  # counted at once: an update arriving meanwhile must queue behind this one
        try:
            await self._run(self._db.execute, "INSERT INTO spool (command) VALUES (?)", (text,))
        except BaseException:
            self._count -= 1
            raise

    async def oldest(self) -> Any | None:
        while True:
            row = await self._run(self._first)
            if row is None:
                return None
            position, text = row
            try:
                return self._codec.decode(text)
            except CommandCodecError as error:
                # Left by another version, or damaged: it can never be handled, so it must not block the rest.
                log.error("dropped spooled command %d that this version cannot read: %s", position, error)
                await self._run(self._db.execute, "DELETE FROM spool WHERE position = ?", (position,))
                self._count -= 1

    def _first(self) -> tuple[int, str] | None:
        return self._db.execute("SELECT position, command FROM spool ORDER BY position LIMIT 1").fetchone()

    async def remove_oldest(self) -> None:
        cursor = await self._run(
            self._db.execute, "DELETE FROM spool WHERE position = (SELECT min(position) FROM spool)"
        )
        self._count -= cursor.rowcount

    async def count(self) -> int:
        return self._count

    async def close(self) -> None:
        await self._run(self._db.close)
        self._thread.shutdown(wait=True)
