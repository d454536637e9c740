"""A small world served by the local Bot API server, and python-telegram-bot's Bot pointed at it."""

import pytest
from telegram import Bot

from adapters.simulated_telegram.botapi.server import BotApiServer
from adapters.simulated_telegram.model import Chat, Participant, Person
from adapters.simulated_telegram.world import World
from domain import subscription as sub

BOT, OWNER, ADMIN, ALICE, BOB, CAROL = 999, 1, 2, 10, 11, 12
GROUP, CHANNEL, PRIVATE_CHANNEL = 100, 200, 300


def make_world() -> World:
    world = World(bot_id=BOT)
    for person in (Person(OWNER, "Owner"), Person(ADMIN, "Admin"), Person(ALICE, "Alice"), Person(BOB, "Bob"),
                   Person(CAROL, "Carol")):
        world.people[person.id] = person
    group = Chat(GROUP, "group", "The Group")
    group.participants.update({OWNER: Participant(sub.CREATOR), ADMIN: Participant(sub.ADMIN),
                               ALICE: Participant(sub.MEMBER), BOB: Participant(sub.MEMBER),
                               BOT: Participant(sub.ADMIN)})
    channel = Chat(CHANNEL, "channel", "The Channel", username="thechannel", linked_to=GROUP)
    channel.participants.update({OWNER: Participant(sub.CREATOR), ALICE: Participant(sub.MEMBER),
                                 BOT: Participant(sub.ADMIN)})
    closed = Chat(PRIVATE_CHANNEL, "channel", "Closed", bot_admin=False)
    closed.participants.update({BOT: Participant(sub.MEMBER), ALICE: Participant(sub.MEMBER)})
    for chat in (group, channel, closed):
        world.chats[chat.id] = chat
    return world


@pytest.fixture
async def served():
    world = make_world()
    server = BotApiServer(world)
    base = await server.start()
    bot = Bot(server.token, base_url=base)
    await bot.initialize()
    try:
        yield world, server, bot
    finally:
        await bot.shutdown()
        await server.stop()
