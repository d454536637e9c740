"""A whole bot on the in-memory store and the simulated Telegram, cheap enough to build per example.

Property tests build one per Hypothesis example (a shared one would let examples leak into each other).
"""

from dataclasses import dataclass
from typing import Any

from adapters.memory.event_store import InMemoryEventStore
from adapters.simulated_telegram.clock import SimulatedClock
from adapters.simulated_telegram.gateway import SimulatedTelegram
from adapters.simulated_telegram.model import Chat, Participant, Person
from adapters.simulated_telegram.tl.sender import WorldSender
from adapters.simulated_telegram.tl.transport import offline_client
from adapters.simulated_telegram.world import World
from adapters.telethon.gateway import TelethonGateway
from application.commands import GroupMessage
from application.gatekeeper import Gatekeeper
from domain.ids import group_stream_id
from domain.senders import USER, Sender
from infrastructure.bootstrap import bootstrap
from infrastructure.settings import Settings

GROUP, CHANNEL, ALICE, BOB, ADMIN = 2001, 1001, 1, 2, 10  # Alice follows @news, Bob does not, Admin owns
SECRET = "hostile-input-secret"
TELEGRAM_TEXT_LIMIT = 4096  # longer messages Telegram refuses (MESSAGE_TOO_LONG)


def make_world() -> World:
    world = World(bot_id=999)
    for uid, name in ((ALICE, "Alice"), (BOB, "Bob"), (ADMIN, "Admin")):
        world.people[uid] = Person(uid, name)
    news = Chat(CHANNEL, "channel", "News", "news")
    news.participants = {ALICE: Participant("member"), 999: Participant("admin")}
    group = Chat(GROUP, "group", "Chat")
    group.participants = {ADMIN: Participant("creator"), ALICE: Participant("member"), BOB: Participant("member"),
                          999: Participant("admin")}
    world.chats = {CHANNEL: news, GROUP: group}
    return world


@dataclass
class Bot:
    gate: Gatekeeper
    telegram: SimulatedTelegram
    store: InMemoryEventStore
    world: World
    clock: SimulatedClock
    client: Any = None  # the TelegramClient, when the bot speaks to the world through Telethon

    async def say(self, sender: int, text: str, message_id: int) -> str:
        """A message in the group, handled and settled, as Telegram would deliver it."""
        outcome = await self.gate.handle(GroupMessage(GROUP, message_id, Sender(USER, sender), "text", text))
        await self.gate.settle()
        return outcome

    async def events(self) -> list:
        return [r.event for r in await self.store.read_all(after=0, limit=100_000)]

    async def group_state(self) -> tuple | None:
        group = await self.gate.ctx.repository.get(group_stream_id(GROUP))
        if group is None:
            return None
        return group.protected, [dict(c) for c in group.channels], dict(group.settings_data)

    def replies_to(self, message_id: int) -> list[str]:
        return [m.text for m in self.world.chat(GROUP).messages.values() if m.from_bot and m.reply_to == message_id]


async def boot(protected: bool = False, telethon: bool = False) -> Bot:
    """With `telethon`, the bot's calls go through the real TelethonGateway and TelegramClient, answered by
    the world as TL (so an unknown chat fails as Telegram fails it, with an RPC error)."""
    world, clock, store = make_world(), SimulatedClock(), InMemoryEventStore()
    telegram = SimulatedTelegram(world, clock)
    client = offline_client(WorldSender(world, clock.time), world.bot_id) if telethon else None
    settings = Settings(event_store="memory", instrument=False, callback_secret=SECRET)
    gateway = TelethonGateway(client, world.bot_id) if telethon else telegram
    gate = await bootstrap(settings, clock=clock, gateway=gateway, store=store).start()
    bot = Bot(gate, telegram, store, world, clock, client)
    if protected:
        await bot.say(ADMIN, "/protect @news", 1)
    return bot
