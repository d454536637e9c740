"""CHANWARDEN_TRACES=otlp: `chanwarden run` sends its spans over OTLP/HTTP to the collector named by the standard
OTEL_EXPORTER_OTLP_ENDPOINT (here a receiver on the loopback interface), one trace per update, and the trace ids
in its log lines are those of the spans the collector holds."""

import json
import signal

from tests.observability.conftest import API_HASH, STORY, TOKEN
from tests.observability.otlp_receiver import OtlpReceiver
from tests.offline_bot import launch_offline


def test_spans_reach_an_otlp_collector_and_log_lines_lead_to_them(tmp_path) -> None:
    with OtlpReceiver() as collector:
        env = {
            "TELEGRAM_API_ID": "1", "TELEGRAM_API_HASH": API_HASH, "TELEGRAM_BOT_TOKEN": TOKEN,
            "CHANWARDEN_EVENT_STORE": "sqlite", "CHANWARDEN_SQLITE_PATH": str(tmp_path / "events.db"),
            "CHANWARDEN_METRICS_PORT": "0", "CHANWARDEN_LOG_FORMAT": "json", "CHANWARDEN_LOG_LEVEL": "DEBUG",
            "CHANWARDEN_TRACES": "otlp", "OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint,
            "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1",  # a proxy configured on the machine must not intercept
        }
        process, lines = launch_offline(STORY, tmp_path, env)
        process.send_signal(signal.SIGTERM)  # the stop flushes the spans still waiting in the batch
        rest, _ = process.communicate(timeout=30)
    output = "".join(lines) + rest
    assert process.returncode == 0, output
    assert collector.requests and set(collector.requests) == {"POST /v1/traces application/x-protobuf"}
    updates = [s for s in collector.spans if s.name.startswith("update.")]
    assert {s.name for s in updates} >= {"update.member_joined", "update.channel_membership_changed"}
    assert {s.service for s in collector.spans} == {"chanwarden"}
    assert "telegram.restrict" in {s.name for s in collector.spans}
    joined = next(s for s in updates if s.name == "update.member_joined")
    assert (joined.attributes["group"], joined.attributes["user"], joined.attributes["outcome"]) == (2001, 2,
                                                                                                   "restricted")
    handled = [json.loads(line) for line in output.splitlines()
               if line.startswith("{") and '"update handled"' in line]
    assert handled and {r["trace_id"] for r in handled} <= {s.trace_id for s in updates}
    assert all(TOKEN not in repr(s.attributes) and API_HASH not in repr(s.attributes) for s in collector.spans)
