"""The simulated world behind a real TelegramClient: the bot's Telethon adapter, run with no network.

Outbound, the TelethonGateway's raw requests reach the WorldSender; inbound, the world's updates are
encoded as TL and pushed through the client's own update processing into adapters.telethon.Inbound, which
hands the resulting commands to the sink. So a scenario exercises every Telethon-facing line of the bot.
"""

from collections import Counter
from collections.abc import Awaitable, Callable

from telethon import TelegramClient
from telethon.sessions import MemorySession

from adapters.simulated_telegram.faults import FaultPlan
from adapters.simulated_telegram.tl.encoder import UpdateEncoder
from adapters.simulated_telegram.tl.entities import access_hash
from adapters.simulated_telegram.tl.sender import WorldSender
from adapters.simulated_telegram.world import World
from adapters.telethon import Inbound, TelethonGateway
from application.ports.clock import Clock


def offline_client(sender: WorldSender, bot_id: int, session=None) -> TelegramClient:
    """A TelegramClient that is the bot and sends through `sender`; nothing connects. With a `session` (a
    file), it keeps its update state there and catches up from it, as `chanwarden run` does."""
    client = TelegramClient(
        session if session is not None else MemorySession(),
        1,
        "0" * 32,
        # The application paces and retries by its own policy; Telethon must neither sleep through a
        # flood wait nor resend a request (each resend would be another counted call). 0 retries is one
        # attempt: with 1, a server error such as RANDOM_ID_DUPLICATE is sent again after 2 real seconds.
        flood_sleep_threshold=0,
        request_retries=0,
        raise_last_call_error=True,  # else a spent retry budget surfaces as a bare ValueError
        catch_up=session is not None,
    )
    client._sender = sender
    client._mb_entity_cache.set_self_user(bot_id, True, access_hash(bot_id))
    return client


class TelethonTransport:
    def __init__(self, world: World, clock: Clock, sink: Callable[[object], Awaitable[None]]) -> None:
        self.world = world
        self.sender = WorldSender(world, clock.time)
        self.client = offline_client(self.sender, world.bot_id)
        self.encoder = UpdateEncoder(world, clock.time)
        self.gateway = TelethonGateway(self.client, world.bot_id)
        self._sink = sink
        self._failures: list[Exception] = []
        Inbound(self.client, self._forward, world.bot_id).register()

    @property
    def calls(self) -> Counter[str]:
        return self.sender.calls

    @property
    def faults(self) -> FaultPlan:
        return self.sender.faults

    @property
    def callback_answers(self) -> list[tuple[int, str]]:
        return self.sender.callback_answers

    async def deliver(self, update: object) -> None:
        """Push one world update through the client, as its update loop would, and into the bot."""
        tl_updates, users, chats = self.encoder.encode(update)
        for part in [*tl_updates, *users, *chats]:
            bytes(part)  # proves each update is valid TL, as Telegram's own would be
        for processed in await self.client._preprocess_updates(tl_updates, users, chats):
            await self.client._dispatch_update(processed)
        if self._failures:
            # Inbound logs and swallows a handler's failure, as it must in production; here it is re-raised
            # so a broken command fails the scenario exactly as it does on the direct transport.
            failure, self._failures = self._failures[0], []
            raise failure

    async def _forward(self, command: object) -> None:
        try:
            await self._sink(command)
        except Exception as exc:
            self._failures.append(exc)
            raise
