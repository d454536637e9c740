"""PostgreSQL goes away mid-run: nothing is released unrecorded, strict groups stay guarded, nothing is lost."""

import pytest

from adapters.sqlite.spool import SqliteSpool
from application.gatekeeper import SPOOL, STORE
from entrypoints.scenarios.runner import ScenarioRun
from infrastructure.observability.http import readiness
from infrastructure.settings import Settings
from tests.integration.helpers import play, scenario
from tests.outage.proxy import CuttableProxy

BEFORE = """
- {do: command, chat: 2001, from: 11, text: "/protect @news"}
- {do: message, chat: 2001, from: 1, text: hello}
- {do: message, chat: 2001, from: 3, text: hello}
- {do: join, chat: 2001, user: 2}
- {do: join, chat: 1001, user: 2, silent: true}
"""


@pytest.fixture
async def proxied():
    """A run on PostgreSQL behind a proxy the test can cut, played up to BEFORE."""
    proxy = CuttableProxy(5432)
    await proxy.start()
    dsn = f"postgresql://postgres@127.0.0.1:{proxy.port}/chanwarden"
    run = ScenarioRun(scenario(BEFORE), Settings(event_store="postgres", postgres_dsn=dsn))
    await run.open()
    try:
        await play(run, BEFORE)
        yield run, proxy
    finally:
        if not proxy.is_up:
            await proxy.restore()
        await run.close()
        await proxy.cut()


async def test_postgres_outage_defers_decisions_and_loses_nothing(proxied) -> None:
    run, proxy = proxied
    events_before = await run.store.last_position()
    await proxy.cut()

    await play(run, """
        - {do: leave, chat: 1001, user: 3}
        - {do: message, chat: 2001, from: 3, text: "still here?", ref: carol}
        - {expect: message_deleted, ref: carol}
        - {do: click, chat: 2001, user: 2}
        - {expect: callback_answer, contains: "try again"}
        - {expect: can_write, chat: 2001, user: 2, value: false}
    """)
    # Carol's leave waits to be decided: her message went (strict group), her mute waits for the log.
    assert run.world.can_write(2001, 3)
    assert STORE in run.health.problems
    # The two updates wait in the durable spool, in the order they came, and health says how many.
    spool = run.gatekeeper.spool
    assert isinstance(spool, SqliteSpool) and await spool.count() == 2
    assert (await spool.oldest()).user_id == 3
    assert run.health.problems[SPOOL].startswith("2 update(s)")
    status, body = await readiness(run.backends, run.health, lambda: True).check()
    assert status == 503 and body["problems"][SPOOL].startswith("2 update(s)")  # /readyz shows the depth

    await proxy.restore()
    assert await run.gatekeeper.drain_spool()
    await run.deliver()
    await play(run, """
        - {expect: can_write, chat: 2001, user: 3, value: false}
        - {expect: event, type: MemberRestricted, chat: 2001, user: 3}
        - {expect: can_write, chat: 2001, user: 2, value: false}
        - {expect: event, type: MemberReleased, chat: 2001, user: 2, value: false}
        - {do: click, chat: 2001, user: 2}
        - {expect: can_write, chat: 2001, user: 2, value: true}
        - {expect: gate_correct, chat: 2001}
    """)
    assert STORE not in run.health.problems and SPOOL not in run.health.problems
    assert await spool.count() == 0
    assert await run.store.last_position() > events_before
    assert await run.store.tracking_position("reactor") == await run.store.last_position()


async def test_a_bot_killed_during_the_outage_leaves_its_spool_to_the_next(proxied) -> None:
    run, proxy = proxied
    await proxy.cut()
    await play(run, """
        - {do: leave, chat: 1001, user: 3}
        - {do: join, chat: 2001, user: 4}
    """)
    assert await run.gatekeeper.spool.count() == 2

    await proxy.restore()
    await run.crash_restart()  # a new process over the same spool file drains it as it starts
    assert await run.gatekeeper.spool.count() == 0
    await run.deliver()
    await play(run, """
        - {expect: can_write, chat: 2001, user: 3, value: false}
        - {expect: event, type: MemberRestricted, chat: 2001, user: 3}
        - {expect: can_write, chat: 2001, user: 4, value: false}
        - {do: click, chat: 2001, user: 2}
        - {expect: gate_correct, chat: 2001}
    """)
