"""The latency histograms resolve the hot path: buckets from 10 µs, so a 30 µs decision and a 70 µs one land in
different buckets of /metrics instead of both below the first boundary."""

import asyncio

from infrastructure.observability.exporters import LATENCY_BUCKETS
from infrastructure.observability.telemetry import Telemetry
from tests.observability.conftest import samples

LATENCIES = ("chanwarden_decision_duration_seconds", "chanwarden_event_store_append_duration_seconds")


def buckets(text: str, histogram: str) -> dict[float, float]:
    """Cumulative count per upper bound (`le`) of one histogram, as Prometheus reads it."""
    return {float(labels["le"]): count for name, labels, count in samples(text) if name == f"{histogram}_bucket"}


def test_latency_buckets_start_at_ten_microseconds_and_split_the_hot_path() -> None:
    telemetry = Telemetry()
    try:
        for seconds in (0.00003, 0.00007, 0.004):
            telemetry.decision_duration.record(seconds)
            telemetry.append_duration.record(seconds)
        text = asyncio.run(telemetry.exposition()).decode()
    finally:
        telemetry.shutdown()
    for histogram in LATENCIES:
        found = buckets(text, histogram)
        assert min(found) == 0.00001 and sorted(found)[:-1] == list(LATENCY_BUCKETS), histogram  # the last is +Inf
        assert (found[0.00001], found[0.00005], found[0.0001], found[0.005]) == (0, 1, 2, 3), histogram
