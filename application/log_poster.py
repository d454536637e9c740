"""Posts the bot's decisions to each group's log channel, from the log, exactly once.

A follower like the reactor: it reads the events that make log lines (mutes, releases, refusals, rights,
exemptions, settings) after its own tracking position, turns those of groups with a log channel into lines
(application/log_lines.py), and packs each channel's lines into batches of up to one message. The batches are
recorded first (`BatchPlanned` on the channel's `LogFeed`, with the idempotency key they are sent with) together
with the tracking position, then sent; each confirmed one is recorded as posted. Killed anywhere, the next pass
sends again exactly the batches planned and not confirmed, with the same key (Telegram refuses a repeat as a
duplicate), and a second process that read the same records either loses the append (a conflict: it plans
nothing) or finds the records already covered by the feed (`LogFeed.covers`).

It runs at the rate limiter's lowest priority, and one chat's flood waits hold back only calls to that chat, so
posting never delays gating. When Telegram refuses the bot a post there (no admin, no right to post), the feed
records it once, the groups are told once in the group, and posting there stops until an admin sets the log
channel again: the lines wait in the log meanwhile, and are posted then.
"""

import logging
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from application import log_messages as texts
from application import messages
from application.context import GateContext
from application.log_lines import LineMaker, pack
from application.ports.event_store import ConcurrencyConflict, EventStore, Tracking
from application.ports.telegram import OutgoingMessage, TelegramError
from application.urgency import Urgency, urgency
from application.warnings import message_key
from domain.channel import Channel
from domain.log_feed import LogFeed
from domain.membership_verdict import MembershipVerdict
from domain.protected_group import ProtectedGroup

log = logging.getLogger(__name__)

NAME = "log_poster"
BATCH = 500  # records read at once
IDLE_STEP = 10_000  # positions the tracking position moves by at once while no group has a log channel

_ROUTE = get_topic(ProtectedGroup.LogChannelSet)
_REFUSED = get_topic(LogFeed.PostingRefused)
TOPICS = [
    *(get_topic(getattr(MembershipVerdict, name)) for name in ("MemberRestricted", "MemberReleased")),
    *(get_topic(getattr(ProtectedGroup, name)) for name in (
        "CommandRefused", "BotRightsLost", "BotRightsRegained", "MemberExempted", "MemberUnexempted",
        "SettingChanged", "LogChannelSet")),
    _REFUSED,
]


