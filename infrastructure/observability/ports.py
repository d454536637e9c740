"""Decorators for the Telegram gateway, the event store and the read models: same ports, plus metrics and spans.

Methods not measured are passed through by `__getattr__`, which hands out the inner object's own bound method:
no extra coroutine frame on the read paths every update takes.
"""

import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from time import perf_counter
from typing import Any, TypeVar
from uuid import UUID

from application.ports.event_store import ConcurrencyConflict, EventStore, Recorded, Tracking
from application.ports.read_models import GroupView, ReadModels, VerdictView
from application.ports.telegram import TelegramError, TelegramGateway
from application.ports.telegram_methods import METHODS, GatewayDecorator, Method
from infrastructure.observability.logs import UPDATE
from infrastructure.observability.telemetry import Telemetry

T = TypeVar("T")
log = logging.getLogger(__name__)

class InstrumentedGateway(GatewayDecorator):
    """Counts every call that reaches Telegram by method and result, and flood waits; one span per call.

    Placed inside the rate limiter, so a call the limiter retries after a flood wait is counted each time,
    exactly as Telegram (and the simulator) counts it.
    """

    def __init__(self, inner: TelegramGateway, telemetry: Telemetry) -> None:
        super().__init__(inner)
        self._tracer = telemetry.tracer if telemetry.recording else None
        self._calls = telemetry.telegram_calls
        self._floods = telemetry.flood_waits
        for method in METHODS:  # a series from the start, so rate() works from the first flood wait
            self._floods[method.name] += 0

    async def around(self, method: Method, chat_id: int | None, call: Callable[[], Awaitable[T]]) -> T:
        if self._tracer is None:
            return await self._counted(method.name, call)
        with self._tracer.start_as_current_span(f"telegram.{method.name}"):
            return await self._counted(method.name, call)

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
