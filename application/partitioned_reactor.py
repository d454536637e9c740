"""The reactor of a worker that owns some partitions: it carries out only its own partitions' members.

Every worker reads the one log, once per pass, and hands each decision to the window of the partition its
member belongs to (`application.ownership.partition_of`); a record outside the worker's partitions passes
through every window as done. Each partition keeps its own tracking position (`reactor:p<n>`), so the
worker that takes a partition over resumes exactly where the last owner's finished work ends: nothing it
had finished is repeated, nothing unfinished is skipped, and a call the old owner still makes is refused by
the gateway (its lease token is stale).

A worker reads only the records its routing looks at (members' decisions and first records, the group-wide
changes below): every worker follows the whole log, and decoding what it then passes over was a cost each
worker paid for every update, the part of a worker's work that a second worker does not share.

Group-level work is split the same way: telling a group's admins that the bot lost or regained its rights is
the control partition's (one worker), while carrying out again the members a group change touches is done
by each partition's owner for its own members.
"""

import asyncio
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from application.context import GateContext
from application.log_window import LogWindow
from application.ownership import CONTROL, Partition, current_partition, partition_of
from application.ports.event_store import EventStore, Tracking
from application.reactor import DECISIONS, NAME, WINDOW, Reactor, _is_decision
from domain import membership_verdict as mv
from domain.ids import verdict_stream_id
from domain.protected_group import ProtectedGroup

_GROUP_WIDE = ("BotRightsLost", "BotRightsRegained")
# Every record `_route` acts on; the others are passed over as done without being read.
ROUTED = (
    *(get_topic(getattr(mv.MembershipVerdict, name)) for name in ("Opened", *DECISIONS)),
    *(get_topic(getattr(ProtectedGroup, name)) for name in (*_GROUP_WIDE, "SettingChanged")),
)


def tracking_name(partition: Partition) -> str:
    return f"{NAME}:{partition}"


