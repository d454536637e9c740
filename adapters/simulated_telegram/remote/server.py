"""A simulated Telegram in its own process: it owns a World, answers a bot's TL requests over a local
socket and keeps every update it produced in an ordered, numbered log.

The log is what makes a crashed bot whole again: Telegram keeps a bot's updates until the bot confirms
them (getDifference), so here a bot asks for "every update after N" and N is whatever it last confirmed.
World changes happen here whether or not a bot is connected, so a bot that is down misses nothing.
A bot may instead catch up as from Telegram itself: every update also joins the bot's pts/qts sequences
(tl/update_log.py) and is pushed to a bot that asked for its state, which catches up with getDifference.
"""

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from telethon import functions, types

from adapters.simulated_telegram.remote import protocol as p
from adapters.simulated_telegram.tl.encoder import UpdateEncoder
from adapters.simulated_telegram.tl.entities import when
from adapters.simulated_telegram.tl.sender import WorldSender
from adapters.simulated_telegram.tl.update_log import UpdateLog
from adapters.simulated_telegram.world import World

HOST = "127.0.0.1"  # loopback only: this is a test double, never a service


class WorldServer:
    def __init__(self, world: World, now: Callable[[], float] = time.time) -> None:
        self.world = world
        self.updates = UpdateLog(now)  # the bot's pts, qts and seq, for a bot that catches up as on Telegram
        self.sender = WorldSender(world, now, self.updates)
        self.encoder = UpdateEncoder(world, now, self.updates)
        self.log: list[bytes] = []  # update number n is log[n - 1]
        self.mutes: Counter[int] = Counter()  # edit_banned calls that took send_messages away, per member
        self.last_request = 0.0
        self.connections = 0  # bots that connected so far: a restarted bot is up once this grows
        self.delivered = 0  # update entries handed out; more than the log holds means some were re-delivered
        self.last_sent = 0  # the newest update number handed out, to tell what a killed bot had in hand
        self._now = now
        self._news: asyncio.Future | None = None  # resolved when the log grows, then replaced
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.StreamWriter] = set()
        self._listeners: set[asyncio.StreamWriter] = set()  # bots that asked for updates (getState, getDifference)

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.sockets[0].getsockname()[1]

    async def start(self) -> "WorldServer":
        self._server = await asyncio.start_server(self._serve, HOST, 0)  # 0: a free port, chosen by the OS
        return self

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            for writer in list(self._connections):
                writer.close()
            await self._server.wait_closed()

    # -- the world changing -------------------------------------------------------------------------------

    def act(self, change: Callable[[World], Any], silent: bool = False) -> Any:
        """Change the world; its updates join the log (or are dropped, as Telegram drops lossy ones)."""
        result = change(self.world)
        if silent:
            self.world.outbox.clear()
        self._publish()
        return result

    def _publish(self) -> None:
        # Encoded now, not when asked for: entities and dates must be those of the moment it happened.
        while self.world.outbox:
            found, users, chats = self.encoder.encode(self.world.outbox.pop(0))
            if found:
                self.log.append(bytes(types.Updates(found, users, chats, when(self._now()), 0)))
                if self._news is not None and not self._news.done():
                    self._news.set_result(None)
                self._push(found, users, chats)

    def _push(self, found: list, users: list, chats: list) -> None:
        """As Telegram does: every update joins the bot's sequences, and goes at once to a bot listening."""
        self.updates.keep(found, users, chats)
        if not self._listeners:
            self.updates.hold(found, users, chats)
            return
        pushed = bytes(self.updates.container(found, users, chats))
        for writer in list(self._listeners):
            p.write_frame(writer, p.PUSH, 0, pushed)

    def updates_after(self, after: int, limit: int) -> list[tuple[int, bytes]]:
        return [(n, self.log[n - 1]) for n in range(after + 1, min(len(self.log), after + limit) + 1)]

    # -- serving a bot ------------------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._connections.add(writer)
        self.connections += 1
        polls: set[asyncio.Task] = set()
        try:
            while True:
                tag, frame_id, body = await p.read_frame(reader)
                if tag == p.REQUEST:
                    await self._answer(writer, frame_id, body)
                elif tag == p.POLL:
                    # Polls wait for news, so they run beside requests rather than blocking them.
                    task = asyncio.create_task(self._poll(writer, frame_id, body))
                    polls.add(task)
                    task.add_done_callback(polls.discard)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the bot went away (a SIGKILL looks exactly like this)
        finally:
            for task in polls:
                task.cancel()
            self._connections.discard(writer)
            self._listeners.discard(writer)
            writer.close()

    async def _answer(self, writer: asyncio.StreamWriter, frame_id: int, body: bytes) -> None:
        self.last_request = self._now()
        try:
            request = p.read_request(body)
            if isinstance(request, functions.updates.GetStateRequest | functions.updates.GetDifferenceRequest):
                self._listeners.add(writer)  # Telegram pushes updates once a client asked for its state
            self._count_mute(request)
            answer = p.tl_bytes(await self.sender.send(request))
        except Exception as exc:
            p.write_frame(writer, p.ERROR, frame_id, p.error_body(exc))
        else:
            p.write_frame(writer, p.ANSWER, frame_id, answer)
        self._publish()  # a ban, say, is news the bot must hear about too
        with contextlib.suppress(ConnectionError):
            await writer.drain()

    async def _poll(self, writer: asyncio.StreamWriter, frame_id: int, body: bytes) -> None:
        after, limit, wait_ms = p.read_poll(body)
        deadline = time.monotonic() + wait_ms / 1000
        while len(self.log) <= after and (left := deadline - time.monotonic()) > 0:
            if self._news is None or self._news.done():
                self._news = asyncio.get_running_loop().create_future()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._news), left)
        entries = self.updates_after(after, limit)
        self.delivered += len(entries)
        if entries:
            self.last_sent = entries[-1][0]
        p.write_frame(writer, p.UPDATES, frame_id, p.updates_body(entries))
        with contextlib.suppress(ConnectionError):
            await writer.drain()

    def _count_mute(self, request: Any) -> None:
        if isinstance(request, functions.channels.EditBannedRequest) and request.banned_rights.send_messages:
            self.mutes[getattr(request.participant, "user_id", 0)] += 1
