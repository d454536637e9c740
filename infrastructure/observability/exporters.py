"""Where a process's metrics and spans go: a Prometheus registry of its own, and spans off, on the console or to
an OpenTelemetry collector over OTLP/HTTP.

Histogram buckets are set by views rather than by the instruments' advisory boundaries: a view is applied by
the SDK whatever it makes of advice, and keeps every histogram's buckets in one table beside its name.
"""

from opentelemetry.exporter.prometheus import PrometheusMetricReader
from opentelemetry.sdk.metrics import AlwaysOffExemplarFilter, MeterProvider
from opentelemetry.sdk.metrics.view import ExplicitBucketHistogramAggregation, View
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF
from prometheus_client import CollectorRegistry

from infrastructure.version import VERSION

# A decision the cache answers takes 20 to 100 µs, an append to the embedded store about as long: buckets from
# 10 µs, so the hot path's quantiles fall between boundaries instead of all below the first one.
LATENCY_BUCKETS = (
    0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005,
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
)
BATCH_BUCKETS = (1, 2, 3, 5, 10, 25, 50, 100, 250, 500)
HISTOGRAM_BUCKETS = {
    "chanwarden_decision_duration_seconds": LATENCY_BUCKETS,
    "chanwarden_event_store_append_duration_seconds": LATENCY_BUCKETS,
    "chanwarden_event_store_append_batch_size": BATCH_BUCKETS,
}
TRACE_MODES = ("off", "console", "otlp")


def resource(environment: str, service: str = "chanwarden") -> Resource:
    return Resource.create({"service.name": service, "service.version": VERSION, "deployment.environment": environment})


def meter_provider(registry: CollectorRegistry, of: Resource) -> MeterProvider:
    """Instruments exported through `registry` only, with the buckets of HISTOGRAM_BUCKETS."""
    reader = PrometheusMetricReader(scope_info_enabled=False, registry=registry)
    views = [View(instrument_name=name, aggregation=ExplicitBucketHistogramAggregation(boundaries))
             for name, boundaries in HISTOGRAM_BUCKETS.items()]
    # No exemplars: the Prometheus text served here does not carry them, so sampling them would be wasted time.
    return MeterProvider(metric_readers=[reader], resource=of, shutdown_on_exit=False, views=views,
                         exemplar_filter=AlwaysOffExemplarFilter())


def tracer_provider(mode: str, of: Resource) -> TracerProvider:
    """Spans for `mode` (one of TRACE_MODES). Exported spans leave through a batch processor, which writes or
    sends them on a thread of its own: never on the event loop, and a collector that is away costs dropped
    spans, not a slower bot."""
    if mode not in TRACE_MODES:
        raise ValueError(f"traces must be one of {', '.join(TRACE_MODES)}, not {mode!r}")
    if mode == "off":
        # Nothing is exported: the decorators then make no spans at all (see Telemetry.recording).
        return TracerProvider(resource=of, sampler=ALWAYS_OFF, shutdown_on_exit=False)
    # The sampler is the SDK's default, so OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG can thin the spans out.
    provider = TracerProvider(resource=of, shutdown_on_exit=False)
    provider.add_span_processor(BatchSpanProcessor(_span_exporter(mode)))
    return provider


def _span_exporter(mode: str) -> SpanExporter:
    if mode == "console":
        return ConsoleSpanExporter()
    # Imported only when asked for: protobuf and an HTTP client are not worth loading for the other modes.
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    # Where and how to send come from the standard variables: OTEL_EXPORTER_OTLP_ENDPOINT (default
    # http://localhost:4318, to which /v1/traces is added), OTEL_EXPORTER_OTLP_HEADERS, OTEL_EXPORTER_OTLP_TIMEOUT.
    return OTLPSpanExporter()
