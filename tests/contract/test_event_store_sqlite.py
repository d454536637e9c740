from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from event_store_contract import DurableEventStoreContract, StoreFactory

from adapters.sqlite.event_store import SqliteEventStore
from infrastructure.log_chain import Linker


class TestSqliteEventStore(DurableEventStoreContract):
    @pytest.fixture
    async def make_store(self, tmp_path: Path) -> AsyncIterator[StoreFactory]:
        opened: list[SqliteEventStore] = []

        async def open_store(linker: Linker | None = None) -> SqliteEventStore:
            opened.append(SqliteEventStore(tmp_path / "log" / "events.db", linker=linker))
            return opened[-1]

        yield open_store
        for store in opened:
            await store.close()

