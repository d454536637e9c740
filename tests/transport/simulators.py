"""The two simulated Telegrams side by side, behind one face, for tests that must hold on both.

`direct`: the SimulatedTelegram gateway, with world updates translated by adapters.simulated_telegram.direct.
`telethon`: the bot's Telethon gateway and inbound over a real TelegramClient, answered by the world in TL.
"""

from typing import Any

from adapters.simulated_telegram.clock import SimulatedClock
from adapters.simulated_telegram.direct import to_command
from adapters.simulated_telegram.gateway import SimulatedTelegram
from adapters.simulated_telegram.model import Chat, Participant, Person
from adapters.simulated_telegram.tl import TelethonTransport
from adapters.simulated_telegram.tl.entities import entities
from adapters.simulated_telegram.world import World
from domain import subscription as sub

TRANSPORTS = ("direct", "telethon")
BOT, GROUP, PUBLIC, CHANNEL, BLOG = 999, 2001, 2002, 1001, 3001
ALICE, BOB, CAROL, HELPER, ADMIN, OWNER = 1, 2, 3, 7, 10, 11


def small_world(clock: SimulatedClock) -> World:
    """A protected-looking group with an admin and two members, a public group, a channel and a blog."""
    world = World(BOT, clock)
    for uid, name in ((ALICE, "Alice"), (BOB, "Bob"), (CAROL, "Carol"), (ADMIN, "Admin"), (OWNER, "Owner")):
        world.people[uid] = Person(uid, name)
    world.people[HELPER] = Person(HELPER, "Helper", bot=True)
    world.chats[GROUP] = Chat(GROUP, "group", "Chat", participants={
        OWNER: Participant(sub.CREATOR), ADMIN: Participant(sub.ADMIN), ALICE: Participant(sub.MEMBER),
        BOB: Participant(sub.MEMBER), BOT: Participant(sub.ADMIN)})
    world.chats[PUBLIC] = Chat(PUBLIC, "group", "Town square", "townsquare", participants={
        OWNER: Participant(sub.CREATOR), BOT: Participant(sub.ADMIN)})
    world.chats[CHANNEL] = Chat(CHANNEL, "channel", "News", "news", participants={
        BOT: Participant(sub.ADMIN), ALICE: Participant(sub.MEMBER)})
    world.chats[BLOG] = Chat(BLOG, "channel", "Bob's blog", "bobsblog", bot_admin=False,
                             participants={BOT: Participant(sub.MEMBER)})
    return world


class Simulator:
    """One simulated Telegram: its world, clock and gateway, and the commands its updates became."""

    def __init__(self, transport: str) -> None:
        self.transport = transport
        self.clock = SimulatedClock()
        self.world = small_world(self.clock)
        self.received: list[Any] = []
        if transport == "direct":
            self._telethon = None
            self.telegram: Any = SimulatedTelegram(self.world, self.clock)
            self.gateway: Any = self.telegram
        else:
            self._telethon = TelethonTransport(self.world, self.clock, self._sink)
            # The client has met everyone before, as a running bot has: no lookups blur the counts.
            self._telethon.client._mb_entity_cache.extend(*entities(self.world, list(self.world.people),
                                                                    list(self.world.chats)))
            self.telegram = self._telethon
            self.gateway = self._telethon.gateway

    async def _sink(self, command: Any) -> None:
        self.received.append(command)

    async def deliver(self) -> list[Any]:
        """Hand the bot every update the world produced; the commands they became, in order."""
        self.received = []
        pending, self.world.outbox = self.world.outbox, []
        for update in pending:
            if self._telethon is not None:
                await self._telethon.deliver(update)
            elif (command := to_command(update, self.world)) is not None:
                self.received.append(command)
        return self.received
