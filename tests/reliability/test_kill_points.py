"""A process killed at many points of /unprotect, and between Telegram carrying out a mute and the bot
recording it: the next process finishes the work, and nothing is done twice.

"Killed" here means the process stops at that instruction for good: the call it was making never
returns (Telegram may or may not have carried it out), its tasks are abandoned, and a new process opens
the same log (SQLite: the same file; the in-memory log: the same object) and the same Telegram.
"""

import asyncio
from collections import Counter
from pathlib import Path

import pytest

from adapters.memory.event_store import InMemoryEventStore
from adapters.simulated_telegram.clock import SimulatedClock
from adapters.simulated_telegram.gateway import SimulatedTelegram
from adapters.simulated_telegram.model import Chat, Participant, Person
from adapters.simulated_telegram.world import World
from adapters.sqlite.event_store import SqliteEventStore
from application.commands import ChannelMembershipChanged, GroupMessage, MemberJoined
from application.gatekeeper import Gatekeeper
from application.ports.telegram import Participant as Standing
from domain.rights import MUTE
from domain.senders import USER, Sender
from infrastructure.bootstrap import bootstrap
from infrastructure.settings import Settings

GROUP, CHANNEL, OWNER, BOT = 2001, 1001, 10, 999
MEMBERS = range(100, 250)  # 150 newcomers, none subscribed


async def never_returns() -> None:
    """The process died in this call: it never comes back (its task is abandoned with the rest)."""
    await asyncio.Event().wait()


class Telegram(SimulatedTelegram):
    """The simulated Telegram, counting every rights change per member, that can stop the bot dead in its
    `stop_at`-th lift (after Telegram carried it out, the worst moment: done, but never heard of)."""

    def __init__(self, world: World, clock: SimulatedClock) -> None:
        super().__init__(world, clock)
        self.lifts: Counter[int] = Counter()
        self.mutes: Counter[int] = Counter()
        self.stop_at: int | None = None
        self.stopped = asyncio.Event()

    async def restrict(self, chat_id, member_id, restrictions, until=None):
        await super().restrict(chat_id, member_id, restrictions, until)
        counter = self.mutes if "send_messages" in restrictions else self.lifts
        counter[member_id] += 1
        if counter is self.lifts and sum(self.lifts.values()) == self.stop_at:
            self.stopped.set()
            await never_returns()


class Log:
    """Opens the same log again, as a restarted process would."""

    def __init__(self, kind: str, folder: Path) -> None:
        self._kind, self._path = kind, folder / "events.db"
        self._memory = InMemoryEventStore()

    def open(self):
        return self._memory if self._kind == "memory" else SqliteEventStore(self._path)


def world() -> World:
    made = World(bot_id=BOT)
    made.people[OWNER] = Person(OWNER, "Owner")
    news = Chat(CHANNEL, "channel", "News", "news")
    news.participants = {BOT: Participant("admin")}
    group = Chat(GROUP, "group", "Chat")
    group.participants = {OWNER: Participant("creator"), BOT: Participant("admin")}
    for member in MEMBERS:
        made.people[member] = Person(member, f"Member {member}")
        group.participants[member] = Participant("member")
    made.chats = {CHANNEL: news, GROUP: group}
    return made


async def start(store, telegram: Telegram, clock: SimulatedClock) -> Gatekeeper:
    settings = Settings(event_store="memory", instrument=False)
    return await bootstrap(settings, clock=clock, gateway=telegram, store=store).start()


def kill(gate: Gatekeeper) -> None:
    """Nothing settles, nothing is flushed: every task of the process is abandoned where it stands."""
    for loop in gate.pump._loops:
        if loop._task is not None:
            loop._task.cancel()
    for task in list(gate.ctx.behind):
        task.cancel()


@pytest.fixture(params=["memory", "sqlite"])
def log(request, tmp_path: Path) -> Log:
    return Log(request.param, tmp_path)


async def muted_group(log: Log) -> tuple[Gatekeeper, Telegram, SimulatedClock]:
    clock = SimulatedClock()
    telegram = Telegram(world(), clock)
    gate = await start(log.open(), telegram, clock)
    await gate.handle(GroupMessage(GROUP, 1, Sender(USER, OWNER), "text", "/protect @news"))
    for member in MEMBERS:
        await gate.handle(MemberJoined(GROUP, member, "link", f"Member {member}", Standing("member")))
    await gate.settle()
    assert not any(telegram.world.can_write(GROUP, m) for m in MEMBERS)
    return gate, telegram, clock


