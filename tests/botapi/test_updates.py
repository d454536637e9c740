"""getUpdates: what the world does reaches a Bot API bot as Telegram's updates, parsed by python-telegram-bot."""

import asyncio

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict

from adapters.simulated_telegram.botapi.ids import api_chat_id
from adapters.simulated_telegram.model import Sender
from tests.botapi.conftest import ALICE, BOT, CAROL, CHANNEL, GROUP, OWNER

G = api_chat_id(GROUP)
ALL = ["message", "edited_message", "callback_query", "chat_member", "my_chat_member", "chat_join_request"]


async def poll(bot, offset=None, timeout=0, allowed=None) -> list[Update]:
    return list(await bot.get_updates(offset=offset, timeout=timeout, allowed_updates=allowed))


async def test_a_command_arrives_as_a_message_with_its_entity_and_ids_only_grow(served):
    world, _, bot = served
    await poll(bot, allowed=ALL)
    world.post(GROUP, Sender("user", OWNER), "text", "/protect @thechannel")
    world.post(GROUP, Sender("user", ALICE), "photo", "look")
    first, second = await poll(bot)
    assert first.message.text == "/protect @thechannel" and first.message.from_user.id == OWNER
    assert first.message.entities[0].type == "bot_command" and first.effective_chat.type == "supergroup"
    assert second.message.photo and second.message.caption == "look"
    assert second.update_id > first.update_id
    assert await poll(bot, offset=second.update_id + 1) == []  # confirmed, gone
    world.post(GROUP, Sender("user", ALICE), "sticker")
    (third,) = await poll(bot)
    assert third.update_id > second.update_id and third.message.sticker


async def test_anonymous_admin_and_channel_senders_carry_sender_chat(served):
    world, _, bot = served
    await poll(bot, allowed=ALL)
    world.post(GROUP, Sender("anonymous_admin", GROUP))
    world.post(GROUP, Sender("linked_channel", CHANNEL), "text", "from the channel")
    world.post(GROUP, Sender("channel", CHANNEL), "text", "as my channel")
    anonymous, forwarded, send_as = await poll(bot)
    assert anonymous.message.sender_chat.id == G and anonymous.message.from_user.username == "GroupAnonymousBot"
    assert forwarded.message.is_automatic_forward and forwarded.message.sender_chat.id == api_chat_id(CHANNEL)
    assert send_as.message.sender_chat.type == "channel" and send_as.message.from_user.is_bot


async def test_a_join_is_a_service_message_and_a_chat_member_update(served):
    world, _, bot = served
    await poll(bot, allowed=ALL)
    world.join(GROUP, CAROL)
    service, member = await poll(bot)
    assert [u.id for u in service.message.new_chat_members] == [CAROL]
    change = member.chat_member
    assert change.old_chat_member.status == "left" and change.new_chat_member.status == "member"
    world.leave(CHANNEL, ALICE)  # the bot is the channel's admin: it is told
    (left,) = await poll(bot, offset=member.update_id + 1)
    assert left.chat_member.chat.type == "channel" and left.chat_member.new_chat_member.status == "left"


async def test_chat_member_updates_only_when_asked_for(served):
    world, _, bot = served
    await poll(bot, allowed=["message"])
    world.join(GROUP, CAROL)
    updates = await poll(bot)
    assert [bool(u.message) for u in updates] == [True]
    await poll(bot, allowed=[])  # an empty list: the default, which leaves chat_member out too
    world.leave(GROUP, CAROL)
    assert [u.chat_member for u in await poll(bot, offset=updates[0].update_id + 1)] == [None]


async def test_the_bots_own_changes_are_my_chat_member(served):
    world, _, bot = served
    await poll(bot, allowed=ALL)
    world.set_bot_admin(GROUP, False)
    (update,) = await poll(bot)
    assert update.my_chat_member.new_chat_member.user.id == BOT
    assert update.my_chat_member.new_chat_member.status == "member"


async def test_join_request(served):
    world, _, bot = served
    await poll(bot, allowed=ALL)
    world.join(GROUP, CAROL, via="request")
    (update,) = await poll(bot)
    assert update.chat_join_request.from_user.id == CAROL and update.chat_join_request.chat.id == G


async def test_warning_with_a_button_then_the_press_as_a_callback_query(served):
    world, server, bot = served
    await poll(bot, allowed=ALL)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Join", url="https://t.me/thechannel")],
                                   [InlineKeyboardButton("I have joined", callback_data="verify")]])
    sent = await bot.send_message(G, "<b>Alice</b>, join &amp; write", parse_mode="HTML", reply_markup=markup)
    assert sent.reply_markup.inline_keyboard[1][0].callback_data == "verify"
    assert world.chat(GROUP).messages[sent.message_id].text == "Alice, join & write"
    world.press(GROUP, ALICE, sent.message_id, b"verify")
    (update,) = await poll(bot)
    query = update.callback_query
    assert query.data == "verify" and query.from_user.id == ALICE and query.message.message_id == sent.message_id
    assert await bot.answer_callback_query(query.id, "Verified", show_alert=True)
    assert server.methods.callback_answers == [(query.id, "Verified", True)]
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query.id, "again")  # a query is answered once
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("4242", "never asked")
    edited = await bot.edit_message_text("done", chat_id=G, message_id=sent.message_id)
    assert edited.text == "done"
    assert await bot.delete_message(G, sent.message_id)
    assert world.chat(GROUP).messages[sent.message_id].deleted


async def test_a_long_poll_waits_for_the_next_update(served):
    world, server, bot = served
    await poll(bot, allowed=ALL)
    waiting = asyncio.create_task(poll(bot, timeout=5))
    await asyncio.sleep(0.2)
    assert not waiting.done()
    world.post(GROUP, Sender("user", ALICE), "text", "hi")
    server.pump()
    (update,) = await asyncio.wait_for(waiting, 2)
    assert update.message.text == "hi"


async def test_a_second_poller_ends_the_first_with_409(served):
    _, server, bot = served
    first = asyncio.create_task(poll(bot, timeout=5))
    await asyncio.sleep(0.2)
    async with Bot(server.token, base_url=server.base_url()) as other:  # a second instance of the same bot
        second = asyncio.create_task(poll(other, timeout=1))
        with pytest.raises(Conflict):
            await asyncio.wait_for(first, 3)
        assert await second == []


async def test_drop_pending_updates_forgets_what_was_queued(served):
    world, _, bot = served
    world.post(GROUP, Sender("user", ALICE), "text", "while down")
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await poll(bot, allowed=ALL) == []
