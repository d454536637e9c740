"""The metrics of `chanwarden projections follow`, served on its own port as the bot serves its own.

Under the bot's names where they mean the same (projection lag, degraded, errors), so the dashboard and the alert
rules read both processes alike; what only the follower does (events projected) has a name of its own. The job
label Prometheus adds tells the two apart.
"""

from collections import Counter
from collections.abc import Iterable
from typing import Any

from opentelemetry.metrics import CallbackOptions, Observation
from prometheus_client import CollectorRegistry, generate_latest

from infrastructure.observability import logs
from infrastructure.observability.exporters import meter_provider, resource
from infrastructure.observability.telemetry import counts_reader, projection_lag
from infrastructure.version import VERSION

# Exported from the start, so that rate() and the error panels have a series before the first failure.
ERROR_COMPONENTS = ("projection", "http", "log")


class FollowerTelemetry:
    def __init__(self, environment: str, store: Any, shared: dict[str, Any], progress: Any) -> None:
        """`progress` is the follower's own account: `applied` and `failures` per read model, and `health`."""
        self.registry = CollectorRegistry()
        self._meters = meter_provider(self.registry, resource(environment, "chanwarden-projections"))
        self._store, self._shared, self._progress = store, shared, progress
        self.errors: Counter[str] = Counter()  # by component, as the bot's Telemetry (the endpoints count "http")
        self._lag: list[Observation] = []
        meter = self._meters.get_meter("chanwarden", VERSION)
        meter.create_observable_counter("chanwarden_projected_events", [counts_reader(progress.applied, ("reader",))],
                                        description="Events applied to the shared read models, by reader")
        meter.create_observable_gauge("chanwarden_projection_lag_events", [lambda _: self._lag],
                                      description="Events recorded but not yet projected")
        meter.create_observable_gauge("chanwarden_degraded", [self._degraded],
                                      description="1 while a shared read model cannot be written")
        meter.create_observable_counter("chanwarden_errors", [self._errors], description="Failures, by component")

    async def exposition(self) -> bytes:
        self._lag = await projection_lag(self._store, self._shared)
        return generate_latest(self.registry)

    def shutdown(self) -> None:
        self._meters.shutdown()

    def _degraded(self, _: CallbackOptions) -> Iterable[Observation]:
        return [Observation(int(self._progress.health.degraded))]

    def _errors(self, _: CallbackOptions) -> Iterable[Observation]:
        counts = {**dict.fromkeys(ERROR_COMPONENTS, 0), **self.errors}
        counts["projection"] += sum(self._progress.failures.values())
        counts["log"] += logs.ERROR_RECORDS.value
        return [Observation(n, {"component": component}) for component, n in counts.items()]