class PartitionedReactor(Reactor):
    def __init__(self, store: EventStore, ctx: GateContext, partitions: int,
                 owned: Any, batch: int | None = None) -> None:
        super().__init__(store, ctx, **({"batch": batch} if batch else {}))
        self._partitions = partitions
        self._owned = owned  # () -> the partitions this worker holds now
        self._members: dict[UUID, int] = {}  # verdict stream -> member, learnt from Opened events or a load
        # Per partition, records up to here were decided while another process (a worker since dead, or the
        # one that gave the partition up) may have been carrying them out: their members are read first.
        self._doubt: dict[Partition, int] = {}

    def partition_of_member(self, member_id: int) -> int:
        return partition_of(member_id, self._partitions)

    async def _member(self, stream: UUID) -> int | None:
        member = self._members.get(stream)
        if member is None:
            verdict = await self._ctx.repository.get(stream)
            if verdict is None:
                return None
            member = self._members[stream] = verdict.member_id
        return member

    async def catch_up(self) -> int:
        owned = set(self._owned())
        if not owned:
            return 0
        last = None
        for partition in owned - self._doubt.keys():
            last = last if last is not None else await self._store.last_position()
            self._doubt[partition] = last
        for partition in self._doubt.keys() - owned:
            del self._doubt[partition]  # given up: if it comes back, someone else had it meanwhile
        partitions = sorted(owned, key=str)
        positions = await asyncio.gather(*(self._tracked(p) for p in partitions))
        windows = {p: LogWindow(position, WINDOW) for p, position in zip(partitions, positions, strict=True)}
        cursor, done = min(w.position for w in windows.values()), 0
        try:
            while True:
                self._news.clear()
                full = any(w.full for w in windows.values())
                records, end = ([], cursor) if full else await self._read(cursor)
                await self._route(windows, records)
                moved = end > cursor
                if moved:
                    for window in windows.values():
                        if end > max(window.position, records[-1].position if records else cursor):
                            window.passed(end)  # the records up to `end` it did not read need nothing
                    cursor, done = end, done + len(records)
                await self._track(windows)
                for window in windows.values():
                    if (failure := window.failure) is not None:
                        raise failure
                if not moved:
                    busy = [w for w in windows.values() if not w.idle]
                    if not busy:
                        return done
                    waits = [asyncio.ensure_future(w.wait(self._news)) for w in busy]
                    try:
                        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
                    finally:
                        for waiting in waits:
                            waiting.cancel()
                if set(self._owned()) != owned:
                    # Partitions moved: finish what was started, then the next pass starts from the new set.
                    for window in windows.values():
                        await window.settle()
                    self._ctx.on_recorded()
                    return done
        except asyncio.CancelledError:
            for window in windows.values():
                window.cancel()
            raise
        except Exception:
            for window in windows.values():
                await window.settle()
            await self._track(windows)
            raise

    async def _track(self, windows: dict[Partition, LogWindow]) -> None:
        """Record the positions that moved, side by side: on a worker busy deciding, each await waits for a
        turn of the event loop, and one partition's after another held the carrying out for seconds."""
        moved = [(p, w.position) for p, w in windows.items() if w.advance() and p in self._owned()]
        await asyncio.gather(*(self._store.append([], Tracking(tracking_name(p), position)) for p, position in moved))

    async def _read(self, cursor: int) -> tuple[list, int]:
        """The routed records after `cursor`, and the position up to which the log has been read: the last
        position recorded when the read began (what is recorded after it is left for the next read), or the
        last record read when a batch fills."""
        end = await self._store.last_position()
        records = [r for r in await self._store.read_all(cursor, self._batch, ROUTED) if r.position <= end]
        if len(records) == self._batch:
            end = records[-1].position
        return records, max(cursor, end)

    async def _tracked(self, partition: Partition) -> int:
        position = await self._store.tracking_position(tracking_name(partition))
        # A store the single-process bot served: the partitions start where its one reactor stopped.
        return position or await self._store.tracking_position(NAME)

    async def _route(self, windows: dict[Partition, LogWindow], records: list) -> None:
        touched: dict[UUID, list] = {}
        for record in records:
            event = record.event
            if type(event).__name__ == "Opened" and isinstance(event, mv.MembershipVerdict.Event):
                self._members[event.originator_id] = event.member_id
            if _is_decision(event):
                touched.setdefault(event.originator_id, []).append(record)
        started: dict[UUID, tuple[Partition, asyncio.Task]] = {}
        await asyncio.gather(*(self._member(s) for s in touched if s not in self._members))  # side by side
        for stream, stream_records in touched.items():
            member = await self._member(stream)
            partition = self.partition_of_member(member) if member is not None else None
            window = windows.get(partition) if partition is not None else None
            fresh = [r for r in stream_records if window is not None and r.position > window.position]
            if window is not None and fresh:
                doubted = fresh[0].position <= self._doubt.get(partition, 0)
                started[stream] = (partition, self._start_member(window, stream, [r.event for r in fresh], doubted))
        for record in records:
            event = record.event
            name = type(event).__name__
            for partition, window in windows.items():
                if record.position <= window.position:
                    continue  # this partition's reactor finished it before
                task = None
                mine = started.get(event.originator_id) if _is_decision(event) else None
                if mine is not None and mine[0] == partition:
                    task = mine[1]
                elif name in _GROUP_WIDE:
                    if partition == CONTROL:
                        task = window.start(event.originator_id, partial(self._rights_changed, event))
                    elif name == "BotRightsRegained" and event.chat_id == await self._chat_of(event):
                        task = window.start(event.originator_id,
                                            partial(self._refresh_part, event.originator_id, partition))
                elif name == "SettingChanged" and event.key == "quiet" and partition != CONTROL:
                    task = window.start(event.originator_id,
                                        partial(self._refresh_part, event.originator_id, partition))
                window.passed(record.position, task)

    async def _chat_of(self, event: Any) -> int | None:
        group = await self._ctx.repository.get(event.originator_id)
        return group.chat_id if group is not None else None

    async def _refresh_group(self, group_stream: UUID) -> None:
        """The control partition tells the admins (the base class); members are refreshed by their owners."""

    async def _refresh_part(self, group_stream: UUID, partition: Partition) -> None:
        group = await self._ctx.repository.get(group_stream)
        if group is None:
            return
        members = {v.member_id for v in await self._ctx.read_models.restricted(group.chat_id)}
        members |= {v.member_id for v in await self._ctx.read_models.live_warnings() if v.chat_id == group.chat_id}
        mine = sorted(m for m in members if self.partition_of_member(m) == partition)
        await asyncio.gather(*(self._carry_out(verdict_stream_id(group.chat_id, m)) for m in mine))

    async def _carry_out(self, stream_id: UUID, in_doubt: bool = False) -> None:
        await self._in_partition(stream_id, partial(super()._carry_out, stream_id, in_doubt))

    async def _one_off(self, stream_id: UUID, decisions: list) -> None:
        await self._in_partition(stream_id, partial(super()._one_off, stream_id, decisions))

    async def _in_partition(self, stream_id: UUID, work: Callable[[], Awaitable[None]]) -> None:
        """Telegram calls made by `work` go out as the member's partition's (fenced by its lease)."""
        member = await self._member(stream_id)
        if member is None:
            return
        token = current_partition.set(self.partition_of_member(member))
        try:
            await work()
        finally:
            current_partition.reset(token)

    async def expire_warnings(self) -> int:
        """Only this worker's members' warnings; a warning already removed is not deleted again."""
        owned = set(self._owned())
        due = [w for w in self.desk.due() if self.partition_of_member(w[1]) in owned]

        async def expire(chat: int, member: int, message_id: int) -> None:
            stream = verdict_stream_id(chat, member)
            view = await self._ctx.read_models.verdict(chat, member)
            if view is None or view.warning_id != message_id:
                return

            def forget(v: mv.MembershipVerdict) -> None:
                if v.warning_id == message_id:
                    v.warning_removed(self._ctx.clock.now(), "expired")

            token = current_partition.set(self.partition_of_member(member))
            try:
                async with self._slots:
                    await self.deletes.delete(chat, [message_id])
                    await self._ctx.change(stream, _missing, forget)
            finally:
                current_partition.reset(token)

        await asyncio.gather(*(expire(*warning) for warning in due))
        return len({(chat, message_id) for chat, _, message_id in due})


def _missing() -> mv.MembershipVerdict:
    raise LookupError("a warning was scheduled for a member the log does not know")
