"""Carries recorded decisions out on Telegram and records what happened.

It reads the log from its own tracking position. For every member a decision touched it compares
the verdict with what is already done (mute in force? warning posted for this restriction?) and
does only the difference, so running it again after a crash repeats nothing that was recorded.
"""

import asyncio
from functools import partial
from uuid import UUID

from application import messages
from application.context import CONFLICT_RETRIES, GateContext
from application.deletions import BatchedDeletes
from application.log_window import LogWindow
from application.ports.event_store import ConcurrencyConflict, EventStore, Tracking
from application.ports.telegram import OutgoingMessage, TelegramError
from application.reconcile import Fact, reconcile
from application.warning_desk import WarningDesk
from application.warnings import message_key
from domain import membership_verdict as mv
from domain.ids import verdict_stream_id

NAME = "reactor"
BATCH = 200
WINDOW = 5_000  # records read ahead of the oldest one still being carried out
# Members carried out at once, as many as the gate handles updates at once under load; keeping within
# Telegram's budgets is the rate limiter's job. Each takes a few round trips, so at 32 the reactor fell
# thousands of records behind the gate and mutes came seconds late (the steady run went on 4 s after its
# last update was answered).
CONCURRENCY = 256


class Reactor:
    def __init__(self, store: EventStore, ctx: GateContext, batch: int = BATCH) -> None:
        self._store = store
        self._ctx = ctx
        self._batch = batch
        self._slots = asyncio.Semaphore(CONCURRENCY)
        self.deletes = BatchedDeletes(ctx.gateway)
        self._news = asyncio.Event()  # set on every recording: a reactor waiting on slow work reads on
        self.desk = WarningDesk(ctx, self.deletes)
        ctx.carry_out = self.carry_out_member
        # Records up to here were decided by a process that may have died between a call Telegram carried
        # out and the record of its outcome: their members are read before their rights are changed again.
        self._in_doubt_until: int | None = None

    async def carry_out_member(self, chat_id: int, member_id: int) -> None:
        """One member's verdict carried out now, outside the log's order (a Verify press waits for it)."""
        await self._carry_out(verdict_stream_id(chat_id, member_id))

    def notify(self) -> None:
        """Something was recorded."""
        self._news.set()

    async def catch_up(self) -> int:
        if self._in_doubt_until is None:
            self._in_doubt_until = await self._store.last_position()
        window = LogWindow(await self._store.tracking_position(NAME), WINDOW)
        cursor, done = window.position, 0
        try:
            while True:
                self._news.clear()
                records = [] if window.full else await self._store.read_all(after=cursor, limit=self._batch)
                self._start(window, records)
                if records:
                    cursor, done = records[-1].position, done + len(records)
                await self._track(window)
                if (failure := window.failure) is not None:
                    raise failure
                if not records:
                    if window.idle:
                        return done
                    await window.wait(self._news)
        except asyncio.CancelledError:
            window.cancel()
            raise
        except Exception:
            # What already finished is recorded as done, so the retry repeats only the rest.
            await window.settle()
            await self._track(window)
            raise

    def _start(self, window: LogWindow, records: list) -> None:
        touched: dict[UUID, list] = {}
        doubted: set[UUID] = set()
        for record in records:
            if _is_decision(record.event):
                touched.setdefault(record.event.originator_id, []).append(record.event)
                if record.position <= (self._in_doubt_until or 0):
                    doubted.add(record.event.originator_id)
        started = {stream: self._start_member(window, stream, events, stream in doubted)
                   for stream, events in touched.items()}
        for record in records:
            event = record.event
            task = started.get(event.originator_id) if _is_decision(event) else None
            if type(event).__name__ in ("BotRightsLost", "BotRightsRegained"):
                task = window.start(event.originator_id, partial(self._rights_changed, event))
            elif type(event).__name__ == "SettingChanged" and event.key == "quiet":
                task = window.start(event.originator_id, partial(self._refresh_group, event.originator_id))
            window.passed(record.position, task)

    def _start_member(self, window: LogWindow, stream: UUID, decisions: list, in_doubt: bool) -> asyncio.Future:
        """The member's state carried out in turn with their other decisions; the calls tied to one decision
        (deleting the message, answering a join request) beside it, under no lock: a deletion waits for its
        batch behind other work, and the member's next decision (their Verify's release, say) need not wait
        for it. The record's work is done when both are.

        Deletions keep no order among themselves, so a member's next ones do not wait for the last call: a
        flood of messages written before the mute landed goes out a hundred to a call, not one call after
        another. Join requests' answers stay in turn (the "pending" hint before the "declined" one)."""
        # A carry-out reads the verdict when it begins, so one still waiting its turn carries this decision
        # out too (one in doubt reads Telegram first, which a later decision must not skip).
        state = window.start(stream, partial(self._carry_out, stream, in_doubt), join=not in_doubt)
        names = {type(e).__name__ for e in decisions}
        if not names & set(_ONE_OFF):
            return state
        in_turn = (stream, "one-off") if names & set(_JOIN_REQUESTS) else None
        calls = window.start(in_turn, partial(self._one_off, stream, decisions))
        return asyncio.gather(state, calls)

    async def _one_off(self, stream_id: UUID, decisions: list) -> None:
        await self._one_off_calls(await self._ctx.repository.get(stream_id), decisions)

    async def _track(self, window: LogWindow) -> None:
        if window.advance():
            await self._store.append([], Tracking(NAME, window.position))

    async def expire_warnings(self) -> int:
        """Delete warnings whose time is up; a shared raid notice is deleted once for all it addresses."""
        due = self.desk.due()

        async def expire(chat: int, member: int, message_id: int) -> None:
            def forget(v: mv.MembershipVerdict) -> None:
                if v.warning_id == message_id:
                    v.warning_removed(self._ctx.clock.now(), "expired")

            async with self._slots:
                await self.deletes.delete(chat, [message_id])
                await self._ctx.change(verdict_stream_id(chat, member), _missing, forget)

        await asyncio.gather(*(expire(*warning) for warning in due))
        return len({(chat, message_id) for chat, _, message_id in due})

    async def _rights_changed(self, event) -> None:
        """Tell the admins once; after rights return, finish the mutes that could not be applied."""
        group = await self._ctx.repository.get(event.originator_id)
        if group is None:
            return
        view = await self._ctx.read_models.group(group.chat_id)
        lost = type(event).__name__ == "BotRightsLost"
        in_group = event.chat_id == group.chat_id
        channel = group.channel(event.chat_id)
        with messages.speaking(messages.group_language(group.settings_data)):  # told to the whole group
            where = messages.THIS_GROUP if in_group else (channel.name if channel else messages.A_CHANNEL)
            if lost:
                text = messages.RIGHTS_LOST_GROUP if in_group else messages.RIGHTS_LOST_CHANNEL.format(channel=where)
            else:
                text = messages.RIGHTS_REGAINED.format(chat=where)
        try:
            # Keyed by the event, so telling it again after a crash is refused as a duplicate, not posted twice.
            key = message_key("rights", event.originator_id, event.originator_version)
            await self._ctx.gateway.send_message(group.chat_id, OutgoingMessage(text), key)
        except TelegramError:
            pass  # without rights in the group even this may fail; the event keeps the record
        if not lost and in_group and view is not None:
            await self._refresh_group(event.originator_id)

    async def _refresh_group(self, group_stream: UUID) -> None:
        """Carry out again every member of the group with a restriction or a live warning (their effects
        depend on the group: rights regained, warnings switched on or off)."""
        group = await self._ctx.repository.get(group_stream)
        if group is None:
            return
        members = {v.member_id for v in await self._ctx.read_models.restricted(group.chat_id)}
        members |= {v.member_id for v in await self._ctx.read_models.live_warnings() if v.chat_id == group.chat_id}
        await asyncio.gather(*(self._carry_out(verdict_stream_id(group.chat_id, m)) for m in sorted(members)))

    async def _carry_out(self, stream_id: UUID, in_doubt: bool = False) -> None:
        async with self._slots, self._ctx.member_lock(stream_id):
            await self._reconcile(stream_id, await self._ctx.repository.get(stream_id), in_doubt)

    async def _reconcile(self, stream_id: UUID, verdict: mv.MembershipVerdict, in_doubt: bool) -> None:
        facts: list[Fact] = []

        async def checkpoint(verdict: mv.MembershipVerdict, new: list[Fact]) -> None:
            facts.extend(new)  # kept until recorded, so a conflict's retry re-applies them
            new.clear()
            await self._save(verdict)
            facts.clear()

        for _ in range(CONFLICT_RETRIES):
            for fact in facts:
                fact(verdict)
            try:
                facts += await reconcile(self._ctx, self.desk, verdict, checkpoint, in_doubt)
                await self._save(verdict)
                return
            except ConcurrencyConflict:
                verdict = await self._ctx.repository.get(stream_id)
        raise ConcurrencyConflict(f"reactor gave up recording outcomes for {stream_id}")

    async def _save(self, verdict: mv.MembershipVerdict) -> None:
        if await self._ctx.repository.save(verdict):
            await self._ctx.recorded(verdict)

    async def _hint(self, verdict: mv.MembershipVerdict, template, event) -> None:
        group = await self._ctx.read_models.group(verdict.chat_id)
        if group is not None:
            missing = [c for c in group.channels if c.id in verdict.missing] or group.channels
            # Keyed by its decision: a hint sent before a crash is refused when sent again, not sent twice.
            key = message_key("hint", event.originator_id, event.originator_version)
            # To the requester alone: in their language as the log recorded it, else the group's.
            with messages.speaking(messages.choose(verdict.language, group.settings.get("language"))):
                text = template(group.title, missing)
            await self._ctx.gateway.send_private(verdict.member_id, text, key)

    async def _one_off_calls(self, verdict: mv.MembershipVerdict, decisions: list) -> None:
        """Calls tied to one decision rather than to the member's state: repeating them is harmless."""
        gateway = self._ctx.gateway
        doomed = [e.message_id for e in decisions if type(e).__name__ == "MemberRestricted" and e.message_id]
        await self.deletes.delete(verdict.chat_id, doomed)
        for event in decisions:
            name = type(event).__name__
            try:
                if name == "JoinRequestDecided":
                    await gateway.decide_join_request(verdict.chat_id, verdict.member_id, event.approved)
                    if not event.approved:
                        await self._hint(verdict, messages.join_declined, event)
                elif name == "JoinRequestHeld":
                    await self._hint(verdict, messages.join_pending, event)
            except TelegramError:
                pass  # the message is gone already, or the request was settled by an admin


def _missing() -> mv.MembershipVerdict:
    raise LookupError("a warning was scheduled for a member the log does not know")


_JOIN_REQUESTS = ("JoinRequestDecided", "JoinRequestHeld")
_ONE_OFF = ("MemberRestricted", *_JOIN_REQUESTS)


DECISIONS = ("MemberRestricted", "MemberReleased", *_JOIN_REQUESTS, "StandingObserved")


def _is_decision(event: object) -> bool:
    return isinstance(event, mv.MembershipVerdict.Event) and type(event).__name__ in DECISIONS
