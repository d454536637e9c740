"""Joins, leaves, join requests and rights changes, delivered as real TL updates through the client."""

import pytest
from fake_sender import BOT_ID, deliver
from telethon import types
from tg_world import ADMIN, CHANNEL, CHATS, GROUP, NOW, USER, USERS, post

from application.commands import (
    BotRightsChanged,
    ChannelMembershipChanged,
    JoinRequested,
    MemberJoined,
    MemberLeft,
)
from application.ports.telegram import Participant

RIGHTS = types.ChatAdminRights(ban_users=True)
MEMBER = types.ChannelParticipant(USER, NOW)


@pytest.mark.parametrize(
    ("action", "via"),
    [
        (types.MessageActionChatJoinedByLink(inviter_id=ADMIN), "link"),
        (types.MessageActionChatAddUser([USER]), "added"),
        (types.MessageActionChatJoinedByRequest(), "request"),
    ],
)
async def test_service_message_join(bot, action, via):
    # Keyword arguments: Telethon's patched MessageService takes its 4th positional argument as text.
    client, _, received = bot
    from_id = types.PeerUser(ADMIN if via == "added" else USER)
    service = types.MessageService(11, types.PeerChannel(GROUP), NOW, action=action, from_id=from_id)
    await deliver(client, post(service), USERS, CHATS)
    assert received == [MemberJoined(GROUP, USER, via, "Ann Lee", participant=None)]  # a service message does not say


def participant_update(chat, user, prev=None, new=None, actor=ADMIN, **kw):
    return types.UpdateChannelParticipant(
        chat, NOW, actor, user, qts=1, prev_participant=prev, new_participant=new, **kw
    )


def joined_by_link():
    link = types.MessageActionChatJoinedByLink(inviter_id=ADMIN)
    service = types.MessageService(11, types.PeerChannel(GROUP), NOW, action=link, from_id=types.PeerUser(USER))
    return post(service)


async def test_hidden_members_join_is_reported_once(bot):
    client, _, received = bot
    await deliver(client, participant_update(GROUP, USER, new=MEMBER), USERS, CHATS)
    await deliver(client, joined_by_link(), USERS, CHATS)
    assert received == [MemberJoined(GROUP, USER, "added", "Ann Lee", Participant("member"))]


async def test_a_join_whose_service_message_comes_first_is_reported_once_without_a_participant(bot):
    client, _, received = bot
    await deliver(client, joined_by_link(), USERS, CHATS)
    await deliver(client, participant_update(GROUP, USER, new=MEMBER), USERS, CHATS)
    assert received == [MemberJoined(GROUP, USER, "link", "Ann Lee", participant=None)]


MUTED = types.ChatBannedRights(None, send_media=True, send_stickers=True)


@pytest.mark.parametrize(
    ("new", "participant"),
    [
        # An admin's restrictions outlive a leave: the member comes back still restricted.
        (
            types.ChannelParticipantBanned(types.PeerUser(USER), ADMIN, NOW, MUTED),
            Participant("restricted", frozenset({"send_media", "send_stickers"})),
        ),
        (types.ChannelParticipantAdmin(USER, ADMIN, NOW, RIGHTS), Participant("admin")),
    ],
)
async def test_a_join_carries_the_members_place_in_the_group(bot, new, participant):
    client, _, received = bot
    invite = types.ChatInviteExported("https://t.me/+x", ADMIN, NOW)
    await deliver(client, participant_update(GROUP, USER, new=new, invite=invite), USERS, CHATS)
    assert received == [MemberJoined(GROUP, USER, "link", "Ann Lee", participant)]


async def test_leaving_the_group(bot):
    client, _, received = bot
    await deliver(client, participant_update(GROUP, USER, prev=MEMBER, actor=USER), USERS, CHATS)
    assert received == [MemberLeft(GROUP, USER, kicked=False, actor_id=USER, participant=Participant("none"))]


KICK = types.ChatBannedRights(None, view_messages=True)


@pytest.mark.parametrize(
    ("new", "status"),
    [
        (None, "none"),
        (types.ChannelParticipantLeft(types.PeerUser(USER)), "left"),
        (types.ChannelParticipantBanned(types.PeerUser(USER), ADMIN, NOW, KICK, left=True), "kicked"),
        (MEMBER, "member"),
    ],
)
async def test_channel_membership_change(bot, new, status):
    client, _, received = bot
    prev = None if new is MEMBER else MEMBER
    await deliver(client, participant_update(CHANNEL, USER, prev=prev, new=new), USERS, CHATS)
    assert received == [ChannelMembershipChanged(CHANNEL, USER, status, "Ann Lee")]  # named, for its warning


async def test_unknown_participant_type_counts_as_none(bot):
    client, _, received = bot
    await deliver(
        client, participant_update(CHANNEL, USER, prev=MEMBER, new=types.ChannelParticipantsAdmins()), USERS, CHATS
    )
    assert received == [ChannelMembershipChanged(CHANNEL, USER, "none", "Ann Lee")]


@pytest.mark.parametrize(
    ("new", "is_admin"),
    [
        (types.ChannelParticipantAdmin(BOT_ID, ADMIN, NOW, RIGHTS), True),
        (types.ChannelParticipantSelf(BOT_ID, 1, NOW), False),
    ],
)
async def test_bot_rights_change(bot, new, is_admin):
    client, _, received = bot
    await deliver(client, participant_update(GROUP, BOT_ID, prev=MEMBER, new=new), USERS, CHATS)
    assert received == [BotRightsChanged(GROUP, is_admin)]


async def test_join_request(bot):
    client, _, received = bot
    invite = types.ChatInviteExported("https://t.me/+x", ADMIN, NOW, request_needed=True)
    update = types.UpdateBotChatInviteRequester(types.PeerChannel(GROUP), NOW, USER, "hi", invite, qts=1)
    await deliver(client, update, USERS, CHATS)
    assert received == [JoinRequested(GROUP, USER, "Ann Lee")]
