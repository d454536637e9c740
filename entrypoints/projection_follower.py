"""`chanwarden projections follow`: the shared read models kept up with the log by a process of their own.

Bots started with CHANWARDEN_SHARED_PROJECTION=separate leave this work to it, so the core that handles
updates does not also write Redis read models that only other processes read. It wakes on each append
(PostgreSQL's NOTIFY) or, on a store without notifications, every `interval` seconds; a read model whose
server is away keeps its position and is caught up once it answers again.
"""

import asyncio
import contextlib
import logging
from typing import Any

from application.ports.availability import Unavailable
from application.projector import Projector

log = logging.getLogger(__name__)


async def follow(store: Any, shared: dict[str, Any], stop: asyncio.Event, interval: float, once: bool = False) -> int:
    """Project every append into each shared read model until `stop` is set (or, with `once`, until caught
    up); return how many events were applied."""
    projectors = [Projector(store, models, name=name) for name, models in shared.items()]
    notified = getattr(store, "wait_for_events", None)
    applied = 0
    while not stop.is_set():
        seen = await store.notification_count() if notified is not None else None
        behind = False
        for projector in projectors:
            try:
                applied += await projector.catch_up()
            except Unavailable as error:
                behind = True
                log.warning("shared read models '%s' unavailable (%s); retrying in %.1fs",
                            projector.name, error, interval)
        if once and not behind:
            return applied
        await _news(store, notified, seen, stop, interval if not behind else min(interval, 1.0))
    return applied


async def _news(store: Any, notified: Any, seen: int | None, stop: asyncio.Event, interval: float) -> None:
    """Until something is appended, `stop` is set or `interval` passes, whichever comes first."""
    waits = [asyncio.ensure_future(stop.wait())]
    if notified is not None:
        waits.append(asyncio.ensure_future(notified(interval, seen)))
    try:
        await asyncio.wait(waits, timeout=interval, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiting in waits:
            waiting.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await waiting