class LogPoster:
    def __init__(self, store: EventStore, ctx: GateContext) -> None:
        self._store = store
        self._ctx = ctx
        self._lines = LineMaker(ctx)
        self._routes: dict[UUID, int] | None = None  # group stream -> its log channel, as far as the log is read
        self._channels: set[int] = set()  # every channel ever named a log channel: their feeds may hold batches
        self.lines_posted = 0  # since this process started, for the metrics

    async def catch_up(self) -> int:
        """Plan the lines recorded after the tracking position, and post every batch planned and not posted."""
        position = await self._store.tracking_position(NAME)
        if self._routes is None:
            self._routes = await self._routes_until(position)
        end = await self._store.last_position()  # what is recorded later is the next pass's
        if not self._channels and not await self._store.read_all(position, 1, [_ROUTE]):
            await self._skip(position, end)
            return 0
        await self._post(self._channels)
        planned = 0
        while records := [r for r in await self._store.read_all(position, BATCH, TOPICS) if r.position <= end]:
            feeds, told = await self._plan(records)
            # Told before the position moves past the refusal: told again after a kill, Telegram refuses the repeat.
            await self._tell_groups(told)
            try:
                await self._ctx.repository.save(*feeds.values(), tracking=Tracking(NAME, records[-1].position))
            except ConcurrencyConflict:
                return planned  # another poller planned these records: its batches are the ones posted
            position = records[-1].position
            await self._post(feeds)
            planned += len(records)
        return planned

    async def _skip(self, position: int, end: int) -> None:
        """No group has ever named a log channel: nothing to read but the next such setting. The position moves
        on now and then only, so a bot without log channels spends no append on it per pass."""
        if end - position >= IDLE_STEP:
            try:
                await self._store.append([], Tracking(NAME, end))
            except ConcurrencyConflict:
                pass  # another poller moved it further

    async def pending_lines(self) -> int:
        """Lines planned and not yet posted, in every feed (the lag the metrics report)."""
        feeds = [await self._ctx.repository.get(LogFeed.create_id(c)) for c in sorted(self._channels)]
        return sum(batch["lines"] for feed in feeds if feed is not None for batch in feed.pending)

    async def _routes_until(self, position: int) -> dict[UUID, int]:
        """Which groups post where, as the log stood at `position`; later changes are read in order."""
        routes: dict[UUID, int] = {}
        after = 0
        while records := [r for r in await self._store.read_all(after, BATCH, [_ROUTE]) if r.position <= position]:
            for record in records:
                self._route(routes, record.event)
            after = records[-1].position
        return routes

    def _route(self, routes: dict[UUID, int], event: Any) -> None:
        if event.channel is None:
            routes.pop(event.originator_id, None)
        else:
            routes[event.originator_id] = event.channel["id"]
            self._channels.add(event.channel["id"])

    async def _plan(self, records: list) -> tuple[dict[int, LogFeed], list[Any]]:
        """The batches these records make, on their channels' feeds (not yet recorded), and the refusals read."""
        assert self._routes is not None
        feeds: dict[int, LogFeed] = {}
        lines: dict[int, list[str]] = {}
        told: list[Any] = []
        for record in records:
            event = record.event
            if isinstance(event, LogFeed.Event):  # a refusal: its groups are told
                told.append(event)
                continue
            if type(event).__name__ == "LogChannelSet":  # its own line goes to the channel it names
                self._route(self._routes, event)
                if event.channel is not None:
                    feed = await self._feed(feeds, event.channel["id"])
                    if not feed.covers(record.position):
                        feed.resume(self._ctx.clock.now())  # an admin set it again: posting works there now
            found = await self._lines.of(event, self._routes)
            if found is None:
                continue
            channel, line = found
            feed = await self._feed(feeds, channel)
            if not feed.covers(record.position):
                lines.setdefault(channel, []).append(line)
        through = records[-1].position
        for channel, texts_ in lines.items():
            feed = feeds[channel]
            for text, count in pack(texts_):
                feed.plan(message_key("log", feed.id, feed.version + 1), text, count, through, self._ctx.clock.now())
        return feeds, told

    async def _feed(self, feeds: dict[int, LogFeed], channel: int) -> LogFeed:
        if channel not in feeds:
            found = await self._ctx.repository.get(LogFeed.create_id(channel))
            feeds[channel] = found or LogFeed(channel_id=channel, timestamp=self._ctx.clock.now())
            self._channels.add(channel)
        return feeds[channel]

    async def _post(self, channels: Iterable[int]) -> None:
        for channel in sorted(channels):
            feed = await self._ctx.repository.get(LogFeed.create_id(channel))
            if feed is not None and feed.pending and feed.blocked is None:
                try:
                    await self._post_feed(feed)
                except ConcurrencyConflict:
                    log.info("log channel %s: another poller recorded first; the next pass goes on", channel)

    async def _post_feed(self, feed: LogFeed) -> None:
        for batch in list(feed.pending):
            try:
                with urgency(Urgency.BACKGROUND):  # behind every call the gate makes
                    sent = await self._ctx.gateway.send_message(feed.channel_id, OutgoingMessage(batch["text"]),
                                                                batch["key"])
            except TelegramError as error:
                if error.kind == TelegramError.DUPLICATE:
                    sent = 0  # posted before a crash: Telegram has it
                elif error.is_transient:
                    log.warning("log channel %s: %s; the batch waits for the next pass", feed.channel_id, error.kind)
                    return
                else:
                    if feed.refuse(error.kind, self._ctx.clock.now()):
                        await self._ctx.repository.save(feed)
                        self._ctx.on_recorded()  # a pass reads the refusal and tells the groups
                    return
            feed.posted(batch["key"], sent, self._ctx.clock.now())
            await self._ctx.repository.save(feed)
            self.lines_posted += batch["lines"]

    async def _tell_groups(self, refusals: list[Any]) -> None:
        """Each group whose log channel refused the bot is told once, in the group (keyed by the refusal)."""
        assert self._routes is not None
        for refusal in refusals:
            feed = await self._ctx.repository.get(refusal.originator_id)
            for group_stream in [g for g, channel in self._routes.items() if channel == feed.channel_id]:
                group = await self._ctx.repository.get(group_stream)
                if group is None or group.log_channel is None:
                    continue
                with messages.speaking(messages.group_language(group.settings_data)):
                    text = texts.text(texts.BLOCKED_NOTICE, channel=Channel.of(group.log_channel).name,
                                      ref=texts.reference(group.log_channel))
                key = message_key("log_refused", refusal.originator_id, refusal.originator_version, group.chat_id)
                try:
                    await self._ctx.gateway.send_message(group.chat_id, OutgoingMessage(text), key)
                except TelegramError as error:
                    log.warning("could not tell group %s of its log channel: %s", group.chat_id, error.kind)
