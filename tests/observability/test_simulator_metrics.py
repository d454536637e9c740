"""A scenario on the simulator with instrumentation on: /metrics over HTTP agrees with what the scenario did,
and /readyz says degraded while Redis is out of reach, then ready again."""

import json
from collections import Counter
from types import SimpleNamespace

import aiohttp
from redis.asyncio import ConnectionPool

from application.health import Health
from entrypoints.scenarios.runner import ScenarioRun
from infrastructure.observability.http import ObservabilityServer, readiness
from infrastructure.settings import Settings
from tests.integration.helpers import play, scenario
from tests.observability.conftest import samples, value

STORY = """
- {do: command, chat: 2001, from: 11, text: "/protect @news"}
- {do: message, chat: 2001, from: 1, text: hello}
- {do: message, chat: 2001, from: 1, text: again}
- {do: join, chat: 2001, user: 2}
- {do: join, chat: 2001, user: 4}
- {do: fault, method: get_participant, error: flood_wait, chat: 1001, seconds: 5}
- {do: message, chat: 2001, from: 3, text: hello}
"""
OUTAGE = """
- {do: join, chat: 1001, user: 2}
- {do: message, chat: 2001, from: 1, text: still here}
"""
RECOVERY = """
- {do: leave, chat: 1001, user: 2}
- {do: message, chat: 2001, from: 1, text: back}
"""
# The simulator counts calls under Telegram's own method names; the port's names map onto them.
TELEGRAM_NAMES = {
    "get_participant": "get_participant", "get_admins": "get_participants", "resolve_channel": "resolve_username",
    "export_invite_link": "export_chat_invite", "restrict": "edit_banned", "send_message": "send_message",
    "edit_message": "edit_message", "delete_messages": "delete_messages", "answer_callback": "set_bot_callback_answer",
    "decide_join_request": "hide_chat_join_request", "my_rights": "get_participant", "resolve_user": "resolve_username",
    "send_private": "send_message", "set_commands": "set_bot_commands", "list_participants": "get_participants",
}


async def test_metrics_match_the_scenario_and_readiness_follows_redis(redis_up) -> None:
    run = ScenarioRun(scenario(STORY), Settings(event_store="memory", cache="redis", instrument=True))
    await run.open()
    telemetry = run.gatekeeper.telemetry
    server = ObservabilityServer(telemetry, readiness(run.backends, run.health, lambda: True))
    await server.start("127.0.0.1", 0)
    base = f"http://127.0.0.1:{server.ports['metrics']}"
    try:
        async with aiohttp.ClientSession() as http:

            async def scrape() -> str:
                async with http.get(f"{base}/metrics") as response:
                    assert response.status == 200
                    return await response.text()

            async def ready() -> tuple[int, dict]:
                async with http.get(f"{base}/readyz") as response:
                    return response.status, json.loads(await response.text())

            await play(run, STORY)
            text = await scrape()
            events = await run.event_counts()
            restricted = value(text, "chanwarden_decisions_total", outcome="restricted")
            unchecked = value(text, "chanwarden_decisions_total", outcome="restricted_unchecked")
            assert (restricted, unchecked) == (2, 1)  # Bob and Dave; Carol because the check hit a flood wait
            assert restricted + unchecked == events["MemberRestricted"]
            assert value(text, "chanwarden_decisions_total", outcome="passed") == 2
            assert value(text, "chanwarden_updates_total", kind="group_message") == 4
            assert value(text, "chanwarden_updates_total", kind="member_joined") == 2
            assert value(text, "chanwarden_decision_duration_seconds_count") == 6

            served: Counter[str] = Counter()
            for name, labels, count in samples(text):
                if name == "chanwarden_telegram_calls_total":
                    served[TELEGRAM_NAMES[labels["method"]]] += int(count)
            assert served == run.telegram.calls
            assert value(text, "chanwarden_telegram_flood_waits_total", method="get_participant") == 1
            assert value(text, "chanwarden_telegram_calls_total", method="get_participant", result="flood_wait") == 1

            assert value(text, "chanwarden_event_store_append_batch_size_sum") == sum(events.values())
            assert value(text, "chanwarden_event_store_append_duration_seconds_count") > 0
            # Alice's second message is answered by the in-process level; Bob and Dave are asked of Telegram.
            # Once the in-process level is a full copy of Redis (filled as the bot starts), their misses are
            # not asked of Redis: at most the first, if it came before the fill was done.
            assert value(text, "chanwarden_cache_hits_total", level="memory") >= 1
            assert value(text, "chanwarden_cache_misses_total", level="memory") >= 2
            assert value(text, "chanwarden_cache_misses_total", level="redis") <= 1
            assert value(text, "chanwarden_restricted_members") == 3
            assert value(text, "chanwarden_projection_lag_events", reader="local") == 0
            assert value(text, "chanwarden_projection_lag_events", reader="redis") == 0
            assert value(text, "chanwarden_degraded") == 0
            assert await ready() == (200, {"status": "ready", "checks": {
                "telegram": "ok", "event_store": "ok", "redis": "ok"}, "problems": {}})

            client = run.backends.shared_read_models["redis"]._client
            healthy_pool = client.connection_pool
            client.connection_pool = ConnectionPool.from_url("redis://127.0.0.1:1/0")
            await play(run, OUTAGE)
            await run.backends.cache.flushed()  # the statuses learned are written behind the answers
            status, body = await ready()
            assert (status, body["status"]) == (200, "degraded")
            assert body["checks"]["redis"] != "ok" and body["checks"]["event_store"] == "ok"
            assert "read_models:redis" in body["problems"]
            text = await scrape()
            assert value(text, "chanwarden_degraded") == 1
            assert value(text, "chanwarden_errors_total", component="cache") >= 1

            client.connection_pool = healthy_pool
            await play(run, RECOVERY)
            assert await ready() == (200, {"status": "ready", "checks": {
                "telegram": "ok", "event_store": "ok", "redis": "ok"}, "problems": {}})
            text = await scrape()
            assert value(text, "chanwarden_degraded") == 0
            assert value(text, "chanwarden_projection_lag_events", reader="redis") == 0
    finally:
        await server.close()
        await run.close()
        telemetry.shutdown()


async def test_readyz_is_503_when_telegram_or_the_event_store_does_not_answer() -> None:
    async def refused() -> int:
        raise ConnectionError("refused")

    backends = SimpleNamespace(probes={"event_store": refused}, degradable={})
    status, body = await readiness(backends, Health(), lambda: False).check()
    assert status == 503
    assert body["status"] == "not_ready"
    assert body["checks"] == {"telegram": "down", "event_store": "ConnectionError: refused"}
