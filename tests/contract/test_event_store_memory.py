import pytest
from event_store_contract import EventStoreContract, StoreFactory

from adapters.memory.event_store import InMemoryEventStore


class TestInMemoryEventStore(EventStoreContract):
    @pytest.fixture
    def make_store(self) -> StoreFactory:
        async def open_store() -> InMemoryEventStore:
            return InMemoryEventStore()

        return open_store
