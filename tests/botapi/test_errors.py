"""Errors as the Bot API gives them: {ok: false, error_code, description}, 429 with retry_after."""

import aiohttp
import pytest
from telegram import Bot, ChatPermissions
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from adapters.simulated_telegram.botapi.flood import FloodControl
from adapters.simulated_telegram.botapi.ids import api_chat_id
from adapters.simulated_telegram.botapi.server import BotApiServer
from adapters.simulated_telegram.faults import Fault
from tests.botapi.conftest import ALICE, GROUP, make_world

G = api_chat_id(GROUP)


async def test_error_bodies_have_the_bot_api_shape(served):
    _, server, _ = served
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{server.base_url()}{server.token}/getChatMember",
                             data={"chat_id": str(G), "user_id": "424242"}) as reply:
            body = await reply.json()
            assert reply.status == 400
            assert body == {"ok": False, "error_code": 400, "description": "Bad Request: user not found"}
        async with http.get(f"{server.base_url()}{server.token}/noSuchMethod") as reply:
            assert reply.status == 404 and (await reply.json())["error_code"] == 404
        async with http.get(f"{server.base_url()}0:wrong/getMe") as reply:
            assert reply.status == 401 and (await reply.json())["ok"] is False
        async with http.post(f"{server.base_url()}{server.token}/getChatMember",
                             json={"chat_id": G, "user_id": ALICE}) as reply:  # a JSON body works too
            assert (await reply.json())["result"]["status"] == "member"


async def test_bad_markup_is_refused_and_nothing_is_posted(served):
    world, _, bot = served
    before = len(world.chat(GROUP).messages)
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(G, "<b>open", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)reserved"):
        await bot.send_message(G, "Join now.", parse_mode="MarkdownV2")
    assert (await bot.send_message(G, r"Join now\.", parse_mode="MarkdownV2")).text == "Join now."
    assert len(world.chat(GROUP).messages) == before + 1


async def test_more_than_twenty_messages_a_minute_in_a_group_get_429_with_retry_after():
    server = BotApiServer(make_world(), flood=FloodControl(per_chat=20, chat_window=60))
    base = await server.start()
    try:
        async with Bot(server.token, base_url=base) as bot:
            for n in range(20):
                await bot.send_message(G, f"warning {n}")
            with pytest.raises(RetryAfter) as raised:
                await bot.send_message(G, "one too many")
            seconds = raised.value._retry_after  # a timedelta; the public attribute warns about its type
            assert 50 <= seconds.total_seconds() <= 60
        assert server.world.chat(GROUP).next_message_id == 21  # the refused one was not posted
    finally:
        await server.stop()


async def test_the_fault_plan_speaks_the_ports_method_names(served):
    world, server, bot = served
    server.faults.add(Fault("get_participant", "flood_wait", 1, chat=GROUP, seconds=7))
    with pytest.raises(RetryAfter):
        await bot.get_chat_member(G, ALICE)
    assert (await bot.get_chat_member(G, ALICE)).status == "member"  # only the next one failed
    server.faults.add(Fault("edit_banned", "not_admin", 1))
    with pytest.raises(BadRequest, match=r"(?i)not enough rights"):
        await bot.restrict_chat_member(G, ALICE, ChatPermissions(can_send_messages=False))
    assert world.can_write(GROUP, ALICE)
    server.faults.add(Fault("send_message", "internal", 1))
    with pytest.raises(NetworkError):
        await bot.send_message(G, "hello")
    assert server.errors["sendMessage 500"] == 1


async def test_calls_are_counted_and_setup_calls_are_not_billed(served):
    _, server, bot = served
    await bot.get_chat_member(G, ALICE)
    await bot.set_my_commands([("protect", "Protect")])
    assert server.calls["getChatMember"] == 1 and server.calls["getMe"] == 1
    assert server.billed() == 1


async def test_a_kicked_bot_is_forbidden_to_send(served):
    world, _, bot = served
    world.remove_bot(GROUP)
    with pytest.raises(Forbidden):
        await bot.send_message(G, "still here?")
