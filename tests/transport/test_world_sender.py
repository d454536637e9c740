"""The world-backed sender and encoder, one Telegram behaviour at a time, through the real adapter."""

import pytest
from telethon import errors, functions, types

from adapters.simulated_telegram.clock import SimulatedClock
from adapters.simulated_telegram.faults import Fault
from adapters.simulated_telegram.model import Chat, Participant, Person, Sender
from adapters.simulated_telegram.tl import TelethonTransport
from adapters.simulated_telegram.tl.entities import entities
from adapters.simulated_telegram.world import World
from application.commands import GroupMessage, MemberJoined
from application.ports import telegram as ports
from application.ports.telegram import Button, OutgoingMessage, TelegramError
from domain import senders
from domain import subscription as sub

BOT, GROUP, CHANNEL, HIDDEN, ALICE, BOB, OWNER = 999, 2001, 1001, 1002, 1, 2, 11


def world() -> World:
    w = World(BOT)
    for person in (Person(ALICE, "Alice"), Person(BOB, "Bob"), Person(OWNER, "Owner")):
        w.people[person.id] = person
    w.chats[GROUP] = Chat(GROUP, "group", "Chat", participants={
        OWNER: Participant(sub.CREATOR), ALICE: Participant(sub.MEMBER), BOT: Participant(sub.ADMIN)})
    w.chats[CHANNEL] = Chat(CHANNEL, "channel", "News", "news", participants={BOT: Participant(sub.ADMIN)})
    w.chats[HIDDEN] = Chat(HIDDEN, "channel", "Hidden", bot_admin=False, participants={BOT: Participant(sub.MEMBER)})
    return w


@pytest.fixture
def bot():
    """(transport, world, commands the bot received); the client already knows every peer's hash."""
    w, received = world(), []

    async def sink(command):
        received.append(command)

    transport = TelethonTransport(w, SimulatedClock(), sink)
    transport.client._mb_entity_cache.extend(*entities(w, [ALICE, BOB, OWNER], list(w.chats)))
    return transport, w, received


async def test_send_message_returns_the_new_message_id(bot) -> None:
    transport, w, _ = bot
    w.post(GROUP, Sender("user", ALICE), text="hi")  # the bot's message is not the chat's first
    outgoing = OutgoingMessage("Verify", [[Button("Join", url="https://t.me/news"), Button("Verify", data=b"v1")]])
    message_id = await transport.gateway.send_message(GROUP, outgoing)
    assert message_id == 2
    posted = w.chat(GROUP).messages[message_id]
    assert posted.from_bot and posted.text == "Verify"
    assert posted.buttons == [[{"text": "Join", "url": "https://t.me/news", "data": None},
                               {"text": "Verify", "url": None, "data": b"v1"}]]
    assert transport.calls["send_message"] == 1


async def test_a_non_member_is_not_a_participant_which_the_gateway_reads_as_none(bot) -> None:
    transport, _, _ = bot
    request = functions.channels.GetParticipantRequest(
        types.InputChannel(CHANNEL, _hash(transport, CHANNEL)), types.InputPeerUser(BOB, _hash(transport, BOB))
    )
    with pytest.raises(errors.UserNotParticipantError):
        await transport.client(request)
    assert (await transport.gateway.get_participant(CHANNEL, BOB)).status == sub.NONE
    assert transport.calls["get_participant"] == 2


async def test_a_channel_the_bot_does_not_administer_refuses_to_show_subscribers(bot) -> None:
    transport, _, _ = bot
    with pytest.raises(TelegramError) as refused:
        await transport.gateway.get_participant(HIDDEN, ALICE)
    assert refused.value.kind == TelegramError.NOT_ADMIN
    assert (await transport.gateway.get_participant(HIDDEN, BOT)).status == sub.MEMBER  # itself it may see


async def test_a_wrong_access_hash_is_refused(bot) -> None:
    transport, _, _ = bot
    request = functions.channels.GetParticipantRequest(types.InputChannel(CHANNEL, 12345), types.InputPeerSelf())
    with pytest.raises(errors.ChannelInvalidError):
        await transport.client(request)


