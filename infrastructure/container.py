"""Wiring: which adapter serves which port. Built only by infrastructure/bootstrap.py, which gives it the
settings, the Telegram adapter and the opened backends (or a test's own)."""

from collections.abc import AsyncIterator

from dependency_injector import containers, providers

from adapters.memory.membership_cache import InMemoryMembershipCache
from adapters.memory.read_models import InMemoryReadModels
from adapters.memory.spool import InMemorySpool
from adapters.memory.standing_directory import InMemoryStandingStore
from adapters.ratelimit.gateway import RateLimitedGateway
from adapters.system_clock import SystemClock
from application.admin_directory import AdminDirectory
from application.call_counts import CallCounts, CountingGateway
from application.callback_tokens import CallbackTokens
from application.context import GateContext
from application.gatekeeper import Gatekeeper
from application.health import Health
from application.log_poster import LogPoster
from application.membership_checker import MembershipChecker
from application.projector import Projector
from application.pump import EventPump
from application.reactor import Reactor
from application.repository import Repository
from application.resilient_cache import ResilientCache
from application.standing_directory import StandingDirectory
from application.sweeper import Sweeper
from infrastructure.backends import Backends, open_backends
from infrastructure.observability.cache import CacheStats, TracedCache, counting
from infrastructure.observability.gatekeeper import InstrumentedGatekeeper
from infrastructure.observability.ports import InstrumentedEventStore, InstrumentedGateway, InstrumentedReadModels
from infrastructure.observability.telemetry import Telemetry
from infrastructure.settings import Settings


def _secret(settings: Settings) -> bytes:
    return settings.callback_secret.get_secret_value().encode()


def _gatekeeper(
    ctx: GateContext, settings: Settings, store, read_models, shared, health: Health, telemetry, stats, spool,
    reactor=Reactor, sweeper=Sweeper, log_poster=LogPoster,
) -> Gatekeeper:
    projected_here = shared.items() if settings.shared_projection == "in_process" else ()
    shared_projectors = [Projector(store, models, name=name) for name, models in projected_here]
    poster = log_poster(store, ctx)
    pump = EventPump(Projector(store, read_models), reactor(store, ctx), shared_projectors, health, sweeper(store, ctx),
                     poster)
    gatekeeper = Gatekeeper(ctx, pump, spool)
    if telemetry is None:
        return gatekeeper
    telemetry.watch(store=store, read_models={"local": read_models, **shared}, health=health,
                    known_chats=read_models.known_chats, cache_stats=stats)
    telemetry.watch_log_poster(poster)
    return InstrumentedGatekeeper(gatekeeper, telemetry)


# Instrumentation: each decorator implements the port it wraps, and is left out when the setting is off.


def _telemetry(settings: Settings) -> Telemetry | None:
    return Telemetry(settings.environment, settings.traces) if settings.instrument else None


def _outbound(adapter, scheduler, telemetry, calls: CallCounts):
    """The gateway the application talks to: the adapter, instrumented, behind the rate limiter when given one.

    Instrumented and counted per chat (the admins' figures) inside the limiter, so every call that reaches
    Telegram is counted, flood-wait retries included.
    """
    gateway = adapter if telemetry is None else InstrumentedGateway(adapter, telemetry)
    gateway = CountingGateway(gateway, calls)
    if scheduler is None:
        return gateway
    if telemetry is not None:
        telemetry.watch_scheduler(scheduler)
    return RateLimitedGateway(gateway, scheduler)


def _store(store, telemetry):
    return store if telemetry is None else InstrumentedEventStore(store, telemetry)


def _traced_cache(cache, telemetry):
    return TracedCache(cache, telemetry.tracer) if telemetry is not None and telemetry.recording else cache


def _read_models(read_models, telemetry):
    return read_models if telemetry is None else InstrumentedReadModels(read_models)


def _stats(settings: Settings, backends: Backends) -> CacheStats | None:
    if backends.cache_stats is not None:  # the counts of the cache levels the backends opened
        return backends.cache_stats
    return CacheStats() if settings.instrument else None


