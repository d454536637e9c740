"""PostgreSQL up but unable to take an append: its events table locked past lock_timeout, or the server read-only
(as after a failover); either is the store being unavailable (the gate spools), not an error."""

import asyncpg
import pytest
from event_store_contract import WHEN

from adapters.guarded_store import StoreUnavailable
from adapters.postgres import PostgresEventStore
from adapters.postgres.event_store import WRITERS
from adapters.postgres.guarded import GuardedEventStore
from adapters.postgres.migrations import Tables
from domain.protected_group import ProtectedGroup


def new_group(chat_id: int) -> list:
    return ProtectedGroup(chat_id=chat_id, title="Chat", timestamp=WHEN).collect_events()


async def test_a_table_lock_held_past_lock_timeout_is_unavailable(pg_dsn: str, log_name: str) -> None:
    store = GuardedEventStore(await PostgresEventStore.open(pg_dsn, name=log_name, lock_timeout=0.2))
    other = await asyncpg.connect(pg_dsn)
    try:
        locking = other.transaction()
        await locking.start()
        await other.execute(f"LOCK TABLE {Tables(log_name).events} IN ACCESS EXCLUSIVE MODE")
        with pytest.raises(StoreUnavailable):
            await store.append(new_group(1))
        await locking.rollback()
        assert await store.append(new_group(1))  # the lock gone, the same append goes through
    finally:
        await other.close()
        await store.close()


async def test_a_read_only_server_is_unavailable(pg_dsn: str, log_name: str) -> None:
    store = GuardedEventStore(await PostgresEventStore.open(pg_dsn, name=log_name))
    try:
        writers = store.inner._writers
        held = [await writers.acquire() for _ in range(WRITERS)]  # every connection an append may take
        for connection in held:
            await connection.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            await writers.release(connection)
        with pytest.raises(StoreUnavailable, match="ReadOnlySQLTransactionError"):
            await store.append(new_group(10))
    finally:
        await store.close()
