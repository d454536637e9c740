"""Every outbound operation sends one valid TL request with exactly the intended fields."""

import pytest
from fake_sender import BOT_ID, offline_client
from telethon import errors, functions, types
from telethon.tl.types import channels as tl_channels
from telethon.tl.types import contacts as tl_contacts
from telethon.tl.types import messages as tl_messages
from tg_world import CHANNEL, CHATS, GROUP, NOW, SEND_AS, USER, USERS, channel

from adapters.telethon.gateway import TelethonGateway
from adapters.telethon.participants import RIGHT_FLAGS
from application.ports.telegram import Button, ChannelInfo, OutgoingMessage, Participant, TelegramError
from domain.rights import MUTE


@pytest.fixture
async def tg():
    client, sender = offline_client(USERS, CHATS)
    return TelethonGateway(client, BOT_ID), sender


def flags(rights: types.ChatBannedRights) -> frozenset[str]:
    return frozenset(name for name in RIGHT_FLAGS if getattr(rights, name))


async def test_get_participant_asks_for_the_member_of_the_channel(tg):
    gateway, sender = tg
    banned = types.ChannelParticipantBanned(
        types.PeerUser(USER), 1, NOW, types.ChatBannedRights(None, send_photos=True, send_gifs=True)
    )
    sender.answer(functions.channels.GetParticipantRequest, tl_channels.ChannelParticipant(banned, [], []))
    found = await gateway.get_participant(CHANNEL, USER)
    assert found == Participant("restricted", frozenset({"send_photos", "send_gifs"}))
    (request,) = sender.requests
    assert request.channel == types.InputChannel(CHANNEL, CHANNEL + 1)
    assert request.participant == types.InputPeerUser(USER, USER + 1)


async def test_get_admins_collects_admins_and_creator(tg):
    gateway, sender = tg
    rights = types.ChatAdminRights(ban_users=True)
    found = [types.ChannelParticipantCreator(7, rights), types.ChannelParticipantAdmin(8, 7, NOW, rights)]
    sender.answer(functions.channels.GetParticipantsRequest, tl_channels.ChannelParticipants(2, found, [], []))
    assert await gateway.get_admins(GROUP) == frozenset({7, 8})
    assert isinstance(sender.requests[0].filter, types.ChannelParticipantsAdmins)


async def test_resolve_channel_by_username_and_by_id(tg):
    gateway, sender = tg
    found = channel(900, "Fresh", "fresh")
    sender.answer(
        functions.contacts.ResolveUsernameRequest, tl_contacts.ResolvedPeer(types.PeerChannel(900), [found], [])
    )
    assert await gateway.resolve_channel("https://t.me/fresh") == ChannelInfo(900, "Fresh", "fresh")
    assert sender.requests[0].username == "fresh"
    sender.answer(functions.channels.GetChannelsRequest, tl_messages.Chats([channel(SEND_AS, "Blog", None)]))
    info = await gateway.resolve_channel(SEND_AS)
    assert info == ChannelInfo(SEND_AS, "Blog", None) and info.is_private
    assert sender.requests[1].id == [types.InputChannel(SEND_AS, SEND_AS + 1)]


async def test_resolve_channel_refuses_a_user(tg):
    gateway, sender = tg
    sender.answer(functions.contacts.ResolveUsernameRequest, tl_contacts.ResolvedPeer(types.PeerUser(USER), [], []))
    with pytest.raises(TelegramError) as caught:
        await gateway.resolve_channel("@ann")
    assert caught.value.kind == TelegramError.NOT_FOUND


async def test_export_invite_link_never_revokes_the_primary_link(tg):
    gateway, sender = tg
    sender.answer(functions.messages.ExportChatInviteRequest, types.ChatInviteExported("https://t.me/+x", BOT_ID, NOW))
    assert await gateway.export_invite_link(CHANNEL) == "https://t.me/+x"
    assert not sender.requests[0].legacy_revoke_permanent


@pytest.mark.parametrize("restrictions", [MUTE, frozenset({"send_photos"}), frozenset()])
async def test_restrict_sets_exactly_the_given_rights(tg, restrictions):
    gateway, sender = tg
    sender.answer(functions.channels.EditBannedRequest, types.Updates([], [], [], NOW, 0))
    await gateway.restrict(GROUP, USER, restrictions)
    (request,) = sender.requests
    assert flags(request.banned_rights) == restrictions
    assert request.banned_rights.until_date is None
    assert request.participant == types.InputPeerUser(USER, USER + 1)


async def test_restrict_reaches_a_send_as_channel(tg):
    gateway, sender = tg
    sender.answer(functions.channels.EditBannedRequest, types.Updates([], [], [], NOW, 0))
    await gateway.restrict(GROUP, SEND_AS, MUTE)
    assert sender.requests[0].participant == types.InputPeerChannel(SEND_AS, SEND_AS + 1)


async def test_kick_bans_then_lifts_the_ban(tg):
    gateway, sender = tg
    sender.answer(functions.channels.EditBannedRequest, types.Updates([], [], [], NOW, 0))
    await gateway.kick(GROUP, USER)
    assert [flags(r.banned_rights) for r in sender.requests] == [frozenset({"view_messages"}), frozenset()]