@pytest.mark.parametrize("kind", ["text", "photo", "video", "sticker", "gif", "voice", "audio", "document", "poll"])
async def test_each_kind_of_message_reaches_the_bot_as_the_same_kind(bot, kind: str) -> None:
    transport, w, received = bot
    w.post(GROUP, Sender("user", ALICE), kind, "caption")
    await transport.deliver(w.outbox.pop())
    [command] = received
    assert isinstance(command, GroupMessage)
    alice = senders.Sender(senders.USER, ALICE)
    assert (command.kind, command.sender, command.sender_name, command.chat_title) == (kind, alice, "Alice", "Chat")


@pytest.mark.parametrize("via", ["link", "added"])
async def test_a_join_is_reported_once_though_telegram_tells_it_twice(bot, via: str) -> None:
    transport, w, received = bot
    w.join(GROUP, BOB, via=via)
    [update] = w.outbox
    tl_updates, _, _ = transport.encoder.encode(update)
    assert [type(u).__name__ for u in tl_updates] == ["UpdateChannelParticipant", "UpdateNewChannelMessage"]
    await transport.deliver(update)
    assert received == [MemberJoined(GROUP, BOB, via=via, name="Bob", participant=ports.Participant(sub.MEMBER))]


async def test_a_joiner_an_admin_restricted_before_they_left_arrives_restricted(bot) -> None:
    transport, w, received = bot
    w.chat(GROUP).participants[BOB] = Participant(sub.LEFT, frozenset({"send_media", "send_polls"}))
    w.join(GROUP, BOB)
    await transport.deliver(w.outbox.pop())
    [joined] = received
    assert joined.participant == ports.Participant(sub.RESTRICTED, frozenset({"send_media", "send_polls"}))


@pytest.mark.parametrize(
    ("error", "kind"),
    [("timeout", TelegramError.TIMEOUT), ("not_admin", TelegramError.NOT_ADMIN), ("internal", TelegramError.INTERNAL)],
)
async def test_injected_faults_arrive_as_telethon_errors(bot, error: str, kind: str) -> None:
    transport, _, _ = bot
    transport.faults.add(Fault("get_participant", error, 1, chat=CHANNEL))
    with pytest.raises(TelegramError) as failed:
        await transport.gateway.get_participant(CHANNEL, ALICE)
    assert failed.value.kind == kind
    assert (await transport.gateway.get_participant(CHANNEL, ALICE)).status == sub.NONE  # the fault is spent
    assert transport.calls["get_participant"] == 2  # each failure is one call: Telethon did not resend


async def test_a_flood_wait_says_how_long(bot) -> None:
    transport, _, _ = bot
    transport.faults.add(Fault("send_message", "flood_wait", 1, seconds=7))
    with pytest.raises(TelegramError) as failed:
        await transport.gateway.send_message(GROUP, OutgoingMessage("hello"))
    assert (failed.value.kind, failed.value.retry_after) == (TelegramError.FLOOD_WAIT, 7.0)


async def test_kick_removes_the_member_and_lifts_the_ban_and_admins_cannot_be_restricted(bot) -> None:
    transport, w, _ = bot
    await transport.gateway.kick(GROUP, ALICE)
    assert w.chat(GROUP).status_of(ALICE) is None  # gone, and free to come back
    assert transport.calls["edit_banned"] == 2
    with pytest.raises(TelegramError) as refused:
        await transport.gateway.restrict(GROUP, OWNER, frozenset({"send_messages"}))
    assert refused.value.kind == TelegramError.TARGET_IS_ADMIN


async def test_callback_answers_are_recorded_for_the_scenarios(bot) -> None:
    transport, _, _ = bot
    await transport.gateway.answer_callback(5, "This button is for another member", alert=True)
    assert transport.callback_answers == [(5, "This button is for another member")]


def _hash(transport: TelethonTransport, peer_id: int) -> int:
    return transport.client._mb_entity_cache.get(peer_id).hash
