"""Redis goes away in the middle of a run: verdicts stay right, health says degraded, then it recovers."""

from redis.asyncio import ConnectionPool

from entrypoints.scenarios.runner import ScenarioRun
from infrastructure.settings import Settings
from tests.integration.helpers import play, scenario

PROTECT = """
- {do: command, chat: 2001, from: 11, text: "/protect @news"}
- {do: message, chat: 2001, from: 1, text: hello}
- {do: message, chat: 2001, from: 3, text: hello}
"""


async def test_redis_outage_mid_run_gives_no_wrong_verdict_and_recovers(redis_up) -> None:
    run = ScenarioRun(scenario(PROTECT), Settings(event_store="memory", cache="redis"))
    await run.open()
    try:
        await play(run, PROTECT)
        assert not run.health.degraded
        client = run.backends.shared_read_models["redis"]._client
        healthy_pool = client.connection_pool
        client.connection_pool = ConnectionPool.from_url("redis://127.0.0.1:1/0")

        await play(run, """
            - {do: join, chat: 2001, user: 2}
            - {expect: can_write, chat: 2001, user: 2, value: false}
            - {do: leave, chat: 1001, user: 1}
            - {expect: can_write, chat: 2001, user: 1, value: false}
        """)
        await run.backends.cache.forget_local()  # as after a restart: Carol's answer is now only in Redis
        calls = run.telegram.calls["get_participant"]
        await play(run, """
            - {do: message, chat: 2001, from: 3, text: still here}
            - {expect: can_write, chat: 2001, user: 3, value: true}
        """)
        assert run.health.degraded
        assert set(run.health.problems) >= {"membership_cache", "read_models:redis"}
        # Carol's cached answer is out of reach, so Telegram was asked instead: slower, still right.
        assert run.telegram.calls["get_participant"] == calls + 1

        client.connection_pool = healthy_pool
        await play(run, """
            - {do: join, chat: 1001, user: 1}
            - {expect: can_write, chat: 2001, user: 1, value: true}
            - {do: message, chat: 2001, from: 3, text: back}
        """)
        assert not run.health.degraded
        shared = run.backends.shared_read_models["redis"]
        assert await shared.position() == await run.store.last_position()
        restricted = [v.member_id for v in await shared.restricted(2001)]
        assert restricted == [2]
    finally:
        await run.close()
