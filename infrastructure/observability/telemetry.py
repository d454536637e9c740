"""One bot's metrics and spans: OpenTelemetry instruments, exported through a Prometheus registry of its own.

A registry per instance rather than prometheus_client's global one: a process may build several containers
(the simulator's restart, tests), and each must export only its own numbers.

Per update the hot path only adds to plain counters (exported through observable OpenTelemetry counters, whose
callbacks read them at scrape time) and records one latency sample; an OpenTelemetry counter's add() costs far
more than a dict increment. Values that need a query (lag, restricted members, the spool's depth) are computed
when scraped.
"""

import asyncio
import contextlib
from collections import Counter
from collections.abc import Iterable
from typing import Any

from opentelemetry.metrics import CallbackOptions, Observation
from prometheus_client import CollectorRegistry, generate_latest

from infrastructure.observability import logs
from infrastructure.observability.cache import CacheStats
from infrastructure.observability.exporters import meter_provider, resource, tracer_provider
from infrastructure.version import VERSION

PRIORITIES = {0: "p0_user", 1: "p1_enforce", 2: "p2_bulk", 3: "p3_background"}
# Every component that can fail is exported from the start, so a dashboard's error panel never shows "no data".
ERROR_COMPONENTS = ("handler", "event_store", "cache", "http", "log")
SCRAPE_QUERY_TIMEOUT = 1.0  # a scrape must answer even while Redis hangs


