"""The bot process's half of a remote simulated world: a sender for TelegramClient and an update pump.

RemoteSender stands where Telethon's MTProtoSender stands (like WorldSender, but every request crosses a
socket as TL bytes). UpdatePump plays Telegram's catch-up: on start it asks for every update after the
last number this bot confirmed, pushes them through the client's own update processing into the bot,
waits until the gatekeeper has settled them (decisions recorded and carried out) and only then writes the
new number to a small state file. A kill between handling and writing can therefore only cause
re-delivery, which the bot's idempotent handling absorbs, never a lost update.
"""

import asyncio
import contextlib
import itertools
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from telethon import functions, types
from telethon.sessions import SQLiteSession

from adapters.simulated_telegram.remote import protocol as p
from adapters.simulated_telegram.remote.catch_up import start_update_loop
from adapters.simulated_telegram.rig_settings import RigSettings
from adapters.simulated_telegram.tl.transport import offline_client
from adapters.telethon.durable_updates import DurableUpdates

log = logging.getLogger(__name__)
BATCH = 50  # as getDifference hands out a chunk at a time
POLL_WAIT_MS = 500


class RemoteSender:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self._ids = itertools.count(1)
        self._pending: dict[int, tuple[Any, asyncio.Future]] = {}
        self._closed = False
        self._disconnected: asyncio.Future = asyncio.get_running_loop().create_future()
        self.on_push: Callable[[Any], None] | None = None  # Telethon's update queue, when updates are pushed
        self._reading = asyncio.create_task(self._read())

    @classmethod
    async def connect(cls, address: str) -> "RemoteSender":
        host, port = address.rsplit(":", 1)
        reader, writer = await asyncio.open_connection(host, int(port))
        return cls(reader, writer)

    # The part of MTProtoSender's interface TelegramClient uses once connected.

    def send(self, request, ordered: bool = False):
        if isinstance(request, list):
            return [self._send(p.REQUEST, bytes(request_), request_) for request_ in request]
        return self._send(p.REQUEST, bytes(request), request)

    def is_connected(self) -> bool:
        return not self._closed

    @property
    def disconnected(self) -> asyncio.Future:
        return self._disconnected

    async def disconnect(self) -> None:
        self._closed = True
        self._writer.close()
        self._reading.cancel()
        with contextlib.suppress(asyncio.CancelledError, ConnectionError):
            await self._reading
        self._fail_pending()

    # Updates.

    async def poll(self, after: int, limit: int = BATCH, wait_ms: int = POLL_WAIT_MS) -> list[tuple[int, Any]]:
        return await self._send(p.POLL, p.poll_body(after, limit, wait_ms), None)

    # The socket.

    def _send(self, tag: bytes, body: bytes, request: Any) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        if self._closed:
            future.set_exception(ConnectionError("the world server is gone"))
            return future
        frame_id = next(self._ids)
        self._pending[frame_id] = (request, future)
        p.write_frame(self._writer, tag, frame_id, body)
        return future

    async def _read(self) -> None:
        try:
            while True:
                tag, frame_id, body = await p.read_frame(self._reader)
                request, future = (None, None) if tag == p.PUSH else self._pending.pop(frame_id, (None, None))
                if tag != p.PUSH and (future is None or future.done()):
                    continue
                if tag == p.PUSH:
                    if self.on_push is not None:
                        self.on_push(p.read_updates_pushed(body))
                    continue
                if tag == p.ANSWER:
                    answer = p.read_answer(request, body)
                    self._own_updates(answer)
                    future.set_result(answer)
                elif tag == p.ERROR:
                    future.set_exception(p.error_from(request, body))
                else:
                    future.set_result(p.read_updates(body))
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            log.warning("lost the world server: %s", type(exc).__name__)
        except Exception:
            log.exception("could not read the world server's answer; disconnecting")
        finally:
            self._closed = True
            self._fail_pending()

    def _own_updates(self, answer: Any) -> None:
        """As Telethon's MTProtoSender does: the updates a request's answer carries (the bot's own message
        with its pts) move the update state on, without being dispatched."""
        if self.on_push is not None and isinstance(answer, types.Updates):
            answer._self_outgoing = True
            self.on_push(answer)

    def _fail_pending(self) -> None:
        for _, future in self._pending.values():
            if not future.done():
                future.set_exception(ConnectionError("the world server is gone"))
        self._pending.clear()
        if not self._disconnected.done():
            self._disconnected.set_result(None)


