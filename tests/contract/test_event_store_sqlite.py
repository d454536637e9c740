from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from event_store_contract import EventStoreContract, StoreFactory, a_group

from adapters.sqlite.event_store import SqliteEventStore
from application.ports.event_store import Tracking


class TestSqliteEventStore(EventStoreContract):
    @pytest.fixture
    async def make_store(self, tmp_path: Path) -> AsyncIterator[StoreFactory]:
        opened: list[SqliteEventStore] = []

        async def open_store() -> SqliteEventStore:
            opened.append(SqliteEventStore(tmp_path / "log" / "events.db"))
            return opened[-1]

        yield open_store
        for store in opened:
            await store.close()

    async def test_reopened_file_keeps_history(self, make_store: StoreFactory) -> None:
        group = a_group()
        events = group.collect_events()
        first = await make_store()
        positions = await first.append(events, Tracking("projector", 2))
        await first.close()

        reopened = await make_store()

        assert await reopened.read_stream(group.id) == events
        assert [r.position for r in await reopened.read_all()] == positions
        assert await reopened.tracking_position("projector") == 2
        assert await reopened.append(a_group(-1002).collect_events()) == [4, 5, 6]
