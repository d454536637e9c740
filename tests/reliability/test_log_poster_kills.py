"""The log channel's lines are posted exactly once: a process killed at every step of posting them (before and
after each append the log poster makes, before and after each message Telegram takes), or two processes
posting at once, leave every line in the channel once, none lost, none doubled.

"Killed" as in test_kill_points.py: the process stops at that instruction for good (the call never returns,
its tasks are abandoned), and a new process opens the same PostgreSQL log and the same Telegram.
"""

import asyncio
import os
from collections import Counter
from urllib.parse import urlsplit, urlunsplit
from uuid import uuid4

import asyncpg
import pytest

from adapters.postgres import PostgresEventStore, drop_database, ensure_database
from adapters.simulated_telegram.clock import SimulatedClock
from adapters.simulated_telegram.gateway import SimulatedTelegram
from adapters.simulated_telegram.model import Participant, Person
from adapters.simulated_telegram.world import World
from application.commands import GroupMessage, MemberJoined
from application.gatekeeper import Gatekeeper
from application.log_poster import NAME as POSTER
from application.log_poster import LogPoster
from application.ports.telegram import Participant as Standing
from domain.log_feed import LogFeed
from domain.senders import USER, Sender
from infrastructure.bootstrap import bootstrap
from infrastructure.settings import Settings
from tests.log_channel_world import GROUP, LOG, OWNER, log_channel_world
from tests.reliability.test_kill_points import kill, never_returns

