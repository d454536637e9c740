"""The read models contract on the in-process store."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from read_models_contract import ReadModelsContract

from adapters.memory.read_models import InMemoryReadModels


class TestInMemoryReadModels(ReadModelsContract):
    @asynccontextmanager
    async def make(self) -> AsyncIterator[InMemoryReadModels]:
        yield InMemoryReadModels()
