"""Log channel lines: packed into messages Telegram accepts, many decisions to a message, each in its group's
language, and counted for the metrics."""

from datetime import UTC, datetime

from adapters.memory.event_store import InMemoryEventStore
from adapters.simulated_telegram.clock import SimulatedClock
from adapters.simulated_telegram.gateway import SimulatedTelegram
from adapters.simulated_telegram.world import World
from application import log_messages, narration
from application.commands import GroupMessage, MemberJoined
from application.log_lines import pack
from application.messages import MESSAGE_LIMIT
from application.ports.telegram import Participant as Standing
from domain.channel import Channel
from domain.protected_group import ProtectedGroup
from domain.senders import USER, Sender
from infrastructure.bootstrap import bootstrap
from infrastructure.settings import Settings
from tests.log_channel_world import GROUP, LOG, OWNER, log_channel_world

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def test_lines_are_packed_in_order_into_as_few_messages_as_fit() -> None:
    lines = [f"line {n:03} " + "x" * 90 for n in range(100)]
    batches = pack(lines)
    assert [count for _, count in batches] == [40, 40, 20]
    assert all(len(text) <= MESSAGE_LIMIT for text, _ in batches)
    assert "\n".join(text for text, _ in batches).split("\n") == lines


def test_a_line_longer_than_a_message_is_cut_to_one() -> None:
    assert pack(["y" * 5000, "short"]) == [("y" * MESSAGE_LIMIT, 1), ("short", 1)]
    assert pack([]) == []


async def start(store, shared: World, clock: SimulatedClock, **overrides):
    settings = Settings(event_store="memory", instrument=False)
    telegram = SimulatedTelegram(shared, clock)
    return await bootstrap(settings, clock=clock, gateway=telegram, store=store, **overrides).start()


async def recorded_while_nobody_posted(members: range, *commands: str):
    """Decisions recorded by a process that posts nothing; the log poster of the next one finds them all."""
    store, clock, shared = InMemoryEventStore(), SimulatedClock(), log_channel_world(members)
    quiet = await start(store, shared, clock, log_poster=lambda store, ctx: None)
    for number, text in enumerate(["/protect @news", *commands, "/settings log_channel @modlog"], start=1):
        await quiet.handle(GroupMessage(GROUP, number, Sender(USER, OWNER), "text", text, chat_title="Chat"))
    for member in members:
        await quiet.handle(MemberJoined(GROUP, member, "link", f"Member {member}", Standing("member")))
    await quiet.settle()
    return store, clock, shared


async def test_a_backlog_of_decisions_goes_out_many_to_a_message() -> None:
    members = range(100, 400)
    store, clock, shared = await recorded_while_nobody_posted(members)
    assert not shared.chats[LOG].messages
    poster = await start(store, shared, clock)
    posted = [m.text for m in shared.chats[LOG].messages.values()]
    lines = [line for text in posted for line in text.split("\n")]
    assert len(lines) == len(members) + 1  # and the log channel's own setting
    assert len(posted) <= 5 and all(len(text) <= MESSAGE_LIMIT for text in posted)
    assert lines[1].endswith("Chat: Member 100 (id 100) muted, missing @news")
    assert poster.pump.log_poster.lines_posted == len(lines)
    assert await poster.pump.log_poster.pending_lines() == 0


async def test_lines_are_in_the_group_s_language() -> None:
    store, clock, shared = await recorded_while_nobody_posted(range(100, 101), "/settings language ru")
    await start(store, shared, clock)
    text = "\n".join(m.text for m in shared.chats[LOG].messages.values())
    assert "Chat: Member 100 (id 100) замьючен, не хватает @news" in text


async def test_a_bot_without_log_channels_spends_no_append_on_them() -> None:
    store, clock, shared = InMemoryEventStore(), SimulatedClock(), log_channel_world(range(100, 150))
    gate = await start(store, shared, clock)
    await gate.handle(GroupMessage(GROUP, 1, Sender(USER, OWNER), "text", "/protect @news", chat_title="Chat"))
    for member in range(100, 150):
        await gate.handle(MemberJoined(GROUP, member, "link", f"Member {member}", Standing("member")))
    await gate.settle()
    assert await store.tracking_position("log_poster") == 0  # passes read one rare topic, and write nothing
    await gate.handle(GroupMessage(GROUP, 2, Sender(USER, OWNER), "text", "/settings log_channel @modlog"))
    await gate.settle()
    assert await store.tracking_position("log_poster") > 0
    assert "set this channel as the group's log" in shared.chats[LOG].messages[1].text


def test_every_release_and_action_the_log_records_has_a_log_line_word() -> None:
    assert set(log_messages.RELEASES) == set(narration.RELEASES)
    assert set(log_messages.ACTIONS) == set(narration.ACTIONS)


def test_the_audit_timeline_tells_a_log_channel_setting_in_words() -> None:
    group = ProtectedGroup(chat_id=GROUP, title="Chat", timestamp=NOW)
    group.protect([Channel(1001, "News", "news")], OWNER, NOW)
    group.set_log_channel(Channel(LOG, "Mod Log", "modlog"), OWNER, NOW)
    group.set_log_channel(None, OWNER, NOW)
    said = [narration.describe(e, lambda peer: f"user {peer}") for e in group.collect_events()[-2:]]
    assert said == ["user 10 set the log channel to @modlog (Mod Log)", "user 10 switched the log channel off"]
