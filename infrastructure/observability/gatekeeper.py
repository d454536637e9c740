"""The gatekeeper's front door, measured: a few counter increments and one latency sample per update."""

import logging
import re
from collections.abc import Awaitable, Callable
from functools import cache, partial
from random import getrandbits
from time import perf_counter
from typing import Any

from application.commands import Command
from application.gatekeeper import Outcome
from infrastructure.observability.logs import UPDATE
from infrastructure.observability.telemetry import Telemetry

log = logging.getLogger(__name__)


@cache
def update_kind(command_type: type) -> str:
    """GroupMessage -> group_message; computed once per class, not per update."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", command_type.__name__).lower()


def update_ids(command: Any) -> dict[str, Any]:
    """The ids a log line about this update should carry: group, user, channel and the update's own id."""
    ids = {}
    for key, attribute in (("group", "chat_id"), ("channel", "channel_id"), ("user", "user_id"),
                           ("update", "message_id"), ("update", "query_id")):
        value = getattr(command, attribute, None)
        if value is not None:
            ids[key] = value
    sender = getattr(command, "sender", None)
    if sender is not None and "user" not in ids:
        ids["user"] = sender.peer_id
    return ids


class InstrumentedGatekeeper:
    """Wraps `Gatekeeper.handle`; everything else (start, settle, ctx, pump) is the gatekeeper's own."""

    def __init__(self, inner: Any, telemetry: Telemetry) -> None:
        self._inner = inner
        self.telemetry = telemetry
        telemetry.watch_spool(inner.spool)  # its depth is exported at each scrape

    async def handle(self, command: Command) -> Outcome:
        return await self._traced(command, 1, partial(self._inner.handle, command))

    async def handle_run(self, commands: list[Any]) -> list[Outcome]:
        """A member's run of messages decided together: traced as one, counted as each of its updates."""
        return await self._traced(commands[0], len(commands), partial(self._inner.handle_run, commands))

    async def _traced(self, command: Any, updates: int, handle: Callable[[], Awaitable[Any]]) -> Any:
        kind = update_kind(type(command))
        ids = update_ids(command)
        if updates > 1:
            ids["updates"] = updates
        if not self.telemetry.recording:
            # No span is exported, so none is made; the update's log lines still share an id of a trace's shape.
            return await self._measured(handle, updates, {"kind": kind, **ids, "trace_id": f"{getrandbits(128):032x}"})
        with self.telemetry.tracer.start_as_current_span(f"update.{kind}", attributes=ids) as span:
            outcome = await self._measured(handle, updates, {"kind": kind, **ids})
            span.set_attribute("outcome", str(outcome))
            return outcome

    async def _measured(self, handle: Callable[[], Awaitable[Any]], updates: int, fields: dict[str, Any]) -> Any:
        telemetry = self.telemetry
        token = UPDATE.set(fields)
        started = perf_counter()
        try:
            outcome = await handle()
            # A channel leave decides once per group linked to it, and a run once per message: several outcomes.
            for each in outcome if isinstance(outcome, list) else [outcome]:
                telemetry.decisions[each if isinstance(each, str) else "other"] += 1
            log.debug("update handled", extra={"outcome": outcome})
            return outcome
        except Exception:
            telemetry.errors["handler"] += updates
            raise
        finally:
            UPDATE.reset(token)
            elapsed = perf_counter() - started
            for _ in range(updates):  # each update of a run waited for all of it
                telemetry.decision_duration.record(elapsed)
            telemetry.updates[fields["kind"]] += updates

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)
