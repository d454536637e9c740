"""A group participant update that is neither a join nor a leave, kicks and bans, and the chat's own details:
real TL updates through the client's own processing, as Telegram sends them to an admin bot."""

from datetime import UTC, datetime

import pytest
from fake_sender import BOT_ID, deliver
from telethon import types
from tg_world import ADMIN, CHANNEL, CHATS, GROUP, NOW, USER, USERS

from application.commands import ChannelChanged, MemberJoined, MemberLeft, MemberStandingChanged
from application.ports.telegram import Participant

RIGHTS = types.ChatAdminRights(ban_users=True)
MEMBER = types.ChannelParticipant(USER, NOW)
WEEK = datetime(2025, 1, 8, tzinfo=UTC)
NO_PHOTOS = types.ChatBannedRights(WEEK, send_photos=True)
BANNED = types.ChatBannedRights(None, view_messages=True, send_messages=True)
KICK_ONLY = types.ChatBannedRights(None, view_messages=True)


def restricted(rights, left=None):
    return types.ChannelParticipantBanned(types.PeerUser(USER), ADMIN, NOW, rights, left=left)


def change(prev, new, actor=ADMIN, chat=GROUP, user=USER, invite=None):
    return types.UpdateChannelParticipant(
        chat, NOW, actor, user, qts=1, prev_participant=prev, new_participant=new, invite=invite
    )


@pytest.mark.parametrize(
    ("prev", "new", "participant"),
    [
        # An admin's timed restriction: the end date travels with it.
        (MEMBER, restricted(NO_PHOTOS), Participant("restricted", frozenset({"send_photos"}), WEEK)),
        (restricted(NO_PHOTOS), MEMBER, Participant("member")),  # lifted by hand
        (MEMBER, types.ChannelParticipantAdmin(USER, ADMIN, NOW, RIGHTS), Participant("admin")),  # promoted
        (types.ChannelParticipantAdmin(USER, ADMIN, NOW, RIGHTS), MEMBER, Participant("member")),  # demoted
    ],
)
async def test_a_change_while_inside_is_a_standing_change_with_who_made_it(bot, prev, new, participant):
    client, _, received = bot
    await deliver(client, change(prev, new), USERS, CHATS)
    assert received == [MemberStandingChanged(GROUP, USER, ADMIN, participant)]


async def test_the_bots_own_mute_told_back_is_dropped(bot):
    client, _, received = bot
    mute = types.ChatBannedRights(None, send_messages=True)
    await deliver(client, change(MEMBER, restricted(mute), actor=BOT_ID), USERS, CHATS)
    await deliver(client, change(restricted(mute), MEMBER, actor=BOT_ID), USERS, CHATS)
    assert received == []


@pytest.mark.parametrize(
    ("prev", "new", "actor", "kicked", "participant"),
    [
        (MEMBER, None, USER, False, Participant("none")),  # left on their own
        (MEMBER, types.ChannelParticipantLeft(types.PeerUser(USER)), USER, False, Participant("left")),
        # Restrictions Telegram keeps on a leaver travel with the leave.
        (restricted(NO_PHOTOS), restricted(NO_PHOTOS, left=True), USER, False,
         Participant("left", frozenset({"send_photos"}), WEEK)),
        (MEMBER, restricted(BANNED, left=True), ADMIN, True,
         Participant("kicked", frozenset({"view_messages", "send_messages"}))),  # banned by an admin
        (MEMBER, restricted(BANNED, left=True), BOT_ID, True,
         Participant("kicked", frozenset({"view_messages", "send_messages"}))),  # the bot's own kick is told too
        (None, restricted(BANNED, left=True), ADMIN, True,
         Participant("kicked", frozenset({"view_messages", "send_messages"}))),  # banned once already gone
        (restricted(NO_PHOTOS, left=True), restricted(BANNED, left=True), ADMIN, True,
         Participant("kicked", frozenset({"view_messages", "send_messages"}))),  # a restricted leaver banned
    ],
)
async def test_leaves_kicks_and_bans_are_always_told(bot, prev, new, actor, kicked, participant):
    client, _, received = bot
    await deliver(client, change(prev, new, actor=actor), USERS, CHATS)
    assert received == [MemberLeft(GROUP, USER, kicked, actor, participant)]


@pytest.mark.parametrize(
    ("prev", "new"),
    [
        (restricted(BANNED, left=True), None),  # unbanned: still out
        (restricted(BANNED, left=True), restricted(KICK_ONLY, left=True)),  # a ban changed, still a ban
        (restricted(NO_PHOTOS, left=True), None),  # a departed member's restrictions lifted
    ],
)
async def test_someone_outside_who_stays_outside_is_no_news(bot, prev, new):
    client, _, received = bot
    await deliver(client, change(prev, new), USERS, CHATS)
    assert received == []


async def test_a_rejoin_after_a_leave_is_news_again(bot):
    client, _, received = bot
    invite = types.ChatInviteExported("https://t.me/+x", ADMIN, NOW)
    await deliver(client, change(None, MEMBER, actor=USER, invite=invite), USERS, CHATS)
    await deliver(client, change(MEMBER, None, actor=USER), USERS, CHATS)
    await deliver(client, change(None, MEMBER, actor=USER, invite=invite), USERS, CHATS)
    assert [type(c).__name__ for c in received] == ["MemberJoined", "MemberLeft", "MemberJoined"]


@pytest.mark.parametrize(
    ("invite", "via"),
    [
        (types.ChatInvitePublicJoinRequests(), "request"),  # a public group's join-request flow
        (types.ChatInviteExported("https://t.me/+x", ADMIN, NOW, request_needed=True), "request"),
        (types.ChatInviteExported("https://t.me/+x", ADMIN, NOW), "link"),
        (None, "added"),
    ],
)
async def test_how_a_member_came_in_is_read_from_the_invite(bot, invite, via):
    client, _, received = bot
    await deliver(client, change(None, MEMBER, actor=BOT_ID, invite=invite), USERS, CHATS)
    assert received == [MemberJoined(GROUP, USER, via, "Ann Lee", Participant("member"))]


async def test_a_joiner_that_is_a_bot_says_so(bot):
    client, _, received = bot
    helper = types.User(77, bot=True, bot_info_version=1, access_hash=78, first_name="Helper")
    await deliver(client, change(None, types.ChannelParticipant(77, NOW), actor=77, user=77), [helper], CHATS)
    assert received == [MemberJoined(GROUP, 77, "added", "Helper", Participant("member"), is_bot=True)]


async def test_a_channel_whose_details_change_is_told_and_a_group_is_not(bot):
    client, _, received = bot
    await deliver(client, types.UpdateChannel(CHANNEL), USERS, CHATS)
    await deliver(client, types.UpdateChannel(GROUP), USERS, CHATS)
    await deliver(client, types.UpdateChannel(12345), USERS, CHATS)  # unknown: the application ignores it
    assert received == [ChannelChanged(CHANNEL), ChannelChanged(12345)]
