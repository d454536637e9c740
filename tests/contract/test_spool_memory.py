"""The spool contract on the in-memory spool."""

from collections.abc import AsyncIterator

import pytest
from spool_contract import SpoolContract, SpoolFactory

from adapters.memory.spool import InMemorySpool


class TestInMemorySpool(SpoolContract):
    @pytest.fixture
    async def make_spool(self) -> AsyncIterator[SpoolFactory]:
        async def open_spool() -> InMemorySpool:
            return InMemorySpool()

        yield open_spool
