"""What the bot is told about messages, join requests and chats, and how a repeated message is refused:
the same commands and answers from both simulated Telegrams (the `sim` fixture runs each test on both)."""

import pytest
from simulators import ALICE, BLOG, BOB, BOT, CHANNEL, GROUP, HELPER, OWNER, PUBLIC

from adapters.simulated_telegram import updates as u
from adapters.simulated_telegram.model import Participant as Standing
from adapters.simulated_telegram.model import Sender
from adapters.simulated_telegram.world import WorldError
from application.commands import (
    BotRightsChanged,
    ChannelChanged,
    JoinRequested,
    MemberJoined,
    WarningSeen,
)
from application.ports.telegram import Button, OutgoingMessage, Participant, TelegramError
from domain import subscription as sub

WARNING = OutgoingMessage("Alice, please join @news", [[Button("Join", url="https://t.me/news"),
                                                         Button("Verify", data=b"v:1")]])


async def test_a_repeated_key_in_one_chat_is_refused_and_nothing_is_posted(sim) -> None:
    first = await sim.gateway.send_message(GROUP, WARNING, key=41)
    with pytest.raises(TelegramError) as again:
        await sim.gateway.send_message(GROUP, WARNING, key=41)
    assert again.value.kind == TelegramError.DUPLICATE
    assert [m.id for m in sim.world.live_bot_messages(GROUP)] == [first]
    await sim.gateway.send_message(PUBLIC, WARNING, key=41)  # another chat: a key of its own
    assert sim.telegram.calls["send_message"] == 3


async def test_without_a_key_nothing_is_deduplicated(sim) -> None:
    await sim.gateway.send_message(GROUP, WARNING)
    await sim.gateway.send_message(GROUP, WARNING)
    assert len(sim.world.live_bot_messages(GROUP)) == 2


async def test_a_message_from_another_bot_and_an_edit_say_so(sim) -> None:
    sim.world.chat(GROUP).participants[HELPER] = Standing(sub.MEMBER)
    sim.world.post(GROUP, Sender("user", HELPER), "text", "beep")
    message = sim.world.post(GROUP, Sender("user", ALICE), "photo", "look")
    sim.world.edit(GROUP, message.id, "look again", now=sim.clock.time())
    told = await sim.deliver()
    assert [(c.sender.peer_id, c.kind, c.text, c.sender_is_bot, c.edited) for c in told] == [
        (HELPER, "text", "beep", True, False),
        (ALICE, "photo", "look", False, False),
        (ALICE, "photo", "look again", False, True),
    ]


async def test_an_edit_is_refused_while_the_sender_may_not_send_it(sim) -> None:
    message = sim.world.post(GROUP, Sender("user", ALICE), "text", "hello")
    sim.world.restrict_by(GROUP, ALICE, OWNER, frozenset({"send_plain"}))
    with pytest.raises(WorldError):
        sim.world.edit(GROUP, message.id, "hello?")
    with pytest.raises(WorldError):
        sim.world.edit(GROUP, message.id, "a photo now", kind="photo")  # a text stays text


async def test_the_bots_own_warning_delivered_back_is_seen_as_its_warning(sim) -> None:
    message_id = await sim.gateway.send_message(GROUP, WARNING)
    assert sim.world.outbox == []  # Telegram does not push the bot's own messages to it
    reply = await sim.gateway.send_message(GROUP, OutgoingMessage("Protection is on"))
    chat = sim.world.chat(GROUP)
    # As a catch-up after a restart delivers them:
    sim.world.outbox += [u.NewMessage(GROUP, chat.messages[message_id]), u.NewMessage(GROUP, chat.messages[reply])]
    assert await sim.deliver() == [WarningSeen(GROUP, message_id, b"v:1")]


async def test_a_bot_cannot_join_a_channel_but_may_join_a_group(sim) -> None:
    with pytest.raises(WorldError):
        sim.world.join(CHANNEL, HELPER)
    sim.world.join(GROUP, HELPER)
    [joined] = await sim.deliver()
    assert joined == MemberJoined(GROUP, HELPER, "link", "Helper", Participant(sub.MEMBER), is_bot=True)


async def test_a_public_groups_join_request_is_approved_into_a_join_by_request(sim) -> None:
    sim.world.join(PUBLIC, ALICE, via="request")
    assert await sim.deliver() == [JoinRequested(PUBLIC, ALICE, "Alice")]
    await sim.gateway.decide_join_request(PUBLIC, ALICE, approve=True)
    assert await sim.deliver() == [MemberJoined(PUBLIC, ALICE, "request", "Alice", Participant(sub.MEMBER))]


async def test_a_channel_made_private_is_told_and_its_username_is_gone(sim) -> None:
    sim.world.make_private(CHANNEL)
    assert await sim.deliver() == [ChannelChanged(CHANNEL)]
    with pytest.raises(TelegramError) as gone:
        await sim.gateway.resolve_channel("@news")
    assert gone.value.kind == TelegramError.NOT_FOUND
    sim.world.make_private(BLOG)
    sim.world.chat(PUBLIC).username = None
    assert await sim.deliver() == [ChannelChanged(BLOG)]  # a group's own details are no channel's


async def test_a_bot_removed_from_a_channel_is_told_once_and_then_sees_and_may_ask_nothing(sim) -> None:
    sim.world.remove_bot(CHANNEL)
    assert await sim.deliver() == [BotRightsChanged(CHANNEL, False)]
    for call in (sim.gateway.get_participant(CHANNEL, ALICE), sim.gateway.get_participant(CHANNEL, BOT),
                 sim.gateway.export_invite_link(CHANNEL)):
        with pytest.raises(TelegramError) as closed:
            await call
        assert closed.value.kind == TelegramError.NOT_ADMIN
    sim.world.join(CHANNEL, BOB)
    sim.world.leave(CHANNEL, ALICE)
    assert await sim.deliver() == []
    sim.world.set_bot_admin(CHANNEL, True)  # an admin brings it back
    assert await sim.deliver() == [BotRightsChanged(CHANNEL, True)]
    assert (await sim.gateway.get_participant(CHANNEL, BOB)).status == sub.MEMBER
