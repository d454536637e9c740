"""Wiring: which adapter serves which port. Tests override providers to swap adapters."""

from dependency_injector import containers, providers

from adapters.memory.event_store import InMemoryEventStore
from adapters.memory.membership_cache import InMemoryMembershipCache
from adapters.memory.read_models import InMemoryReadModels
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
from infrastructure.event_codec import EventCodec
from infrastructure.settings import Settings


def _secret(settings: Settings) -> bytes:
    return settings.callback_secret.get_secret_value().encode()


def _gatekeeper(ctx: GateContext, store, read_models, shared, health: Health) -> Gatekeeper:
    shared_projectors = [Projector(store, models, name=name) for name, models in shared.items()]
    pump = EventPump(Projector(store, read_models), Reactor(store, ctx), shared_projectors, health)
    return Gatekeeper(ctx, pump)


class Container(containers.DeclarativeContainer):
    settings = providers.Singleton(Settings)
    clock = providers.Singleton(SystemClock)
    codec = providers.Singleton(EventCodec)
    gateway = providers.Dependency()
    health = providers.Singleton(Health)

    event_store = providers.Selector(
        providers.Callable(lambda s: s.event_store, settings),
        memory=providers.Singleton(InMemoryEventStore, codec),
        sqlite=providers.Singleton(
            SqliteEventStore, providers.Callable(lambda s: s.sqlite_path, settings), codec
        ),
    )
    raw_cache = providers.Singleton(
        InMemoryMembershipCache,
        clock,
        positive_ttl=providers.Callable(lambda s: s.cache_positive_ttl, settings),
        negative_ttl=providers.Callable(lambda s: s.cache_negative_ttl, settings),
        jitter=providers.Callable(lambda s: s.cache_jitter, settings),
    )
    cache = providers.Singleton(ResilientCache, raw_cache, health)
    read_models = providers.Singleton(InMemoryReadModels)  # this process's view, read on every update
    shared_read_models = providers.Object({})  # name -> read models other processes read (Redis)

    context = providers.Singleton(
        GateContext,
        repository=providers.Singleton(Repository, event_store),
        read_models=read_models,
        gateway=gateway,
        checker=providers.Singleton(MembershipChecker, gateway, cache),
        admins=providers.Singleton(AdminDirectory, gateway, clock),
        clock=clock,
        tokens=providers.Singleton(CallbackTokens, providers.Callable(_secret, settings)),
    )
    gatekeeper = providers.Singleton(_gatekeeper, context, event_store, read_models, shared_read_models, health)
