"""The SQLite log locked by another process for a while: joins are spooled, none dropped; the event loop keeps
turning meanwhile; the spool drains in arrival order once the lock is gone, and a spool left by a killed bot
is drained by the next one over the same files.

CHANWARDEN_LOCK_SECONDS=20 replays the outage as it was first observed (the default keeps the suite quick).
"""

import asyncio
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from adapters.simulated_telegram.model import Person
from adapters.sqlite.spool import SqliteSpool
from application.gatekeeper import SPOOL, STORE
from domain.ids import verdict_stream_id
from entrypoints.scenarios.runner import ScenarioRun
from infrastructure.settings import Settings
from tests.integration.helpers import play, scenario

LOCK_SECONDS = float(os.environ.get("CHANWARDEN_LOCK_SECONDS", "2"))
NEWCOMERS = [21, 22, 23, 24, 25]
STALL_LIMIT = 0.1  # seconds the loop may miss a tick by; sqlite3's own busy wait used to block it for 5

PROTECT = """
- {do: command, chat: 2001, from: 11, text: "/protect @news"}
- {do: message, chat: 2001, from: 1, text: hello}
"""

# Another process takes SQLite's write lock and keeps it until told (a line on stdin).
HOLD_LOCK = textwrap.dedent("""
    import sqlite3, sys
    db = sqlite3.connect(sys.argv[1], isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    print("locked", flush=True)
    sys.stdin.readline()
    db.execute("ROLLBACK")
""")


class LockHolder:
    def __init__(self, path: Path) -> None:
        self._process = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(path)], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, text=True)
        assert self._process.stdout.readline().strip() == "locked"

    def release(self) -> None:
        if self._process.poll() is None:
            self._process.communicate("go\n", timeout=10)


class Ticker:
    """Ticks every few milliseconds and remembers the longest it was kept waiting beyond that."""

    STEP = 0.005

    def __init__(self) -> None:
        self.worst = 0.0
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(self.STEP)
            self.worst = max(self.worst, loop.time() - before - self.STEP)

    def stop(self) -> float:
        self._task.cancel()
        return self.worst


@pytest.fixture
async def run():
    run = ScenarioRun(scenario(PROTECT), Settings(event_store="sqlite"))
    await run.open()
    for member in NEWCOMERS:
        run.world.people[member] = Person(member, f"Newcomer {member}")
    await play(run, PROTECT)
    yield run
    await run.close()


async def join_while_locked(run: ScenarioRun) -> LockHolder:
    """The newcomers join, spread over the lock's time; returns the holder, still holding."""
    holder = LockHolder(run._run_settings.sqlite_path)
    pause = LOCK_SECONDS / len(NEWCOMERS)
    for member in NEWCOMERS:
        await play(run, f"[{{do: join, chat: 2001, user: {member}}}]")
        await asyncio.sleep(pause)
    return holder


async def restricted_in_log_order(run: ScenarioRun) -> list[int]:
    members = {verdict_stream_id(2001, member): member for member in NEWCOMERS}
    records = await run.store.read_all(after=0, limit=10_000)
    return [members[r.event.originator_id] for r in records if type(r.event).__name__ == "MemberRestricted"]


async def test_joins_during_a_lock_are_spooled_not_dropped_and_the_loop_keeps_turning(run, caplog) -> None:
    caplog.set_level(logging.ERROR)
    ticker = Ticker()
    holder = await join_while_locked(run)
    try:
        stall = ticker.stop()
        spool = run.gatekeeper.spool
        assert await spool.count() == len(NEWCOMERS)
        assert STORE in run.health.problems and run.health.problems[SPOOL].startswith(f"{len(NEWCOMERS)} update")
        assert await restricted_in_log_order(run) == []
        assert stall < STALL_LIMIT, f"the event loop stood still for {stall * 1000:.0f} ms"
    finally:
        holder.release()

    assert await run.gatekeeper.drain_spool()
    await run.deliver()
    assert await restricted_in_log_order(run) == NEWCOMERS  # in the order they joined
    assert not any(run.world.can_write(2001, member) for member in NEWCOMERS)
    assert STORE not in run.health.problems and SPOOL not in run.health.problems
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # nothing dropped
    print(f"\nsqlite locked {LOCK_SECONDS:.0f}s: {len(NEWCOMERS)} joins spooled, worst loop stall "
          f"{stall * 1000:.1f} ms")


async def test_a_spool_left_by_a_killed_bot_is_drained_by_the_next_over_the_same_file(run) -> None:
    holder = await join_while_locked(run)
    first = run.gatekeeper
    holder.release()
    await run.crash_restart()  # the first gatekeeper and its spool object are dropped as they are

    assert run.gatekeeper is not first
    spool = run.gatekeeper.spool
    assert isinstance(spool, SqliteSpool) and spool is not first.spool and spool.path == first.spool.path
    await run.deliver()
    assert await spool.count() == 0
    assert await restricted_in_log_order(run) == NEWCOMERS
    assert not any(run.world.can_write(2001, member) for member in NEWCOMERS)


async def test_a_full_disk_spools_until_there_is_room_again(run) -> None:
    # SQLite's own page limit stands in for the disk: appends fail with SQLITE_FULL, as on a full volume.
    db = run.store.inner._db
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")
    for member in NEWCOMERS:
        await play(run, f"[{{do: join, chat: 2001, user: {member}}}]")
    # The first joins may still fit in the pages the file has; the rest wait, none is dropped.
    spooled = await run.gatekeeper.spool.count()
    assert spooled >= 1 and len(await restricted_in_log_order(run)) + spooled == len(NEWCOMERS)
    assert "full" in run.health.problems[STORE]

    db.execute("PRAGMA max_page_count = 1073741823")
    assert await run.gatekeeper.drain_spool()
    await run.deliver()
    assert await restricted_in_log_order(run) == NEWCOMERS
