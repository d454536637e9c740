"""`chanwarden projections follow`: the shared read models kept up with the log by a process of their own.

Bots started with CHANWARDEN_SHARED_PROJECTION=separate leave this work to it, so the core that handles
updates does not also write Redis read models that only other processes read. It wakes on each append
(PostgreSQL's NOTIFY) or, on a store without notifications, every `interval` seconds; a read model whose
server is away keeps its position and is caught up once it answers again.

Like the bot, it serves /healthz, /readyz and /metrics (on CHANWARDEN_PROJECTIONS_PORT): ready while both the
log and Redis answer, degraded while a read model could not be written at its last try.
"""

import asyncio
import contextlib
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from application.health import Health
from application.ports.availability import Unavailable
from application.projector import Projector
from infrastructure.observability.follower import FollowerTelemetry
from infrastructure.observability.http import ObservabilityServer, Readiness, serve_endpoints
from infrastructure.observability.logs import Redactor, secrets_of
from infrastructure.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class FollowProgress:
    """What the follower has done so far, as its endpoints report it."""

    applied: Counter[str] = field(default_factory=Counter)  # events, by read model
    failures: Counter[str] = field(default_factory=Counter)  # catch-ups that found the read model out of reach
    health: Health = field(default_factory=Health)

    def caught_up(self, name: str, applied: int) -> None:
        self.applied[name] += applied
        if _component(name) in self.health.problems:
            self.health.recovered(_component(name))
            log.info("shared read models '%s' answer again; caught up", name)

    def failed(self, name: str, error: Unavailable, retry_in: float) -> None:
        self.failures[name] += 1
        if _component(name) not in self.health.problems:  # one line when it goes away, not one per try
            log.warning("shared read models '%s' unavailable (%s); retrying every %.1fs", name, error, retry_in)
        self.health.failed(_component(name), str(error))


def _component(name: str) -> str:
    return f"read_models:{name}"  # as the bot's Health names them


async def follow(
    store: Any, shared: dict[str, Any], stop: asyncio.Event, interval: float, once: bool = False,
    progress: FollowProgress | None = None,
) -> int:
    """Project every append into each shared read model until `stop` is set (or, with `once`, until caught
    up); return how many events were applied. With `once`, a read model out of reach ends it (Unavailable):
    a one-off run, from cron or by hand, must not wait for Redis forever."""
    progress = progress or FollowProgress()
    projectors = [Projector(store, models, name=name) for name, models in shared.items()]
    notified = getattr(store, "wait_for_events", None)
    applied = 0
    while not stop.is_set():
        seen = await store.notification_count() if notified is not None else None
        behind = False
        for projector in projectors:
            try:
                done = await projector.catch_up()
            except Unavailable as error:
                if once:
                    raise
                behind = True
                progress.failed(projector.name, error, min(interval, 1.0))
            else:
                progress.caught_up(projector.name, done)
                applied += done
        if once and not behind:
            return applied
        await _news(store, notified, seen, stop, interval if not behind else min(interval, 1.0))
    return applied


async def serve_follower(
    settings: Settings, backends: Any, progress: FollowProgress
) -> tuple[FollowerTelemetry | None, ObservabilityServer | None]:
    """The follower's endpoints on CHANWARDEN_PROJECTIONS_PORT (0: none): its metrics, and readiness that needs
    both the log and Redis, since without either it cannot do its one job."""
    telemetry = None
    if settings.instrument:
        telemetry = FollowerTelemetry(settings.environment, backends.store, backends.shared_read_models, progress)
    required = {"event_store": backends.probes["event_store"], **backends.degradable}
    ready = Readiness(progress.health, required, {}, Redactor(secrets_of(settings)))
    on_its_port = settings.model_copy(update={"metrics_port": settings.projections_port, "health_port": 0})
    return telemetry, await serve_endpoints(on_its_port, telemetry, ready)


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
