"""BatchedDeletes: deletions asked for in the same turn of the loop in one chat go to Telegram as one call."""

import asyncio

import pytest

from application.deletions import BatchedDeletes
from application.ports.telegram import TelegramError


async def within(awaitable, seconds: float = 1.0):
    """A caller left waiting for ever is a failure, not a hung test run."""
    return await asyncio.wait_for(awaitable, seconds)


class Gateway:
    """Records every delete_messages call; each takes a moment, like a round trip, and may fail."""

    def __init__(self, error: Exception | None = None) -> None:
        self.calls: list[tuple[int, list[int]]] = []
        self.error = error

    async def delete_messages(self, chat_id: int, message_ids: list[int]) -> None:
        self.calls.append((chat_id, list(message_ids)))
        await asyncio.sleep(0.005)
        if self.error is not None:
            raise self.error


async def test_concurrent_deletions_go_as_one_call_per_chat_without_duplicates() -> None:
    """30 callers in one chat (overlapping ids) and 3 in another: one call per chat, each id once."""
    gateway = Gateway()
    deletes = BatchedDeletes(gateway)
    await within(asyncio.gather(
        *(deletes.delete(1, [i, i + 1]) for i in range(1, 31)),
        *(deletes.delete(2, [i]) for i in (7, 8, 7)),
    ))
    calls = dict(gateway.calls)
    assert len(gateway.calls) == 2
    assert calls[1] == list(range(1, 32))
    assert calls[2] == [7, 8]


async def test_more_than_a_hundred_ids_go_in_chunks_of_a_hundred() -> None:
    """250 ids: three calls of at most 100 ids, together carrying every id."""
    gateway = Gateway()
    await within(BatchedDeletes(gateway).delete(1, list(range(250))))
    assert [len(ids) for _, ids in gateway.calls] == [100, 100, 50]
    assert [i for _, ids in gateway.calls for i in ids] == list(range(250))


async def test_a_telegram_error_is_swallowed_and_every_caller_returns() -> None:
    """A refused deletion (message gone already) is no error for anyone, and the other chunks are still tried."""
    gateway = Gateway(TelegramError(TelegramError.NOT_FOUND, "MESSAGE_ID_INVALID"))
    deletes = BatchedDeletes(gateway)
    results = await within(asyncio.gather(*(deletes.delete(1, list(range(i, 250, 5))) for i in range(5))))
    assert results == [None] * 5
    assert len(gateway.calls) == 3


async def test_an_unexpected_error_reaches_every_caller() -> None:
    """Anything but a TelegramError is not swallowed: every caller sharing the call sees it."""
    deletes = BatchedDeletes(Gateway(RuntimeError("connection reset")))
    results = await within(asyncio.gather(*(deletes.delete(1, [i]) for i in range(5)), return_exceptions=True))
    assert all(isinstance(r, RuntimeError) for r in results) and len(results) == 5
    with pytest.raises(RuntimeError):  # the next turn's deletions make a call of their own, and see it too
        await within(deletes.delete(1, [9]))


async def test_an_empty_list_makes_no_call() -> None:
    """Nothing to delete: no call to Telegram, now or on a later turn."""
    gateway = Gateway()
    await within(BatchedDeletes(gateway).delete(1, []))
    await asyncio.sleep(0.01)
    assert gateway.calls == []