PG_SERVER = os.environ.get("CHANWARDEN_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
MEMBERS = range(100, 112)
LATE = 300
NOTICE = "may not post in the log channel"


class Killer:
    """Counts the log poster's steps; at step `stop_at` the process dies there for good."""

    def __init__(self, stop_at: int | None = None) -> None:
        self.stop_at = stop_at
        self.steps = 0
        self.stopped = asyncio.Event()

    async def step(self) -> None:
        self.steps += 1
        if self.steps == self.stop_at:
            self.stopped.set()
            await never_returns()


class Telegram(SimulatedTelegram):
    def __init__(self, world: World, clock: SimulatedClock, killer: Killer, rtt: float = 0.0) -> None:
        super().__init__(world, clock, rtt=rtt, jitter=rtt / 2)
        self.killer = killer

    async def send_message(self, chat_id, message, key=None):
        if chat_id != LOG and NOTICE not in message.text:  # not the log poster's
            return await super().send_message(chat_id, message, key)
        await self.killer.step()  # before Telegram has it
        sent = await super().send_message(chat_id, message, key)
        await self.killer.step()  # Telegram has it; the process never hears
        return sent


class HeldPoster(LogPoster):
    def __init__(self, store, ctx, held: asyncio.Event) -> None:
        super().__init__(store, ctx)
        self._held = held

    async def catch_up(self) -> int:
        return await super().catch_up() if self._held.is_set() else 0


class Store:
    """The PostgreSQL log, with a step before and after every append the log poster makes."""

    def __init__(self, inner: PostgresEventStore, killer: Killer) -> None:
        self._inner = inner
        self._killer = killer

    async def append(self, events, tracking=None):
        mine = (tracking is not None and tracking.reader == POSTER) or any(isinstance(e, LogFeed.Event) for e in events)
        if mine:
            await self._killer.step()
        positions = await self._inner.append(events, tracking)
        if mine:
            await self._killer.step()
        return positions

    def __getattr__(self, name):
        return getattr(self._inner, name)


class Database:
    """A fresh PostgreSQL log, opened by each process in turn; closed and dropped by `drop`."""

    def __init__(self) -> None:
        self.dsn = urlunsplit(urlsplit(PG_SERVER)._replace(path=f"/chanwarden_logpost_{uuid4().hex[:12]}"))
        self._opened: list[PostgresEventStore] = []

    async def create(self) -> "Database":
        try:
            await ensure_database(self.dsn)
        except (OSError, asyncpg.PostgresError) as error:
            pytest.skip(f"PostgreSQL is not reachable: {error}")
        return self

    async def open(self) -> PostgresEventStore:
        self._opened.append(await PostgresEventStore.open(self.dsn))
        return self._opened[-1]

    async def drop(self) -> None:
        for store in self._opened:
            await store.close()
        await drop_database(self.dsn)


async def start(store, telegram: SimulatedTelegram, clock: SimulatedClock, **overrides) -> Gatekeeper:
    settings = Settings(event_store="memory", instrument=False)
    return await bootstrap(settings, clock=clock, gateway=telegram, store=store, **overrides).start()


async def decisions(gate: Gatekeeper, refused_in: World | None = None) -> None:
    """A protected group with a log channel, and a dozen newcomers muted: a dozen and more lines to post (or,
    `refused_in` that world, the bot's right to post there taken back once the channel is set)."""
    owner = Sender(USER, OWNER)
    await gate.handle(GroupMessage(GROUP, 1, owner, "text", "/protect @news"))
    await gate.handle(GroupMessage(GROUP, 2, owner, "text", "/settings log_channel @modlog"))
    if refused_in is not None:
        refused_in.chats[LOG].bot_rights = frozenset({"change_info"})
    for member in MEMBERS:
        await gate.handle(MemberJoined(GROUP, member, "link", f"Member {member}", Standing("member")))


def posted_lines(world: World) -> Counter[str]:
    return Counter(line for m in world.chats[LOG].messages.values() if not m.deleted for line in m.text.split("\n"))


def shown(world: World) -> Counter[str]:
    """Every line in the log channel, and every notice in the group that the bot may not post there."""
    notices = Counter(m.text for m in world.chats[GROUP].messages.values() if m.from_bot and NOTICE in m.text)
    return posted_lines(world) + notices


async def run_once(stop_at: int | None, refused: bool = False) -> tuple[Counter[str], int]:
    """The story, with the poster killed at step `stop_at` (None: never) and a second process finishing."""
    database = await Database().create()
    try:
        return await _killed_and_finished(database, stop_at, refused)
    finally:
        await database.drop()


async def _killed_and_finished(database: Database, stop_at: int | None, refused: bool) -> tuple[Counter[str], int]:
    clock, killer, shared = SimulatedClock(), Killer(stop_at), log_channel_world(MEMBERS)
    gate = await start(Store(await database.open(), killer), Telegram(shared, clock, killer), clock)
    await decisions(gate, shared if refused else None)
    settled = asyncio.ensure_future(gate.settle())
    await asyncio.wait([settled, asyncio.ensure_future(killer.stopped.wait())], timeout=20,
                       return_when=asyncio.FIRST_COMPLETED)
    if killer.stopped.is_set():
        kill(gate)
        settled.cancel()
        again = await start(await database.open(), Telegram(shared, clock, Killer()), clock)
        await again.settle()
    return shown(shared), killer.steps


async def test_a_kill_at_any_step_of_posting_neither_loses_nor_doubles_a_line() -> None:
    expected, steps = await run_once(None)
    assert len(expected) >= len(MEMBERS) + 1 and set(expected.values()) == {1}
    assert steps >= 4  # planned, sent, confirmed: at least one batch went the whole way
    for stop_at in range(1, steps + 1):
        found, _ = await run_once(stop_at)
        assert found == expected, f"killed at step {stop_at} of {steps}"


async def test_a_kill_at_any_step_of_a_refusal_tells_the_group_once_and_keeps_the_lines() -> None:
    expected, steps = await run_once(None, refused=True)
    assert sum(count for text, count in expected.items() if NOTICE in text) == 1
    for stop_at in range(1, steps + 1):
        found, _ = await run_once(stop_at, refused=True)
        # Told once, whatever went out before the right was taken back went out once.
        assert sum(count for text, count in found.items() if NOTICE in text) == 1, f"killed at step {stop_at}"
        assert set(found.values()) == {1}, f"killed at step {stop_at} of {steps}"


async def test_two_processes_posting_at_once_post_each_line_once() -> None:
    database = await Database().create()
    try:
        await _two_posting_at_once(database)
    finally:
        await database.drop()


async def _two_posting_at_once(database: Database) -> None:
    clock, shared = SimulatedClock(), log_channel_world(MEMBERS)
    quiet = await start(await database.open(), SimulatedTelegram(shared, clock), clock,
                        log_poster=lambda store, ctx: None)  # decides, posts nothing: the log fills up
    await decisions(quiet)
    await quiet.settle()
    assert posted_lines(shared) == Counter()
    # Two processes with their own connections, each a round trip of a few ms to Telegram, so they interleave;
    # their posters are held until both have started, then run side by side.
    held = asyncio.Event()
    gates = [await start(await database.open(), Telegram(shared, clock, Killer(), rtt=0.003), clock,
                         log_poster=lambda store, ctx: HeldPoster(store, ctx, held)) for _ in range(2)]
    assert posted_lines(shared) == Counter()
    held.set()
    for _ in range(3):
        await asyncio.gather(*(gate.pump.log_poster.catch_up() for gate in gates))
    lines = posted_lines(shared)
    assert len(lines) >= len(MEMBERS) + 1 and set(lines.values()) == {1}
    assert any("Member 100 (id 100) muted, missing @news" in line for line in lines)


class StaleStore(Store):
    """The log as a poller sees it that read its tracking position before another poller moved it on."""

    def __init__(self, inner: PostgresEventStore) -> None:
        super().__init__(inner, Killer())

    async def tracking_position(self, reader: str) -> int:
        return 0


async def test_a_poller_that_read_an_old_position_plans_nothing_twice() -> None:
    # A second poller may read the tracking position before the first records its batches, and the feed after:
    # the feed's own `through` keeps it from planning those records again.
    database = await Database().create()
    try:
        clock, shared = SimulatedClock(), log_channel_world(MEMBERS)
        shared.people[LATE] = Person(LATE, "Late")
        shared.chats[GROUP].participants[LATE] = Participant("member")
        gate = await start(await database.open(), SimulatedTelegram(shared, clock), clock)
        await decisions(gate)
        await gate.settle()
        before = posted_lines(shared)
        quiet = await start(await database.open(), SimulatedTelegram(shared, clock), clock,
                            log_poster=lambda store, ctx: None)
        await quiet.handle(MemberJoined(GROUP, LATE, "link", "Late", Standing("member")))
        await quiet.settle()
        await LogPoster(StaleStore(await database.open()), quiet.ctx).catch_up()
        after = posted_lines(shared)
        assert set(after.values()) == {1} and len(after) == len(before) + 1
        assert any("Late (id 300) muted" in line for line in after)
    finally:
        await database.drop()