class UpdatePump:
    def __init__(self, client: Any, sender: RemoteSender, state_file: Path) -> None:
        self._client = client
        self._sender = sender
        self._state = state_file

    def confirmed(self) -> int:
        """The last update number whose effects are all recorded; 0 for a bot that never ran."""
        try:
            return int(self._state.read_text() or 0)
        except FileNotFoundError:
            return 0

    async def run(self, gatekeeper: Any, stop: asyncio.Event) -> None:
        """Catch up, then keep taking updates until `stop`; the batch in hand is always finished."""
        after = self.confirmed()
        while not stop.is_set() and self._sender.is_connected():
            try:
                batch = await self._sender.poll(after)
            except ConnectionError:
                return
            for _, updates in batch:
                processed = await self._client._preprocess_updates(updates.updates, updates.users, updates.chats)
                for update in processed:
                    await self._client._dispatch_update(update)
            log.debug("remote world: %d update(s) after %d", len(batch), after)
            if batch:
                await gatekeeper.settle()  # every decision recorded and carried out: only now confirm
                after = batch[-1][0]
                self._confirm(after)

    def _confirm(self, number: int) -> None:
        # Written aside and renamed into place, so a kill mid-write leaves the old number, never half a one.
        scratch = self._state.with_name(self._state.name + ".tmp")
        scratch.write_text(str(number))
        os.replace(scratch, self._state)


class RemoteWorld:
    """What `chanwarden run` needs to be a bot of a remote world: a client, and either the pump to run on
    ready ("poll") or Telethon's own update loop over the session file's durable update state ("telegram")."""

    def __init__(self, sender: RemoteSender, bot_id: int, state_file: Path, session_file: Path | None = None) -> None:
        self.sender = sender
        session = None if session_file is None else SQLiteSession(str(session_file))
        self.client = offline_client(sender, bot_id, session)  # duck-typed: it offers what WorldSender offers
        self.pump = UpdatePump(self.client, sender, state_file)
        self.updates: DurableUpdates | None = None
        if session is not None:
            self.updates = DurableUpdates(self.client)
            sender.on_push = self.client._updates_queue.put_nowait

    @classmethod
    async def open(cls, settings: RigSettings) -> "RemoteWorld":
        assert settings.remote_world is not None
        sender = await RemoteSender.connect(settings.remote_world)
        (me,) = await sender.send(functions.users.GetUsersRequest([types.InputUserSelf()]))  # who this bot is
        if settings.remote_world_updates == "poll":
            return cls(sender, me.id, state_file(settings))
        settings.session_path.parent.mkdir(parents=True, exist_ok=True)
        world = cls(sender, me.id, state_file(settings), settings.session_path)
        await start_update_loop(world.client)
        return world

    def link_options(self, stop: asyncio.Event) -> dict[str, Any]:
        """How `chanwarden run` serves this world: the durable update state, or the pump once ready."""
        if self.updates is not None:
            return {"updates": self.updates}
        return {"on_ready": lambda gatekeeper: self.pump.run(gatekeeper, stop)}


def state_file(settings: RigSettings) -> Path:
    """Beside the event store: the number confirmed belongs with the decisions it stands for."""
    folder = settings.sqlite_path.parent if settings.event_store == "sqlite" else settings.session_path.parent
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "remote-world.position"
