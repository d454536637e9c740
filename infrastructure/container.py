"""Wiring: which adapter serves which port. Tests override providers to swap adapters."""

from dependency_injector import containers, providers

from adapters.memory.event_store import InMemoryEventStore
from adapters.memory.membership_cache import InMemoryMembershipCache
from adapters.memory.read_models import InMemoryReadModels
from adapters.memory.spool import InMemorySpool
from adapters.ratelimit.gateway import RateLimitedGateway
from adapters.sqlite.event_store import SqliteEventStore
from adapters.system_clock import SystemClock
from application.admin_directory import AdminDirectory
from application.callback_tokens import CallbackTokens
from application.context import GateContext
from application.gatekeeper import Gatekeeper
from application.health import Health
from application.membership_checker import MembershipChecker
from application.projector import Projector
from application.pump import EventPump
from application.reactor import Reactor
from application.repository import Repository
from application.resilient_cache import ResilientCache
from application.sweeper import Sweeper
from infrastructure.event_codec import EventCodec
from infrastructure.observability.cache import CacheStats, TracedCache, counting
from infrastructure.observability.gatekeeper import InstrumentedGatekeeper
from infrastructure.observability.ports import InstrumentedEventStore, InstrumentedGateway, InstrumentedReadModels
from infrastructure.observability.telemetry import Telemetry
from infrastructure.settings import Settings


def _secret(settings: Settings) -> bytes:
    return settings.callback_secret.get_secret_value().encode()


def _gatekeeper(
    ctx: GateContext, settings: Settings, store, read_models, shared, health: Health, telemetry, stats, spool,
    reactor=Reactor, sweeper=Sweeper,
) -> Gatekeeper:
    projected_here = shared.items() if settings.shared_projection == "in_process" else ()
    shared_projectors = [Projector(store, models, name=name) for name, models in projected_here]
    pump = EventPump(Projector(store, read_models), reactor(store, ctx), shared_projectors, health, sweeper(store, ctx))
    gatekeeper = Gatekeeper(ctx, pump, spool)
    if telemetry is None:
        return gatekeeper
    telemetry.watch(store=store, read_models={"local": read_models, **shared}, health=health,
                    known_chats=read_models.known_chats, cache_stats=stats)
    return InstrumentedGatekeeper(gatekeeper, telemetry)


# Instrumentation: each decorator implements the port it wraps, and is left out when the setting is off.


def _telemetry(settings: Settings) -> Telemetry | None:
    return Telemetry(settings.environment, settings.traces) if settings.instrument else None


def _outbound(adapter, scheduler, telemetry):
    """The gateway the application talks to: the adapter, instrumented, behind the rate limiter when given one.

    Instrumented inside the limiter, so every call that reaches Telegram is counted, flood-wait retries included.
    """
    gateway = adapter if telemetry is None else InstrumentedGateway(adapter, telemetry)
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


def _stats(settings: Settings) -> CacheStats | None:
    return CacheStats() if settings.instrument else None


class Container(containers.DeclarativeContainer):
    settings = providers.Singleton(Settings)
    clock = providers.Singleton(SystemClock)
    codec = providers.Singleton(EventCodec)
    gateway = providers.Dependency()  # the Telegram adapter: Telethon, or the simulator
    rate_limiter = providers.Object(None)  # a PriorityScheduler puts every Telegram call under Telegram's limits
    health = providers.Singleton(Health)
    telemetry = providers.Singleton(_telemetry, settings)
    cache_stats = providers.Singleton(_stats, settings)
    telegram = providers.Singleton(_outbound, gateway, rate_limiter, telemetry)

    event_store = providers.Selector(
        providers.Callable(lambda s: s.event_store, settings),
        memory=providers.Singleton(InMemoryEventStore, codec),
        sqlite=providers.Singleton(
            SqliteEventStore, providers.Callable(lambda s: s.sqlite_path, settings), codec
        ),
    )
    store = providers.Singleton(_store, event_store, telemetry)
    memory_cache = providers.Singleton(
        InMemoryMembershipCache,
        clock,
        positive_ttl=providers.Callable(lambda s: s.cache_positive_ttl, settings),
        negative_ttl=providers.Callable(lambda s: s.cache_negative_ttl, settings),
        jitter=providers.Callable(lambda s: s.cache_jitter, settings),
    )
    raw_cache = providers.Singleton(counting, memory_cache, "memory", cache_stats)  # the backends may replace it
    cache = providers.Singleton(ResilientCache, raw_cache, health)
    # This process's view, read on every update.
    read_models = providers.Singleton(_read_models, providers.Singleton(InMemoryReadModels), telemetry)
    shared_read_models = providers.Object({})  # name -> read models other processes read (Redis)
    spool = providers.Singleton(InMemorySpool)  # the backends put a durable one in place for a store that outlives us

    context = providers.Singleton(
        GateContext,
        repository=providers.Singleton(Repository, store),
        read_models=read_models,
        gateway=telegram,
        checker=providers.Singleton(MembershipChecker, telegram, providers.Singleton(_traced_cache, cache, telemetry)),
        admins=providers.Singleton(AdminDirectory, telegram, clock),
        clock=clock,
        tokens=providers.Singleton(CallbackTokens, providers.Callable(_secret, settings)),
    )
    # How the log's decisions are carried out: one reactor and sweeper for everything, or (a scale-out worker)
    # ones that take only the partitions the worker owns.
    reactor = providers.Object(Reactor)
    sweeper = providers.Object(Sweeper)
    gatekeeper = providers.Singleton(
        _gatekeeper, context, settings, store, read_models, shared_read_models, health, telemetry, cache_stats, spool,
        reactor, sweeper,
    )
