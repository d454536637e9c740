"""The PostgreSQL store as the application needs it in an outage: it fails fast and says so.

Every call gets a deadline, and every way asyncpg reports a lost, refused, overloaded or not yet writable
server becomes StoreUnavailable, which the application answers by spooling (nothing is decided unrecorded).
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg

from adapters.guarded_store import GuardedStore, StoreUnavailable
from adapters.postgres.event_store import PostgresEventStore
from adapters.postgres.migrations import ensure_database
from infrastructure.log_chain import Linker

T = TypeVar("T")

_LOST = (
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    OSError,
    asyncpg.OperatorInterventionError,  # shutting down, starting up, a statement cancelled
    asyncpg.InsufficientResourcesError,  # disk full, out of memory, too many connections
    asyncpg.LockNotAvailableError,  # the events table's lock waited for past lock_timeout
    asyncpg.ReadOnlySQLTransactionError,  # a failover left us on a server that cannot write yet
)
OPEN_TIMEOUT = 10.0  # asyncpg waits a minute for a server that does not answer; a start should say so sooner


async def unless_lost(call: Awaitable[T], what: str, timeout: float) -> T:
    """`call`, or StoreUnavailable when the server does not answer in time, refuses, or drops the connection."""
    try:
        return await asyncio.wait_for(call, timeout)
    except TimeoutError as error:
        raise StoreUnavailable(f"{what}: no answer within {timeout}s") from error
    except _LOST as error:
        raise StoreUnavailable(f"{what}: {type(error).__name__}") from error


class GuardedEventStore(GuardedStore):
    def __init__(self, inner: PostgresEventStore, timeout: float = 15.0) -> None:
        super().__init__(inner)
        self._timeout = timeout

    async def _guard(self, call: Callable[[], Awaitable[T]], what: str) -> T:
        return await unless_lost(call(), what, self._timeout)


async def open_guarded(dsn: str, timeout: float = OPEN_TIMEOUT, linker: Linker | None = None) -> GuardedEventStore:
    """Create the database if needed, migrate and connect; StoreUnavailable while the server is out of reach."""
    await unless_lost(ensure_database(dsn), "connect", timeout)
    return GuardedEventStore(await unless_lost(PostgresEventStore.open(dsn, linker=linker), "connect", timeout))
