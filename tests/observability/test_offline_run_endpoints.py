"""`chanwarden run` (offline: the real client, adapter, limiter and container over a simulated world) serves
/metrics, /healthz and /readyz, and logs JSON lines that carry the update's ids and trace id, never a secret."""

import json

from tests.observability.conftest import API_HASH, PG_PASSWORD, REDIS_PASSWORD, TOKEN, samples, series_names, value

# The story: Bob joins unsubscribed (restricted), Alice leaves the channel (restricted), Bob subscribes (released).
STORY_RESTRICTIONS = 2

EXPORTED = {
    "chanwarden_updates_total", "chanwarden_decisions_total", "chanwarden_decision_duration_seconds_bucket",
    "chanwarden_telegram_calls_total", "chanwarden_telegram_flood_waits_total", "chanwarden_ratelimit_queue_depth",
    "chanwarden_ratelimit_wait_seconds", "chanwarden_cache_hits_total", "chanwarden_cache_misses_total",
    "chanwarden_event_store_append_duration_seconds_bucket", "chanwarden_event_store_append_batch_size_bucket",
    "chanwarden_projection_lag_events", "chanwarden_degraded", "chanwarden_restricted_members",
    "chanwarden_errors_total", "chanwarden_spool_depth", "chanwarden_log_channel_lines_posted_total",
    "chanwarden_log_channel_pending_lines",
}


def test_the_run_command_exports_every_series_with_the_story_s_values(offline_bot) -> None:
    assert offline_bot["returncode"] == 0, offline_bot["output"]
    assert "0 expectation(s) failed" in offline_bot["output"]
    status, text = offline_bot["metrics"]
    assert status == 200
    assert series_names(text) >= EXPORTED
    assert value(text, "chanwarden_decisions_total", outcome="restricted") == STORY_RESTRICTIONS
    assert value(text, "chanwarden_restricted_members") == 1  # Alice; Bob was released
    assert value(text, "chanwarden_updates_total", kind="member_joined") == 1
    assert value(text, "chanwarden_updates_total") == value(text, "chanwarden_decision_duration_seconds_count")
    # Buckets from 10 µs, where the decisions the cache answers fall.
    assert {"1e-05", "5e-05", "0.0001"} <= {labels["le"] for name, labels, _ in samples(text)
                                           if name == "chanwarden_decision_duration_seconds_bucket"}
    assert value(text, "chanwarden_telegram_calls_total", method="restrict", result="ok") >= STORY_RESTRICTIONS
    # The limiter sits in front of the instrumented gateway: its queues are exported per priority.
    for priority in ("p0_user", "p1_enforce", "p2_bulk", "p3_background"):
        assert value(text, "chanwarden_ratelimit_queue_depth", priority=priority) == 0
    assert value(text, "chanwarden_projection_lag_events", reader="local") == 0
    assert value(text, "chanwarden_degraded") == 0
    assert value(text, "chanwarden_errors_total") == 0
    # No group names a log channel in this story: nothing posted there, nothing waiting.
    assert value(text, "chanwarden_log_channel_lines_posted_total") == 0
    assert value(text, "chanwarden_log_channel_pending_lines") == 0


def test_health_endpoints_on_their_own_port(offline_bot) -> None:
    assert offline_bot["healthz"] == (200, json.dumps({"status": "alive"}))
    status, body = offline_bot["readyz"]
    assert status == 200
    ready = json.loads(body)
    assert ready["status"] == "ready"
    assert ready["checks"] == {"telegram": "ok", "event_store": "ok"}
    assert offline_bot["readyz_on_metrics_port"][0] == 404  # moved to the health port, not served twice


def test_log_lines_are_json_with_update_ids_and_trace_ids(offline_bot) -> None:
    records = offline_bot["log_records"]
    handled = [r for r in records if r.get("event") == "update handled"]
    assert len(handled) >= 4
    for record in handled:
        assert {"timestamp", "level", "logger", "kind", "trace_id"} <= record.keys()
        assert len(record["trace_id"]) == 32
    joined = next(r for r in handled if r["kind"] == "member_joined")
    assert (joined["group"], joined["user"]) == (2001, 2)
    # A decision's log line names the events it recorded.
    assert any(r.get("events") for r in handled if r.get("outcome") == "restricted")
    assert len({r["trace_id"] for r in handled}) == len(handled)  # one trace per update


def test_no_secret_reaches_the_output(offline_bot) -> None:
    output = offline_bot["output"]
    for secret in (TOKEN, API_HASH, PG_PASSWORD, REDIS_PASSWORD):
        assert secret not in output