async def _opened_backends(settings: Settings, clock, options: dict) -> AsyncIterator[Backends]:
    backends = await open_backends(settings, clock, **options)
    try:
        yield backends
    finally:
        await backends.close()


def _application_checker(telegram, cache, clock) -> MembershipChecker:
    return MembershipChecker(telegram, cache)


# What the backends opened, or the in-process stand-in when they opened none (the memory store's runs).


def _raw_cache(backends: Backends, memory_cache, stats):
    return backends.cache if backends.cache is not None else counting(memory_cache, "memory", stats)


def _spool(backends: Backends):
    return backends.spool if backends.spool is not None else InMemorySpool()


def _standing_store(backends: Backends):
    return backends.standing if backends.standing is not None else InMemoryStandingStore()


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    clock = providers.Singleton(SystemClock)
    gateway = providers.Dependency()  # the Telegram adapter: Telethon, or the simulator
    rate_limiter = providers.Object(None)  # a PriorityScheduler puts every Telegram call under Telegram's limits
    # The event store, cache, spool and shared read models the settings name, opened and closed as a resource
    # (Application.open and close in bootstrap.py), unless bootstrap is given a test's own.
    backend_options = providers.Object({})  # open_backends' keywords: throwaway, spool
    backends = providers.Resource(_opened_backends, settings, clock, backend_options)
    health = providers.Singleton(Health)
    telemetry = providers.Singleton(_telemetry, settings)
    cache_stats = providers.Singleton(_stats, settings, backends)
    call_counts = providers.Singleton(CallCounts, clock)  # Telegram calls per chat today, in this process
    telegram = providers.Singleton(_outbound, gateway, rate_limiter, telemetry, call_counts)

    store = providers.Singleton(_store, providers.Callable(lambda b: b.store, backends), telemetry)
    memory_cache = providers.Singleton(
        InMemoryMembershipCache,
        clock,
        positive_ttl=providers.Callable(lambda s: s.cache_positive_ttl, settings),
        negative_ttl=providers.Callable(lambda s: s.cache_negative_ttl, settings),
        jitter=providers.Callable(lambda s: s.cache_jitter, settings),
    )
    raw_cache = providers.Singleton(_raw_cache, backends, memory_cache, cache_stats)
    cache = providers.Singleton(ResilientCache, raw_cache, health)
    traced_cache = providers.Singleton(_traced_cache, cache, telemetry)
    # How a membership is checked: the application's checker, unless a benchmark puts a peer's in its place.
    checker_factory = providers.Object(_application_checker)
    # This process's view, read on every update.
    read_models = providers.Singleton(_read_models, providers.Singleton(InMemoryReadModels), telemetry)
    shared_read_models = providers.Callable(lambda b: b.shared_read_models, backends)  # name -> read models (Redis)
    spool = providers.Singleton(_spool, backends)  # in memory unless the backends opened a durable one

    context = providers.Singleton(
        GateContext,
        repository=providers.Singleton(Repository, store),
        read_models=read_models,
        gateway=telegram,
        checker=providers.Singleton(lambda make, telegram, cache, clock: make(telegram, cache, clock),
                                    checker_factory, telegram, traced_cache, clock),
        admins=providers.Singleton(AdminDirectory, telegram, clock),
        clock=clock,
        tokens=providers.Singleton(CallbackTokens, providers.Callable(_secret, settings)),
        calls=call_counts,
        standing=providers.Singleton(StandingDirectory, providers.Singleton(_standing_store, backends), telegram,
                                     clock),
    )
    # How the log's decisions are carried out: one reactor, sweeper and log poster for everything, or (a scale-out
    # worker) ones that take only the partitions the worker owns.
    reactor = providers.Object(Reactor)
    sweeper = providers.Object(Sweeper)
    log_poster = providers.Object(LogPoster)
    gatekeeper = providers.Singleton(
        _gatekeeper, context, settings, store, read_models, shared_read_models, health, telemetry, cache_stats, spool,
        reactor, sweeper, log_poster,
    )
