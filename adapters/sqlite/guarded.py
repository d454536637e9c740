"""The SQLite store as the application needs it when its file is busy, locked or failing: it never blocks
the event loop and says so.

sqlite3's busy handler sleeps in the calling thread, which here is the event loop's: its default five
seconds froze every update for as long as another process held the write lock. The connection therefore
has no busy timeout (SqliteEventStore), and a busy file is waited for here by awaiting, a few short times;
after that, and at once for a failing disk, the call raises StoreUnavailable and the gate spools the update.
"""

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from adapters.guarded_store import GuardedStore, StoreUnavailable
from adapters.sqlite.event_store import SqliteEventStore
from infrastructure.log_chain import Linker

T = TypeVar("T")

# Primary result codes (https://sqlite.org/rescode.html) that say "not now" rather than "wrong".
BUSY = {5, 6}  # SQLITE_BUSY, SQLITE_LOCKED: another connection holds a lock
FAILING = {8, 10, 13, 14, 15}  # SQLITE_READONLY, SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_PROTOCOL
BUSY_PAUSES = (0.005, 0.01, 0.02, 0.04, 0.08)  # 155 ms in all: a short write by another process is waited out


def out_of_reach(error: sqlite3.Error) -> bool:
    """Whether the error is about the file's state (locked, busy, disk full, I/O) rather than the request."""
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and (code & 0xFF) in BUSY | FAILING


def _busy(error: sqlite3.Error) -> bool:
    return ((getattr(error, "sqlite_errorcode", None) or 0) & 0xFF) in BUSY


class GuardedSqliteStore(GuardedStore):
    async def _guard(self, call: Callable[[], Awaitable[T]], what: str) -> T:
        for pause in (*BUSY_PAUSES, None):
            try:
                return await call()
            except sqlite3.OperationalError as error:
                if not out_of_reach(error):
                    raise
                if pause is None or not _busy(error):
                    raise StoreUnavailable(f"{what}: {error}") from error
                # A failed call rolled its transaction back, so it can run again as it was.
                await asyncio.sleep(pause)


def open_guarded(path: Path, linker: Linker | None = None) -> GuardedSqliteStore:
    """Open the file (its log chain linked by `linker`); StoreUnavailable while it cannot be opened or read."""
    try:
        return GuardedSqliteStore(SqliteEventStore(path, linker=linker))
    except sqlite3.OperationalError as error:
        if out_of_reach(error):
            raise StoreUnavailable(f"open {path.name}: {error}") from error
        raise