@pytest.mark.parametrize("stop_at", [1, 2, 75, 150])
async def test_unprotect_killed_at_a_lift_is_finished_by_the_next_process_and_lifts_each_once(log, stop_at) -> None:
    gate, telegram, clock = await muted_group(log)
    telegram.stop_at = stop_at
    await gate.handle(GroupMessage(GROUP, 2, Sender(USER, OWNER), "text", "/unprotect"))
    await asyncio.wait_for(telegram.stopped.wait(), 10)
    kill(gate)

    after = await start(log.open(), telegram, clock)
    await after.settle()
    assert all(telegram.world.can_write(GROUP, m) for m in MEMBERS)
    assert set(telegram.lifts) == set(MEMBERS) and set(telegram.lifts.values()) == {1}, telegram.lifts
    assert not telegram.world.live_bot_messages(GROUP)[2:]  # the two replies alone: every warning is gone


@pytest.mark.parametrize("recorded", [0, 1, 60, 149])
async def test_unprotect_killed_while_releases_are_recorded_is_finished_by_the_next_process(log, recorded) -> None:
    gate, telegram, clock = await muted_group(log)
    store = gate.ctx.repository._store
    appended = store.append
    releases = 0

    async def dying_append(events, tracking=None):
        nonlocal releases
        if any(type(e).__name__ == "MemberReleased" for e in events):
            if releases == recorded:
                await never_returns()
            releases += 1
        return await appended(events, tracking)

    store.append = dying_append
    await gate.handle(GroupMessage(GROUP, 2, Sender(USER, OWNER), "text", "/unprotect"))
    for _ in range(200):
        await asyncio.sleep(0.01)
        if releases == recorded:
            break
    kill(gate)
    store.append = appended

    after = await start(log.open(), telegram, clock)
    await after.settle()
    assert all(telegram.world.can_write(GROUP, m) for m in MEMBERS)
    assert set(telegram.lifts.values()) == {1} and len(telegram.lifts) == len(MEMBERS)


async def muted_unrecorded(log: Log) -> tuple[Gatekeeper, Telegram, SimulatedClock]:
    """A joiner decided muted, whose mute Telegram carried out and the process never recorded."""
    clock = SimulatedClock()
    telegram = Telegram(world(), clock)
    gate = await start(log.open(), telegram, clock)
    await gate.handle(GroupMessage(GROUP, 1, Sender(USER, OWNER), "text", "/protect @news"))
    await gate.settle()
    gate.ctx.on_recorded = lambda: None  # the process dies right after recording: its reactor never runs
    await gate.handle(MemberJoined(GROUP, 100, "link", "Member 100", Standing("member")))
    await telegram.restrict(GROUP, 100, MUTE)  # ... but Telegram had muted them (the call went out)
    return gate, telegram, clock


async def test_a_mute_telegram_carried_out_but_the_bot_never_recorded_is_not_made_again(log) -> None:
    gate, telegram, clock = await muted_unrecorded(log)
    kill(gate)

    after = await start(log.open(), telegram, clock)
    await after.settle()
    assert telegram.mutes[100] == 1  # read, found muted, recorded as done
    events = [type(r.event).__name__ for r in await after.ctx.repository._store.read_all(0, 1000)]
    assert events.count("MuteApplied") == 1 and events.count("WarningPosted") == 1
    assert not telegram.world.can_write(GROUP, 100)


async def test_a_mute_telegram_carried_out_unrecorded_is_lifted_when_the_member_was_released_meanwhile(log) -> None:
    gate, telegram, clock = await muted_unrecorded(log)
    telegram.world.join(CHANNEL, 100)
    await gate.handle(ChannelMembershipChanged(CHANNEL, 100, "member"))  # released in the log, mute unrecorded
    kill(gate)

    after = await start(log.open(), telegram, clock)
    await after.settle()
    assert telegram.world.can_write(GROUP, 100)  # read, the mute recorded as the bot's, then lifted
    assert telegram.lifts[100] == 1
    events = [type(r.event).__name__ for r in await after.ctx.repository._store.read_all(0, 1000)]
    assert events.count("MuteApplied") == 1 and events.count("MuteLifted") == 1
