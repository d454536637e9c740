"""The scenario runner's third transport: a Bot API bot in its own process, behind the local Bot API server.

The runner acts on the world as for the other transports; delivering means queueing the world's updates for
the bot's getUpdates and waiting until it has fetched them all and made no call for a while (it is another
process: there is no handler to await). Calls are counted under the bot port's names too, so a scenario's
`api_calls` expectation reads the same on every transport.
"""

import asyncio
import time
from collections import Counter
from typing import Any

from adapters.simulated_telegram.botapi.server import NOT_BILLED, PORT_NAMES, BotApiServer
from adapters.simulated_telegram.world import World


class BotApiTransport:
    TIMEOUT = 120.0
    BUSY_TIMEOUT = 5.0
    def __init__(self, world: World, bot: Any, idle: float = 1.0) -> None:
        self.world = world
        self.bot = bot
        self.server = BotApiServer(world)
        self.faults = self.server.faults
        self.idle = idle
        self.timeout = self.TIMEOUT
        self.still_busy = False  # it did not finish its backlog once within the timeout
        self.base_url = ""

    @property
    def calls(self) -> Counter[str]:
        """Calls by the port's method names (get_participant, edit_banned, ...), setup and polling left out."""
        counted: Counter[str] = Counter()
        for method, n in self.server.calls.items():
            if method not in NOT_BILLED:
                counted[PORT_NAMES.get(method.lower(), method)] += n
        return counted

    @property
    def callback_answers(self) -> list[tuple[str, str]]:
        return [(query, text) for query, text, _ in self.server.methods.callback_answers]

    async def open(self) -> None:
        self.base_url = await self.server.start()
        await self.bot.prepare()
        await self.start_bot()

    async def start_bot(self, timeout: float = 120.0) -> None:
        polls = self.server.calls["getUpdates"]
        await self.bot.start(self.base_url, self.server.token)
        deadline = time.perf_counter() + timeout
        while self.server.calls["getUpdates"] < polls + 2:  # its first poll may only drop what was pending
            if not self.bot.running or time.perf_counter() > deadline:
                raise RuntimeError(f"{self.bot.name} did not start polling the local Bot API server")
            await asyncio.sleep(0.1)

    async def stop_bot(self) -> None:
        await self.bot.stop()

    async def settle(self) -> bool:
        """Until the bot fetched every update and has been idle for `idle` seconds; False if it was still busy
        after `timeout`. A bot found busy once (a backlog behind its rate limiter) is then given only a short
        while at each later step, so a scenario ends in minutes and shows what the bot had done by then."""
        deadline = time.perf_counter() + self.timeout
        started = time.perf_counter()
        while time.perf_counter() < deadline:
            self.server.pump()
            last = max(self.server.log[-1][0] if self.server.log else 0.0, started)
            if not self.server.feed.queue and time.perf_counter() - last > self.idle:
                return True
            await asyncio.sleep(0.05)
        self.timeout, self.still_busy = self.BUSY_TIMEOUT, True
        return False

    async def close(self) -> None:
        try:
            await self.bot.stop()
            await self.bot.cleanup()
        finally:
            await self.server.stop()
