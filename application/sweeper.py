"""Re-decides every member a change to a group touches, from the log, resumably.

/unprotect, /unlink, /link, a settings change and a channel the bot can no longer see each change what
members owe the gate. The command only records the change; this follower reads such changes from the
log (from its own tracking position) and re-decides each restricted member of the group against the
group as it stands: released where nothing is missing any more, restricted for fewer (or more) channels
otherwise. Those decisions go to the log like any other, and the reactor carries them out (a lift, the
live warning edited to name the channels still missing). Killed halfway, it starts the same change
again; members already re-decided have nothing left to change, so nothing is done twice.

It is a reader of its own, beside the reactor, so a sweep of thousands of members (paced at bulk
priority behind Verify presses) never holds back the reactor's other work.
"""

import asyncio
import logging
from typing import Any

from eventsourcing.utils import get_topic

from application.context import GateContext
from application.ports.event_store import EventStore, Tracking
from application.ports.read_models import GroupView, VerdictView
from application.redecide import redecide
from application.urgency import Urgency, urgency
from domain.protected_group import ProtectedGroup

log = logging.getLogger(__name__)

NAME = "sweeper"
IDLE_STEP = 10_000  # positions the tracking position moves by at once while nothing is swept
BATCH = 100
PROJECTION_POLL = 0.005  # seconds
AT_ONCE = 16  # members re-decided at once; Telegram's limits pace the checks anyway

# The group events that change what members owe, and the trigger their re-decisions are recorded under.
TRIGGERS: dict[str, str] = {
    "Unprotected": "group_unprotected",
    "ChannelUnlinked": "channel_unlinked",
    "ChannelLinked": "channel_linked",
    "SettingChanged": "setting_changed",
    "BotRightsLost": "channel_unseen",
    "MemberExempted": "exempted",
}
TOPICS = [get_topic(getattr(ProtectedGroup, name)) for name in TRIGGERS]


class Sweeper:
    def __init__(self, store: EventStore, ctx: GateContext) -> None:
        self._store = store
        self._ctx = ctx
        self._checked = 0  # this process found nothing to sweep up to here (after what the position records)

    async def catch_up(self) -> int:
        """Sweep every change recorded after the tracking position; return how many were swept."""
        # From where this process last found nothing more to sweep, if the recorded position lags behind it.
        position = max(await self._store.tracking_position(NAME), self._checked)
        end = await self._store.last_position()  # a change recorded later lies beyond it, for the next pass
        swept = 0
        while records := [r for r in await self._store.read_all(position, BATCH, TOPICS) if r.position <= end]:
            for record in records:
                await self._projected(record.position)
                await self._sweep(record.event)
                position = record.position
                await self._store.append([], Tracking(NAME, position))
                swept += 1
        if end - position >= IDLE_STEP:
            # Past records that need no sweep, the recorded position moves now and then only (moving it on every
            # pass cost a transaction each time anything at all was recorded); this process remembers meanwhile.
            await self._store.append([], Tracking(NAME, end))
        self._checked = max(position, end)
        return swept

    async def _projected(self, position: int) -> None:
        """Until this process's read models hold the log up to `position` (the projector, poked by the same
        recording, is on its way; after a start it replays the log before anything else is settled)."""
        while await self._ctx.read_models.position() < position:
            await asyncio.sleep(PROJECTION_POLL)

    async def _sweep(self, change: Any) -> None:
        group_aggregate = await self._ctx.repository.get(change.originator_id)
        if group_aggregate is None:
            return
        group = await self._ctx.read_models.group(group_aggregate.chat_id)
        if group is None or not _concerns_members(change, group):
            return
        trigger = TRIGGERS[type(change).__name__]
        by = getattr(change, "by", None)
        members = await self._ctx.read_models.restricted(group.chat_id)
        if type(change).__name__ == "MemberExempted":
            members = [v for v in members if v.member_id == change.member_id]  # nobody else is touched
        slots = asyncio.Semaphore(AT_ONCE)

        async def one(view: VerdictView) -> None:
            async with slots:
                await redecide(self._ctx, group, view.member_id, trigger, by)

        with urgency(Urgency.BULK):
            await asyncio.gather(*(one(view) for view in members))
        log.info("re-decided %d member(s) of group %s after %s", len(members), group.chat_id, type(change).__name__)


def _concerns_members(change: Any, group: GroupView) -> bool:
    name = type(change).__name__
    if name == "BotRightsLost":
        return change.chat_id != group.chat_id  # a channel unseen; losing the group itself stops everything
    if name == "SettingChanged":
        return change.key in ("action", "strict")
    return True
