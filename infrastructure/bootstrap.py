"""The composition root: the one function that builds the application, for every entry point and test.

`bootstrap(settings)` decides from the settings which store, cache and spool run (infrastructure/backends.py
opens them, as the container's resource) and puts instrumentation and the rate limiter around the Telegram
adapter it is given (infrastructure/container.py). Tests and the rig pass explicit overrides instead: their own
store, clock, Telegram, checker. Nothing else constructs the container (tests/house checks it).
"""

import inspect
from collections.abc import Callable
from typing import Any

from dependency_injector import providers

from application.gatekeeper import Gatekeeper
from application.health import Health
from application.ports.clock import Clock
from infrastructure.backends import Backends
from infrastructure.container import Container
from infrastructure.settings import Settings

# A benchmark's way of checking a membership in place of the application's: (telegram, cache, clock) -> checker.
CheckerFactory = Callable[[Any, Any, Clock], Any]


async def _resolved(value: Any) -> Any:
    """A provider's value: the container answers with an awaitable once an async resource is among the
    dependencies (the backends it opens), and with the value itself when it was given objects only."""
    return await value if inspect.isawaitable(value) else value


class Application:
    """The bot as built from its settings: open its backends, start its gatekeeper, close what it opened."""

    def __init__(self, container: Container, owns_backends: bool) -> None:
        self._container = container
        self._owns_backends = owns_backends
        self.backends: Backends | None = None
        self.gatekeeper: Gatekeeper | None = None
        self.health: Health | None = None
        self.telemetry: Any = None

    async def open(self) -> Backends:
        """Open the store, cache and spool the settings name; raises Unavailable (and may be called again)
        while the store does not answer."""
        if self.backends is None:
            self.backends = await _resolved(self._container.backends())
        return self.backends

    async def build(self, gateway: Any = None) -> Gatekeeper:
        """The gatekeeper, wired and not yet started; `gateway` is the Telegram adapter when it could not be
        given to bootstrap (`chanwarden run` reaches the store before it connects to Telegram)."""
        await self.open()
        if gateway is not None:
            self._container.gateway.override(providers.Object(gateway))
        self.gatekeeper = await _resolved(self._container.gatekeeper())
        self.health = await _resolved(self._container.health())
        self.telemetry = await _resolved(self._container.telemetry())
        return self.gatekeeper

    async def outbound(self) -> Any:
        """The Telegram port as the application talks through it (instrumented, behind the rate limiter), with
        its telemetry and health, opening no backends: what a scale-out gateway carries the workers' calls
        through."""
        self.telemetry = await _resolved(self._container.telemetry())
        self.health = await _resolved(self._container.health())
        return await _resolved(self._container.telegram())

    async def start(self, gateway: Any = None) -> Gatekeeper:
        """Built, and caught up with the log (read models, side effects, the spool) before taking updates."""
        gatekeeper = await self.build(gateway)
        await gatekeeper.start()
        return gatekeeper

    async def close(self) -> None:
        """Close the backends this application opened (not a test's own, which its owner closes)."""
        if self._owns_backends:
            await _resolved(self._container.shutdown_resources())


def bootstrap(
    settings: Settings,
    *,
    gateway: Any = None,
    clock: Clock | None = None,
    rate_limiter: Any = None,
    backends: Backends | None = None,
    store: Any = None,
    throwaway: bool = False,
    spool: bool = False,
    checker: CheckerFactory | None = None,
    reactor: Callable[..., Any] | None = None,
    sweeper: Callable[..., Any] | None = None,
    log_poster: Callable[..., Any] | None = None,
    update_spool: Any = None,
) -> Application:
    """The application for these settings.

    - gateway: the Telegram adapter (or give it to `Application.build`/`start`); instrumented and put behind
      `rate_limiter` (a PriorityScheduler) here.
    - clock: the system clock unless given (the simulator's clock).
    - backends: already opened ones, shared by several applications in turn (a scenario's restarts); their
      owner closes them. store: an event store alone, with the in-process cache and spool (unit tests).
      Neither: the settings' own, opened by `Application.open` and closed by `Application.close`; with
      `throwaway`, the run's database and Redis keys are removed on close; with `spool`, the spool a bot keeps
      updates in while its store is away.
    - checker: how memberships are checked, in place of the application's checker (the benchmark's peers).
    - reactor, sweeper, log_poster: (store, ctx) -> the carriers of the log's decisions, in place of the ones that
      carry out everything (a scale-out worker's take only the partitions it owns; its log poster posts only while
      it holds the control partition); update_spool: where updates the store
      cannot take wait, in place of the backends' (a worker's is its stream).
    """
    if backends is None and store is not None:
        backends = Backends(store=store)
    container = Container(settings=providers.Object(settings))
    given = {container.clock: clock, container.gateway: gateway, container.rate_limiter: rate_limiter,
             container.checker_factory: checker, container.reactor: reactor, container.sweeper: sweeper,
             container.log_poster: log_poster,
             container.spool: update_spool}
    for provider, value in given.items():
        if value is not None:  # what the caller gives replaces the settings' own choice
            provider.override(providers.Object(value))
    if backends is not None:
        container.backends.override(providers.Object(backends))
    else:
        container.backend_options.override(providers.Object({"throwaway": throwaway, "spool": spool}))
    return Application(container, owns_backends=backends is None)
