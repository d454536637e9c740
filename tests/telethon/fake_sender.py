"""A stand-in for Telethon's MTProtoSender, so a real TelegramClient runs with no network.

It records every request, proves each is valid TL (bytes round trip, as the real sender serialises it),
and answers from a table keyed by request type. A table value is the answer itself, a callable taking the
request, or an exception (class or instance) to raise from the awaited future.
"""

import asyncio
from collections.abc import Callable
from typing import Any

from telethon import TelegramClient
from telethon.extensions import BinaryReader
from telethon.sessions import MemorySession
from telethon.tl.tlobject import TLObject

BOT_ID = 1000
BOT_HASH = 1001


class FakeSender:
    def __init__(self) -> None:
        self.requests: list[TLObject] = []
        self.answers: dict[type, Any] = {}
        self.disconnected = asyncio.get_running_loop().create_future()

    def answer(self, request_type: type, answer: Any) -> None:
        self.answers[request_type] = answer

    def fail(self, request_type: type, error: Callable[[TLObject], BaseException]) -> None:
        """Raise error(request) for this request type, e.g. lambda r: errors.FloodWaitError(r, capture=5)."""
        self.answers[request_type] = _Raise(error)

    def sent(self, request_type: type) -> list[Any]:
        return [r for r in self.requests if isinstance(r, request_type)]

    def send(self, request, ordered: bool = False):
        if isinstance(request, list):
            return [self._one(r) for r in request]
        return self._one(request)

    def _one(self, request):
        raw = bytes(request)  # exactly what the real sender does: invalid TL fails here
        reparsed = BinaryReader(raw).tgread_object()
        assert bytes(reparsed) == raw, f"{type(request).__name__} does not round-trip"
        self.requests.append(request)
        future = asyncio.get_running_loop().create_future()
        answer = self.answers.get(type(request))
        try:
            if isinstance(answer, _Raise):
                raise answer.make(request)
            if answer is None:
                raise AssertionError(f"no answer for {type(request).__name__}")
            future.set_result(answer(request) if callable(answer) else answer)
        except BaseException as exc:
            future.set_exception(exc)
        return future

    def is_connected(self) -> bool:
        return True

    async def disconnect(self) -> None:
        if not self.disconnected.done():
            self.disconnected.set_result(None)


class _Raise:
    def __init__(self, make: Callable[[TLObject], BaseException]) -> None:
        self.make = make


def offline_client(users=(), chats=()) -> tuple[TelegramClient, FakeSender]:
    """A fresh client (flood waits are remembered per client) that knows it is the bot."""
    client = TelegramClient(MemorySession(), 1, "0" * 32)
    client.flood_sleep_threshold = 0  # raise FloodWaitError instead of sleeping through it
    client._request_retries = 1
    client._raise_last_call_error = True  # as the bot runs: a spent retry raises the RPC error itself
    sender = FakeSender()
    client._sender = sender
    client._mb_entity_cache.set_self_user(BOT_ID, True, BOT_HASH)
    client._mb_entity_cache.extend(list(users), list(chats))
    return client, sender


async def deliver(client: TelegramClient, update, users=(), chats=()) -> None:
    """Push one update through the client's own processing, as the update loop would."""
    for processed in await client._preprocess_updates([update], list(users), list(chats)):
        await client._dispatch_update(processed)
