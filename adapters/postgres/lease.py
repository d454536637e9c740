"""The lease of a PostgreSQL store: a session-level advisory lock, held on a connection of its own.

The server releases the lock the moment that connection ends, whether its holder closed it, died, or
lost the network, so a standby can take over at once; and the holder must take a broken connection as
a lost lease, since another process may hold the lock from then on. The key comes from the log's table
name, so two logs in one database have two leases, and one log has one whatever the DSN says.
"""

import asyncio
import contextlib
import hashlib

import asyncpg

from adapters.postgres.guarded import unless_lost
from adapters.postgres.migrations import Tables, ensure_database

CHECK_EVERY = 1.0  # seconds between looks at the lease's connection
ANSWER_WITHIN = 3.0  # a connection that does not answer a look within this is taken as lost


def lease_key(tables: Tables) -> int:
    """A positive 63-bit advisory lock key for the log's events table."""
    digest = hashlib.sha256(f"chanwarden lease {tables.events}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


class PostgresLease:
    def __init__(self, dsn: str, name: str = "chanwarden", schema: str | None = None,
                 check_every: float = CHECK_EVERY) -> None:
        self._dsn = dsn
        self.key = lease_key(Tables(name, schema or "public"))
        self._check_every = check_every
        self._connection: asyncpg.Connection | None = None
        self._held = False

    async def acquire(self) -> bool:
        if self._held:
            return True
        if self._connection is None or self._connection.is_closed():
            await unless_lost(ensure_database(self._dsn), "lease", ANSWER_WITHIN)
            self._connection = await unless_lost(
                asyncpg.connect(self._dsn, server_settings={"application_name": "chanwarden lease"}),
                "lease", ANSWER_WITHIN,
            )
        query = self._connection.fetchval("SELECT pg_try_advisory_lock($1)", self.key)
        self._held = bool(await unless_lost(query, "lease", ANSWER_WITHIN))
        return self._held

    async def lost(self) -> str:
        assert self._connection is not None and self._held
        connection = self._connection
        ended = asyncio.get_running_loop().create_future()
        connection.add_termination_listener(lambda _: ended.done() or ended.set_result(None))
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(ended), self._check_every)
                return "its connection to PostgreSQL ended"
            try:
                await asyncio.wait_for(connection.fetchval("SELECT 1"), ANSWER_WITHIN)
            except (TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as error:
                return f"its connection to PostgreSQL failed ({type(error).__name__})"

    async def release(self) -> None:
        connection, self._connection, self._held = self._connection, None, False
        if connection is not None and not connection.is_closed():
            # Closing the session releases its advisory locks; no unlock call that could hang first.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(connection.close(), ANSWER_WITHIN)
            if not connection.is_closed():
                connection.terminate()
