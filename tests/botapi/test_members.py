"""getChatMember and the member-changing methods, every reply parsed by python-telegram-bot's own classes."""

import pytest
from telegram import (
    ChatMemberAdministrator,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberOwner,
    ChatMemberRestricted,
    ChatPermissions,
)
from telegram.error import BadRequest, Forbidden

from adapters.simulated_telegram.botapi.ids import api_chat_id
from adapters.simulated_telegram.model import Participant
from domain import subscription as sub
from tests.botapi.conftest import ADMIN, ALICE, BOB, BOT, CAROL, CHANNEL, GROUP, OWNER, PRIVATE_CHANNEL

G, C = api_chat_id(GROUP), api_chat_id(CHANNEL)
ALL_RIGHTS = ChatPermissions.all_permissions()


async def test_get_me_names_the_worlds_bot(served):
    _, _, bot = served
    me = await bot.get_me()
    assert me.id == BOT and me.is_bot


async def test_each_status_is_the_matching_chat_member_class(served):
    world, _, bot = served
    world.chats[GROUP].participants[CAROL] = Participant(sub.KICKED, frozenset({"view_messages"}))
    expected = {OWNER: ChatMemberOwner, ADMIN: ChatMemberAdministrator, ALICE: ChatMemberMember,
                CAROL: ChatMemberBanned, BOT: ChatMemberAdministrator}
    for user, cls in expected.items():
        assert type(await bot.get_chat_member(G, user)) is cls, user
    assert type(await bot.get_chat_member(C, BOB)) is ChatMemberLeft  # never subscribed


async def test_a_mute_as_nezuko_sends_it_takes_every_right_omitted(served):
    world, _, bot = served
    assert await bot.restrict_chat_member(G, ALICE, ChatPermissions(can_send_messages=False))
    member = await bot.get_chat_member(G, ALICE)
    assert isinstance(member, ChatMemberRestricted) and member.is_member
    assert not member.can_send_messages and not member.can_send_photos and not member.can_invite_users
    assert not world.can_write(GROUP, ALICE) and not world.can_write(GROUP, ALICE, "photo")


async def test_dependent_permissions_imply_text_and_media_unless_independent(served):
    world, _, bot = served
    await bot.restrict_chat_member(G, ALICE, ChatPermissions(can_send_other_messages=True))
    assert world.can_write(GROUP, ALICE) and world.can_write(GROUP, ALICE, "photo")
    await bot.restrict_chat_member(G, BOB, ChatPermissions(can_send_photos=True),
                                   use_independent_chat_permissions=True)
    assert not world.can_write(GROUP, BOB) and world.can_write(GROUP, BOB, "photo")
    member = await bot.get_chat_member(G, BOB)
    assert member.can_send_photos and not member.can_send_messages


async def test_all_rights_back_makes_a_plain_member(served):
    world, _, bot = served
    await bot.restrict_chat_member(G, ALICE, ChatPermissions(can_send_messages=False))
    await bot.restrict_chat_member(G, ALICE, ALL_RIGHTS)
    assert type(await bot.get_chat_member(G, ALICE)) is ChatMemberMember
    assert world.can_write(GROUP, ALICE)


async def test_admins_and_the_owner_cannot_be_restricted(served):
    _, _, bot = served
    with pytest.raises(BadRequest, match=r"(?i)administrator"):
        await bot.restrict_chat_member(G, ADMIN, ChatPermissions(can_send_messages=False))
    with pytest.raises(BadRequest, match=r"(?i)owner"):
        await bot.restrict_chat_member(G, OWNER, ChatPermissions(can_send_messages=False))


async def test_restricting_someone_never_in_the_chat_is_refused_and_adds_no_member(served):
    world, _, bot = served
    with pytest.raises(BadRequest):
        await bot.restrict_chat_member(G, CAROL, ChatPermissions(can_send_messages=False))
    assert world.chat(GROUP).status_of(CAROL) is None


async def test_a_departed_member_keeps_restrictions_and_shows_restricted_not_member(served):
    world, _, bot = served
    await bot.restrict_chat_member(G, ALICE, ChatPermissions(can_send_messages=False))
    world.leave(GROUP, ALICE)
    member = await bot.get_chat_member(G, ALICE)
    assert isinstance(member, ChatMemberRestricted) and not member.is_member


async def test_ban_removes_and_unban_lets_back_without_readding(served):
    world, _, bot = served
    assert await bot.ban_chat_member(G, BOB)
    assert type(await bot.get_chat_member(G, BOB)) is ChatMemberBanned
    assert await bot.unban_chat_member(G, BOB, only_if_banned=True)
    assert type(await bot.get_chat_member(G, BOB)) is ChatMemberLeft
    world.join(GROUP, BOB)
    assert type(await bot.get_chat_member(G, BOB)) is ChatMemberMember


async def test_unban_of_a_member_without_only_if_banned_removes_them(served):
    _world, _, bot = served
    await bot.unban_chat_member(G, ALICE)
    assert type(await bot.get_chat_member(G, ALICE)) is ChatMemberLeft


async def test_a_channel_the_bot_does_not_administer_hides_its_members(served):
    _, _, bot = served
    with pytest.raises(BadRequest, match=r"(?i)member list is inaccessible"):
        await bot.get_chat_member(api_chat_id(PRIVATE_CHANNEL), ALICE)
    assert (await bot.get_chat_member(api_chat_id(PRIVATE_CHANNEL), BOT)).status == "member"


async def test_a_chat_the_bot_was_removed_from_answers_forbidden(served):
    world, _, bot = served
    world.remove_bot(GROUP)
    with pytest.raises(Forbidden):
        await bot.get_chat_member(G, ALICE)


async def test_the_bot_without_admin_rights_cannot_restrict(served):
    world, _, bot = served
    world.set_bot_admin(GROUP, False)
    with pytest.raises(BadRequest, match=r"(?i)not enough rights"):
        await bot.restrict_chat_member(G, ALICE, ChatPermissions(can_send_messages=False))
    assert world.can_write(GROUP, ALICE)


async def test_administrators_and_chat_by_username(served):
    _, _, bot = served
    admins = await bot.get_chat_administrators(G)
    assert {a.user.id for a in admins} == {OWNER, ADMIN, BOT}
    chat = await bot.get_chat("@thechannel")
    assert chat.id == C and chat.type == "channel" and chat.linked_chat_id == G
    assert await bot.get_chat_member_count(G) == 5
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.get_chat(api_chat_id(4242))


async def test_join_requests_approved_and_declined(served):
    world, _, bot = served
    world.join(GROUP, CAROL, via="request")
    assert await bot.approve_chat_join_request(G, CAROL)
    assert world.chat(GROUP).status_of(CAROL).status == sub.MEMBER
    with pytest.raises(BadRequest, match=r"(?i)HIDE_REQUESTER_MISSING"):
        await bot.decline_chat_join_request(G, CAROL)


async def test_invite_links(served):
    _world, _, bot = served
    link = await bot.create_chat_invite_link(C, creates_join_request=True)
    assert link.creates_join_request and link.invite_link.startswith("https://t.me/+")
    first = await bot.export_chat_invite_link(C)
    assert first != await bot.export_chat_invite_link(C)
    with pytest.raises(BadRequest):
        await bot.export_chat_invite_link(api_chat_id(PRIVATE_CHANNEL))
