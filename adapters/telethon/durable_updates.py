"""Telethon's update state, saved only as far as the decisions it stands for are durable.

`DurableMessageBox` replaces the client's MessageBox (Telethon's record of pts, qts and each channel's
pts). It notes every batch it takes in with the UpdateTracker, and what it gives Telethon to save
(`session_state()`, which Telethon calls only to persist it) is the tracker's durable state, whoever saves
and whenever: Telethon every minute and on disconnect, or `DurableUpdates.save()` a moment after updates
were handled. `DurableUpdates` counts an update handled once every handler of it returned (Inbound hands
each command to the gatekeeper, which records it or spools it first); a handler cancelled by a shutdown
leaves its update in flight, so the next start asks Telegram for it again.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from telethon import utils
from telethon._updates.messagebox import ENTRY_ACCOUNT, ENTRY_SECRET, NO_SEQ, MessageBox, PtsInfo, epoch
from telethon.tl import types

from adapters.telethon.update_state import Snapshot, UpdateTracker

log = logging.getLogger(__name__)
SAVE_EVERY = 0.5  # seconds: a kill repeats at most this much handled work; each save is one SQLite commit


class DurableMessageBox(MessageBox):
    def __init__(self, log_, tracker: UpdateTracker) -> None:
        super().__init__(log_)
        self.tracker = tracker
        self.on_batch = lambda new_channel: None
        # Telegram answered a catch-up with "too long": what happened in that chat (None: in any chat, the
        # account's participant updates among it) will never be delivered.
        self.on_lost: Callable[[int | None], None] = lambda chat_id: None
        self._inside = False  # a difference processes its updates through process_updates: one batch

    def current_state(self) -> Snapshot:
        return super().session_state()

    def session_state(self) -> Snapshot:
        return self.tracker.durable(self.current_state())

    def process_updates(self, updates, chat_hashes, result):
        if self._inside:
            return super().process_updates(updates, chat_hashes, result)
        before, start = self.current_state(), len(result)
        found = super().process_updates(updates, chat_hashes, result)
        self._received(before, result[start:])
        return found

    def apply_difference(self, diff, chat_hashes):
        if isinstance(diff, types.updates.DifferenceTooLong):
            self.on_lost(None)
        return self._difference(super().apply_difference, diff, chat_hashes)

    def apply_channel_difference(self, request, diff, chat_hashes):
        if isinstance(diff, types.updates.ChannelDifferenceTooLong):
            self.on_lost(request.channel.channel_id)
        return self._difference(super().apply_channel_difference, request, diff, chat_hashes)

    def _difference(self, apply, *args):
        before = self.current_state()
        self._inside = True
        try:
            updates, users, chats = apply(*args)
        finally:
            self._inside = False
        self._received(before, updates)
        return updates, users, chats

    def _received(self, before: Snapshot, updates: list) -> None:
        floor, new_channel = _floor(before, updates)
        self.tracker.received(floor, updates)
        if updates:
            self.on_batch(new_channel)

    def apply_difference_type(self, diff, chat_hashes):
        """Telethon 1.45 sets the difference's new state first and then processes its other_updates "to
        discard any we have already handled": every qts update among them (a participant change, a join
        request) is then older than the state just set, and is discarded unseen. Here they are processed
        against the state before the difference, so each is applied once, in order; then the state is set."""
        fetching = self.getting_diff_for & {ENTRY_ACCOUNT, ENTRY_SECRET}
        self.getting_diff_for -= fetching  # else they would be skipped as "being fetched": they are the fetch
        updates: list = []
        try:
            super().process_updates(types.Updates(diff.other_updates, diff.users, diff.chats, epoch(), NO_SEQ),
                                    chat_hashes, updates)
        finally:
            self.getting_diff_for |= fetching
            for entry in fetching:
                self.possible_gaps.pop(entry, None)  # the difference's state covers them
        self.set_state(getattr(diff, "intermediate_state", None) or diff.state, reset=False)
        updates.extend(types.UpdateNewMessage(m, NO_SEQ, NO_SEQ) for m in diff.new_messages)
        updates.extend(types.UpdateNewEncryptedMessage(m, NO_SEQ) for m in diff.new_encrypted_messages)
        return updates, diff.users, diff.chats


def _floor(before: Snapshot, updates: list) -> tuple[Snapshot, bool]:
    """The state before a batch, plus each channel the batch is the first news of, just before its first
    update: without it a restart would not know the channel, and Telethon ignores Telegram's hint that a
    channel it does not know has updates waiting."""
    account, channels = before
    new: dict[int, int] = {}
    for update in updates:
        info = PtsInfo.from_update(update)
        if info is not None and isinstance(info.entry, int) and info.entry not in channels:
            start = info.pts - info.pts_count
            new[info.entry] = min(start, new.get(info.entry, start))
    return ((account, {**channels, **new}) if new else before), bool(new)


class DurableUpdates:
    """Installed on a TelegramClient before it connects; opened once the bot's handlers are registered."""

    def __init__(self, client: Any, save_every: float = SAVE_EVERY) -> None:
        self.tracker = UpdateTracker()
        self._client = client
        self._every = save_every
        self._open = asyncio.Event()
        self._saving: asyncio.Task | None = None
        box = DurableMessageBox(client._log["messagebox"], self.tracker)
        box.on_batch = self._on_batch
        client._message_box = box
        self._dispatch = client._dispatch_update
        client._dispatch_update = self._dispatch_durably

    @property
    def box(self) -> DurableMessageBox:
        return self._client._message_box

    def open(self) -> None:
        """Handlers are in place: updates taken in so far (a catch-up at connect) may now be dispatched.
        The state is saved at once: a first login's state, kept only in memory, would be lost to a kill,
        and the next start would begin from Telegram's state then, skipping everything in between."""
        self._open.set()
        self._save_soon(now=True)

    async def _dispatch_durably(self, update: Any) -> None:
        await self._open.wait()
        try:
            await self._dispatch(update)
        except Exception:
            # Not a cancellation (that leaves the update in flight): it would fail again on every delivery.
            log.exception("an update could not be dispatched; counted as handled")
        self.tracker.handled(update)
        self._save_soon()

    def _on_batch(self, new_channel: bool) -> None:
        if new_channel:
            self._save_soon(now=True)  # the first news of a channel: its state must reach the session at once

    def _save_soon(self, now: bool = False) -> None:
        if self._saving is None or self._saving.done():
            self._saving = asyncio.get_running_loop().create_task(self._save_after(0 if now else self._every))

    async def _save_after(self, delay: float) -> None:
        await asyncio.sleep(delay)
        await self.save()

    async def save(self) -> None:
        """Write the durable state (and the entities Telethon keeps beside it) to the session, committed."""
        client = self._client
        try:
            await client._save_states_and_entities()
            await utils.maybe_async(client.session.save())
        except Exception:
            log.exception("could not save the update state; it is saved again after the next update")

    async def stop_intake(self, deadline: float) -> bool:
        """Take no more updates in, still connected, so that those in hand can finish. Telethon's update loop
        is cancelled, again if need be: on Python 3.11 `asyncio.wait_for` inside it can swallow a
        cancellation, and the loop would go on. Whether it ended before `deadline` (loop time)."""
        task = getattr(self._client, "_updates_handle", None)
        loop = asyncio.get_running_loop()
        while task is not None and not task.done() and loop.time() < deadline:
            task.cancel()
            await asyncio.wait({task}, timeout=0.1)
        return task is None or task.done()

    async def finish_handlers(self, deadline: float) -> None:
        """Wait, until `deadline` (loop time), for the updates already dispatched to be handled."""
        self._open.set()  # taken in but never dispatched (stopped before the bot served): let them finish
        tasks = set(getattr(self._client, "_event_handler_tasks", ()))
        left = deadline - asyncio.get_running_loop().time()
        if tasks and left > 0:
            await asyncio.wait(tasks, timeout=left)

    async def close(self, deadline: float) -> None:
        """Save what is durable, then disconnect, neither past `deadline` (loop time)."""
        if self._saving is not None:
            self._saving.cancel()
        await self.save()
        disconnecting = asyncio.ensure_future(self._client.disconnect())
        left = max(0.0, deadline - asyncio.get_running_loop().time())
        done, _ = await asyncio.wait({disconnecting}, timeout=left)
        if not done:
            log.warning("Telegram's client did not disconnect within the shutdown deadline")
        else:
            with contextlib.suppress(Exception):
                disconnecting.result()
