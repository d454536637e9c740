"""Decorators for the Telegram gateway, the event store and the read models: same ports, plus metrics and spans.

Methods not measured are passed through by `__getattr__`, which hands out the inner object's own bound method:
no extra coroutine frame on the read paths every update takes.
"""

import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from time import perf_counter
from typing import Any, TypeVar
from uuid import UUID

from application.ports.event_store import ConcurrencyConflict, EventStore, Recorded, Tracking
from application.ports.read_models import GroupView, ReadModels, VerdictView
from application.ports.telegram import ChannelInfo, OutgoingMessage, Participant, TelegramError, TelegramGateway
from infrastructure.observability.logs import UPDATE
from infrastructure.observability.telemetry import Telemetry

T = TypeVar("T")
log = logging.getLogger(__name__)

GATEWAY_METHODS = (
    "get_participant", "get_admins", "resolve_channel", "export_invite_link", "restrict", "kick",
    "send_message", "edit_message", "delete_messages", "answer_callback", "decide_join_request",
)


class InstrumentedGateway:
    """Counts every call that reaches Telegram by method and result, and flood waits; one span per call.

    Placed inside the rate limiter, so a call the limiter retries after a flood wait is counted each time,
    exactly as Telegram (and the simulator) counts it.
    """

    def __init__(self, inner: TelegramGateway, telemetry: Telemetry) -> None:
        self._inner = inner
        self._tracer = telemetry.tracer if telemetry.recording else None
        self._calls = telemetry.telegram_calls
        self._floods = telemetry.flood_waits
        for method in GATEWAY_METHODS:  # a series from the start, so rate() works from the first flood wait
            self._floods[method] += 0

    @property
    def bot_id(self) -> int:
        return self._inner.bot_id

    async def _call(self, method: str, call: Callable[[], Awaitable[T]]) -> T:
        if self._tracer is None:
            return await self._counted(method, call)
        with self._tracer.start_as_current_span(f"telegram.{method}"):
            return await self._counted(method, call)

    async def _counted(self, method: str, call: Callable[[], Awaitable[T]]) -> T:
        try:
            result = await call()
        except TelegramError as error:
            self._calls[method, error.kind] += 1
            if error.kind == TelegramError.FLOOD_WAIT:
                self._floods[method] += 1
            raise
        except Exception:
            self._calls[method, "exception"] += 1
            raise
        self._calls[method, "ok"] += 1
        return result

    async def get_participant(self, chat_id: int, user_id: int) -> Participant:
        return await self._call("get_participant", lambda: self._inner.get_participant(chat_id, user_id))

    async def get_admins(self, chat_id: int) -> frozenset[int]:
        return await self._call("get_admins", lambda: self._inner.get_admins(chat_id))

    async def resolve_channel(self, ref: str | int) -> ChannelInfo:
        return await self._call("resolve_channel", lambda: self._inner.resolve_channel(ref))

    async def export_invite_link(self, channel_id: int) -> str:
        return await self._call("export_invite_link", lambda: self._inner.export_invite_link(channel_id))

    async def restrict(
        self, chat_id: int, member_id: int, restrictions: frozenset[str], until: datetime | None = None
    ) -> None:
        await self._call("restrict", lambda: self._inner.restrict(chat_id, member_id, restrictions, until))

    async def kick(self, chat_id: int, member_id: int) -> None:
        await self._call("kick", lambda: self._inner.kick(chat_id, member_id))

    async def send_message(self, chat_id: int, message: OutgoingMessage, key: int | None = None) -> int:
        return await self._call("send_message", lambda: self._inner.send_message(chat_id, message, key))

    async def edit_message(self, chat_id: int, message_id: int, message: OutgoingMessage) -> None:
        await self._call("edit_message", lambda: self._inner.edit_message(chat_id, message_id, message))

    async def delete_messages(self, chat_id: int, message_ids: list[int]) -> None:
        await self._call("delete_messages", lambda: self._inner.delete_messages(chat_id, message_ids))

    async def answer_callback(self, query_id: int, text: str, alert: bool = False) -> None:
        await self._call("answer_callback", lambda: self._inner.answer_callback(query_id, text, alert))

    async def decide_join_request(self, chat_id: int, user_id: int, approve: bool) -> None:
        await self._call("decide_join_request", lambda: self._inner.decide_join_request(chat_id, user_id, approve))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class InstrumentedEventStore:
    """Append latency and batch size, failures, and spans for the writes and the reads a decision makes."""

    def __init__(self, inner: EventStore, telemetry: Telemetry) -> None:
        self._inner = inner
        self._telemetry = telemetry
        self._tracer = telemetry.tracer if telemetry.recording else None

    def _span(self, name: str) -> Any:
        return self._tracer.start_as_current_span(name) if self._tracer else contextlib.nullcontext()

    async def append(self, events: Sequence[Any], tracking: Tracking | None = None) -> list[int]:
        started = perf_counter()
        with self._span("event_store.append"):
            try:
                positions = await self._inner.append(events, tracking)
            except ConcurrencyConflict:
                raise  # another writer was first: the decision is re-run, nothing failed
            except Exception:
                self._telemetry.errors["event_store"] += 1
                raise
        self._telemetry.append_duration.record(perf_counter() - started)
        self._telemetry.append_batch.record(len(events))
        update = UPDATE.get()
        if positions and update is not None:
            update["events"] = positions  # later log lines of the same update name the events it recorded
            log.debug("events recorded")
        return positions

    async def read_stream(self, stream_id: UUID, after_version: int = 0) -> list[Any]:
        with self._span("event_store.read_stream"):
            return await self._inner.read_stream(stream_id, after_version)

    async def load_stream(self, stream_id: UUID) -> tuple[Any | None, list[Any]]:
        with self._span("event_store.load_stream"):
            return await self._inner.load_stream(stream_id)

    async def read_all(self, after: int = 0, limit: int = 1000, topics: Sequence[str] = ()) -> list[Recorded]:
        with self._span("event_store.read_all"):
            return await self._inner.read_all(after, limit, topics)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class InstrumentedReadModels:
    """Remembers which groups the projection has seen, so the restricted-members gauge can ask about each."""

    def __init__(self, inner: ReadModels) -> None:
        self._inner = inner
        self.chats: set[int] = set()

    async def apply(self, position: int, groups: Sequence[GroupView], verdicts: Sequence[VerdictView]) -> None:
        await self._inner.apply(position, groups, verdicts)
        self.chats.update(group.chat_id for group in groups)

    async def clear(self) -> None:
        await self._inner.clear()
        self.chats.clear()

    def known_chats(self) -> set[int]:
        return set(self.chats)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)