class Telemetry:
    def __init__(self, environment: str = "development", traces: str = "off") -> None:
        described = resource(environment)
        self.registry = CollectorRegistry()
        self._meters = meter_provider(self.registry, described)
        self.spans = tracer_provider(traces, described)  # public, so a test can add an in-memory exporter
        self.tracer = self.spans.get_tracer("chanwarden")
        # Spans are made only when they are exported; otherwise an update just gets a trace id for its logs.
        self.recording = traces != "off"
        self.updates: Counter[str] = Counter()  # by kind
        self.decisions: Counter[str] = Counter()  # by outcome
        self.telegram_calls: Counter[tuple[str, str]] = Counter()  # by (method, result)
        self.flood_waits: Counter[str] = Counter()  # by method
        self.errors: Counter[str] = Counter()  # by component
        self.cache_stats = CacheStats()
        self._store: Any = None
        self._read_models: dict[str, Any] = {}
        self._health: Any = None
        self._scheduler: Any = None
        self._spool: Any = None
        self._known_chats: Any = None
        self._log_poster: Any = None
        self._scraped: dict[str, list[Observation]] = {"lag": [], "restricted": [], "spool": [], "log_pending": []}
        self._instruments(self._meters.get_meter("chanwarden", VERSION))

    def _instruments(self, meter: Any) -> None:
        counters = {
            "chanwarden_updates": ("Updates handled, by kind", self.updates, ("kind",)),
            "chanwarden_decisions": ("Handler outcomes, by outcome", self.decisions, ("outcome",)),
            "chanwarden_telegram_calls": ("Calls that reached Telegram", self.telegram_calls, ("method", "result")),
            "chanwarden_telegram_flood_waits": ("FLOOD_WAIT answers, by method", self.flood_waits, ("method",)),
        }
        for name, (description, counts, labels) in counters.items():
            meter.create_observable_counter(name, [counts_reader(counts, labels)], description=description)
        # Their buckets are views' (exporters.HISTOGRAM_BUCKETS), keyed by these names.
        self.decision_duration = meter.create_histogram(
            "chanwarden_decision_duration_seconds", unit="s", description="Time to handle one update")
        self.append_duration = meter.create_histogram(
            "chanwarden_event_store_append_duration_seconds", unit="s", description="Event store append latency")
        self.append_batch = meter.create_histogram(
            "chanwarden_event_store_append_batch_size", description="Events per append")
        gauges = {
            "chanwarden_ratelimit_queue_depth": ("Calls waiting in the rate limiter", self._queue_depth),
            "chanwarden_ratelimit_wait_seconds": ("Seconds the last started call waited", self._last_wait),
            "chanwarden_projection_lag_events": ("Events recorded but not yet projected", self._lag),
            "chanwarden_degraded": ("1 while a backing service is out and the bot runs on fallbacks", self._degraded),
            "chanwarden_restricted_members": ("Members restricted now, from the read models", self._restricted),
            "chanwarden_spool_depth": ("Updates waiting in the spool for the event store", self._spool_depth),
            "chanwarden_log_channel_pending_lines": ("Log channel lines planned, not yet posted", self._log_pending),
        }
        for name, (description, callback) in gauges.items():
            meter.create_observable_gauge(name, callbacks=[callback], description=description)
        meter.create_observable_counter("chanwarden_cache_hits", [self._hits], description="Cache hits, by level")
        meter.create_observable_counter("chanwarden_cache_misses", [self._misses], description="Misses, by level")
        meter.create_observable_counter("chanwarden_errors", [self._errors], description="Failures, by component")
        meter.create_observable_counter("chanwarden_log_channel_lines_posted", [self._log_posted],
                                        description="Lines posted to log channels by this process")

    # What the gauges look at; the container hands these over once it has built them.

    def watch(
        self, *, store: Any, read_models: dict[str, Any], health: Any, known_chats: Any = None,
        cache_stats: CacheStats | None = None,
    ) -> None:
        self._store, self._read_models, self._health, self._known_chats = store, read_models, health, known_chats
        if cache_stats is not None:  # the levels were built with the backends, before this object existed
            self.cache_stats = cache_stats

    def watch_scheduler(self, scheduler: Any) -> None:
        self._scheduler = scheduler

    def watch_spool(self, spool: Any) -> None:
        self._spool = spool

    def watch_log_poster(self, poster: Any) -> None:
        self._log_poster = poster

    async def refresh(self) -> None:
        """Compute the values that need a query, so the synchronous export callbacks can read them."""
        lag = await projection_lag(self._store, self._read_models)
        restricted: list[Observation] = []
        local = self._read_models.get("local")
        if local is not None and self._known_chats is not None:
            with contextlib.suppress(Exception):
                total = 0
                for chat in sorted(self._known_chats()):
                    total += len(await asyncio.wait_for(local.restricted(chat), SCRAPE_QUERY_TIMEOUT))
                restricted.append(Observation(total))
        spool: list[Observation] = []
        if self._spool is not None:
            with contextlib.suppress(Exception):
                spool.append(Observation(await asyncio.wait_for(self._spool.count(), SCRAPE_QUERY_TIMEOUT)))
        log_pending: list[Observation] = []
        if self._log_poster is not None:
            with contextlib.suppress(Exception):
                pending = await asyncio.wait_for(self._log_poster.pending_lines(), SCRAPE_QUERY_TIMEOUT)
                log_pending.append(Observation(pending))
        self._scraped = {"lag": lag, "restricted": restricted, "spool": spool, "log_pending": log_pending}

    async def exposition(self) -> bytes:
        await self.refresh()
        return generate_latest(self.registry)

    def shutdown(self) -> None:
        self._meters.shutdown()
        self.spans.shutdown()  # flushes spans still waiting for the console exporter

    # Export callbacks: called while /metrics is generated, so they only read what is already at hand.

    def _queue_depth(self, _: CallbackOptions) -> Iterable[Observation]:
        if self._scheduler is None:
            return []
        depth = self._scheduler.queue_depth()
        return [Observation(depth.get(p, 0), {"priority": name}) for p, name in PRIORITIES.items()]

    def _last_wait(self, _: CallbackOptions) -> Iterable[Observation]:
        if self._scheduler is None:
            return []
        waits = self._scheduler.last_wait
        return [Observation(waits.get(p, 0.0), {"priority": name}) for p, name in PRIORITIES.items()]

    def _lag(self, _: CallbackOptions) -> Iterable[Observation]:
        return self._scraped["lag"]

    def _restricted(self, _: CallbackOptions) -> Iterable[Observation]:
        return self._scraped["restricted"]

    def _spool_depth(self, _: CallbackOptions) -> Iterable[Observation]:
        return self._scraped["spool"]

    def _log_pending(self, _: CallbackOptions) -> Iterable[Observation]:
        return self._scraped["log_pending"]

    def _log_posted(self, _: CallbackOptions) -> Iterable[Observation]:
        return [Observation(self._log_poster.lines_posted)] if self._log_poster is not None else []

    def _degraded(self, _: CallbackOptions) -> Iterable[Observation]:
        return [Observation(int(bool(self._health and self._health.degraded)))]

    def _hits(self, _: CallbackOptions) -> Iterable[Observation]:
        return [Observation(n, {"level": level}) for level, n in self.cache_stats.hits.items()]

    def _misses(self, _: CallbackOptions) -> Iterable[Observation]:
        return [Observation(n, {"level": level}) for level, n in self.cache_stats.misses.items()]

    def _errors(self, _: CallbackOptions) -> Iterable[Observation]:
        counts = {**dict.fromkeys(ERROR_COMPONENTS, 0), **self.errors}
        counts["cache"] += sum(self.cache_stats.failures.values())
        counts["log"] += logs.ERROR_RECORDS.value
        return [Observation(n, {"component": component}) for component, n in counts.items()]


async def projection_lag(store: Any, read_models: dict[str, Any]) -> list[Observation]:
    """Per reader, the log's last position minus the read model's; none for a model (or a log) out of reach."""
    lag: list[Observation] = []
    with contextlib.suppress(Exception):
        last = await asyncio.wait_for(store.last_position(), SCRAPE_QUERY_TIMEOUT)
        for reader, models in read_models.items():
            with contextlib.suppress(Exception):  # an unreachable shared model has no lag to report
                position = await asyncio.wait_for(models.position(), SCRAPE_QUERY_TIMEOUT)
                lag.append(Observation(max(last - position, 0), {"reader": reader}))
    return lag


def counts_reader(counts: Counter, labels: tuple[str, ...]) -> Any:
    """An observable counter's callback reporting each key of `counts` under `labels`."""

    def observe(_: CallbackOptions) -> Iterable[Observation]:
        for key, count in list(counts.items()):
            yield Observation(count, dict(zip(labels, key if isinstance(key, tuple) else (key,), strict=True)))

    return observe

