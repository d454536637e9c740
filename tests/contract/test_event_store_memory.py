import pytest
from event_store_contract import EventStoreContract, StoreFactory

from adapters.memory.event_store import InMemoryEventStore
from infrastructure.log_chain import Linker


class TestInMemoryEventStore(EventStoreContract):
    @pytest.fixture
    def make_store(self) -> StoreFactory:
        async def open_store(linker: Linker | None = None) -> InMemoryEventStore:
            return InMemoryEventStore(linker=linker)

        return open_store
