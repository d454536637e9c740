"""The scale-out processes' own metrics, beside the bot's (same registry, same /metrics).

Workers export which partitions they hold (`chanwarden_partition_owned`, 1 per partition held) and, through the
bot's own `chanwarden_updates_total`, their throughput. The gateway exports each partition's stream lag
(`chanwarden_stream_lag_entries`: updates published and not yet acknowledged), and the calls it carried out
for the workers or refused as fenced (`chanwarden_gateway_calls_total`); the shared Telegram budget is the
bot's `chanwarden_telegram_calls_total` and `chanwarden_ratelimit_queue_depth`, exported by the gateway alone.
The values are kept up to date by the processes' own loops (every beat), so a scrape costs no Redis query.
"""

from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

from opentelemetry.metrics import CallbackOptions, Observation

from infrastructure.version import VERSION


class ScaleOutGauges:
    def __init__(self, telemetry: Any) -> None:
        self.owned: set[str] = set()  # partitions held by this worker
        self.lag: dict[str, int] = {}  # partition -> entries waiting (the gateway)
        self.calls: dict[str, int] = {"carried_out": 0, "refused": 0}
        # The bot's registry: the same /metrics endpoint serves these too.
        meter = telemetry._meters.get_meter("chanwarden-scale-out", VERSION)
        meter.create_observable_gauge("chanwarden_partition_owned", callbacks=[self._owned],
                                      description="1 for each partition this worker holds")
        meter.create_observable_gauge("chanwarden_stream_lag_entries", callbacks=[self._lag],
                                      description="Updates on a partition's stream not yet acknowledged")
        meter.create_observable_counter("chanwarden_gateway_calls", [self._calls],
                                        description="Workers' calls the gateway carried out or refused as fenced")

    def _owned(self, _: CallbackOptions) -> Iterable[Observation]:
        return [Observation(1, {"partition": p}) for p in sorted(self.owned)]

    def _lag(self, _: CallbackOptions) -> Iterable[Observation]:
        return [Observation(n, {"partition": p}) for p, n in sorted(self.lag.items())]

    def _calls(self, _: CallbackOptions) -> Iterable[Observation]:
        return [Observation(n, {"result": result}) for result, n in self.calls.items()]


async def serve_scale_out_endpoints(settings: Any, telemetry: Any, backends: Any, health: Any,
                                    connected: Any = None) -> tuple[Any, ScaleOutGauges | None]:
    """/metrics, /healthz and /readyz as the bot serves them (CHANWARDEN_METRICS_PORT; 0: none), with the
    scale-out gauges in the same registry. `backends` None: no store probes (the gateway)."""
    from infrastructure.observability.http import Waiting, readiness, serve_endpoints

    if telemetry is None:
        return None, None
    gauges = ScaleOutGauges(telemetry)
    endpoints = await serve_endpoints(settings, None, Waiting())
    if endpoints is not None:
        probes = backends if backends is not None else SimpleNamespace(probes={}, degradable={})
        endpoints.serve_bot(telemetry, readiness(probes, health, connected or (lambda: True)))
    return endpoints, gauges