async def test_send_message_with_buttons_returns_the_new_id(tg):
    gateway, sender = tg

    def reply(request):
        message = types.Message(77, types.PeerChannel(GROUP), NOW, request.message, out=True)
        return types.Updates(
            [types.UpdateMessageID(77, request.random_id), types.UpdateNewChannelMessage(message, 1, 1)],
            [],
            [],
            NOW,
            0,
        )

    sender.answer(functions.messages.SendMessageRequest, reply)
    buttons = [[Button("Join", url="https://t.me/news")], [Button("Verify", data=b"v:42")]]
    assert await gateway.send_message(GROUP, OutgoingMessage("Subscribe first", buttons, reply_to=5)) == 77
    (request,) = sender.requests
    url, verify = (row.buttons[0] for row in request.reply_markup.rows)
    assert url.type == types.InlineButtonTypeUrl("https://t.me/news")
    assert verify.type == types.InlineButtonTypeCallback(b"v:42")
    assert request.reply_to.reply_to_msg_id == 5
    assert request.peer == types.InputPeerChannel(GROUP, GROUP + 1)


async def test_send_message_without_an_id_in_the_reply_returns_zero(tg):
    gateway, sender = tg
    sender.answer(functions.messages.SendMessageRequest, types.Updates([], [], [], NOW, 0))
    assert await gateway.send_message(GROUP, OutgoingMessage("hi")) == 0
    assert sender.requests[0].reply_markup is None


async def test_edit_message_replaces_text_and_buttons(tg):
    gateway, sender = tg
    sender.answer(functions.messages.EditMessageRequest, types.Updates([], [], [], NOW, 0))
    await gateway.edit_message(GROUP, 77, OutgoingMessage("done", [[Button("ok", data=b"x")]]))
    (request,) = sender.requests
    assert (request.id, request.message) == (77, "done")
    assert request.reply_markup.rows[0].buttons[0].type.data == b"x"


async def test_delete_messages_in_chunks_of_one_hundred(tg):
    gateway, sender = tg
    sender.answer(functions.channels.DeleteMessagesRequest, tl_messages.AffectedMessages(1, 1))
    await gateway.delete_messages(GROUP, list(range(1, 151)))
    assert [len(r.id) for r in sender.requests] == [100, 50]
    assert sender.requests[0].channel == types.InputChannel(GROUP, GROUP + 1)


async def test_answer_callback_with_alert(tg):
    gateway, sender = tg
    sender.answer(functions.messages.SetBotCallbackAnswerRequest, True)
    await gateway.answer_callback(123, "Subscribe to News first", alert=True)
    (request,) = sender.requests
    assert (request.query_id, request.message, request.alert) == (123, "Subscribe to News first", True)


@pytest.mark.parametrize("approve", [True, False])
async def test_decide_join_request(tg, approve):
    gateway, sender = tg
    sender.answer(functions.messages.HideChatJoinRequestRequest, types.Updates([], [], [], NOW, 0))
    await gateway.decide_join_request(GROUP, USER, approve)
    (request,) = sender.requests
    assert request.user_id == types.InputUser(USER, USER + 1)
    assert bool(request.approved) is approve


async def test_unknown_user_is_looked_up_with_telegram_then_not_found(tg):
    gateway, sender = tg
    sender.answer(functions.users.GetUsersRequest, [types.UserEmpty(99)])
    with pytest.raises(TelegramError) as caught:
        await gateway.get_participant(CHANNEL, 99)
    assert caught.value.kind == TelegramError.NOT_FOUND


async def test_user_not_participant_is_status_none(tg):
    gateway, sender = tg
    sender.fail(functions.channels.GetParticipantRequest, errors.UserNotParticipantError)
    assert await gateway.get_participant(CHANNEL, USER) == Participant("none")


async def test_send_private_writes_to_the_user_directly(tg):
    gateway, sender = tg
    sender.answer(functions.messages.SendMessageRequest, types.Updates([], [], [], NOW, 0))
    await gateway.send_private(USER, "Please subscribe to @news first")
    (request,) = sender.sent(functions.messages.SendMessageRequest)
    assert isinstance(request.peer, types.InputPeerUser) and request.peer.user_id == USER
    assert request.message == "Please subscribe to @news first" and request.reply_markup is None
    bytes(request)


async def test_send_private_to_someone_who_blocked_the_bot_is_a_clear_error(tg):
    gateway, sender = tg
    sender.fail(functions.messages.SendMessageRequest, errors.UserIsBlockedError)
    with pytest.raises(TelegramError) as caught:
        await gateway.send_private(USER, "hello")
    assert caught.value.kind == TelegramError.INTERNAL


async def test_a_flood_wait_in_one_chat_does_not_stop_the_same_request_in_another(tg):
    gateway, sender = tg
    sender.fail(functions.channels.EditBannedRequest, lambda r: errors.FloodWaitError(r, capture=600))
    with pytest.raises(TelegramError) as caught:
        await gateway.restrict(GROUP, USER, MUTE)
    assert caught.value.kind == TelegramError.FLOOD_WAIT and caught.value.retry_after == 600
    # Telethon alone would now refuse every EditBanned for ten minutes without asking Telegram.
    sender.answer(functions.channels.EditBannedRequest, types.Updates([], [], [], NOW, 0))
    await gateway.restrict(SEND_AS, USER, MUTE)
    assert len(sender.sent(functions.channels.EditBannedRequest)) == 2
