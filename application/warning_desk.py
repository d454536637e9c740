"""Posts, replaces and expires warnings, and keeps a raid from flooding the group.

Normally each restricted member gets one live warning naming their missing channels. When more than
RAID_THRESHOLD warnings would go out in one group within RAID_WINDOW seconds, members restricted after
that share one notice per window instead (its Verify button checks whoever presses it), so the group
stays readable and far inside Telegram's 20 messages a minute.
"""

import heapq
from collections import deque
from collections.abc import Callable

from application.context import GateContext
from application.deletions import BatchedDeletes
from application.on_its_way import OnItsWay
from application.ports.read_models import GroupView
from application.ports.telegram import TelegramError
from application.warnings import message_key, raid_notice, warning_message
from domain import membership_verdict as mv
from domain.settings import GroupSettings

RAID_THRESHOLD = 5
RAID_WINDOW = 60.0

Fact = Callable[[mv.MembershipVerdict], None]


class WarningDesk:
    def __init__(
        self,
        ctx: GateContext,
        deletes: BatchedDeletes | None = None,
        threshold: int = RAID_THRESHOLD,
        window: float = RAID_WINDOW,
    ) -> None:
        self._ctx = ctx
        self._deletes = deletes or BatchedDeletes(ctx.gateway)
        self._threshold = threshold
        self._window = window
        self._recent: dict[int, deque[float]] = {}
        self._notices: dict[int, tuple[int, float]] = {}  # chat -> (message id, window start)
        self._sending = OnItsWay()  # per chat: the new notice on its way
        self._due: list[tuple[float, int, int, int]] = []  # (when, chat, member, message id)

    async def post(
        self, verdict: mv.MembershipVerdict, group: GroupView, record: Callable[[Fact], None], key: int
    ) -> None:
        """Post the member's warning under idempotency key `key` (already recorded as intended)."""
        if verdict.warning_id is not None:
            await self.remove(verdict, record, reason="replaced")
        now = self._ctx.clock.time()
        # Decided without waiting: a raid's hundreds of posts under way together must not pass through a lock
        # one turn of the event loop at a time, each holding its member's lock meanwhile (and with it that
        # member's Verify press). A warning of its own is counted before it is sent, so posts under way
        # together see each other; spacing the sends is the rate limiter's job.
        shared = self._raid(group.chat_id, now)
        if shared:
            message_id = await self._notice(group, now)
        else:
            recent = self._recent.setdefault(group.chat_id, deque())
            recent.append(now)
            message = warning_message(
                self._ctx, group, verdict.member_id, verdict.name, verdict.missing, key, verdict.language
            )
            message_id = await self._send(group.chat_id, message, key)
            if message_id is None:
                recent.remove(now)  # not posted: it does not count towards a raid
        if message_id is None:
            return
        at = self._ctx.clock.now()
        record(lambda v: v.warning_posted(message_id, at, shared=shared))
        self.schedule(group, verdict.member_id, message_id, now)

    async def edit(
        self, verdict: mv.MembershipVerdict, group: GroupView, record: Callable[[Fact], None], key: int
    ) -> bool:
        """Rewrite the member's live warning to name the channels they still miss; False if it is gone."""
        assert verdict.warning_id is not None
        message = warning_message(
            self._ctx, group, verdict.member_id, verdict.name, verdict.missing, key, verdict.language
        )
        try:
            await self._ctx.gateway.edit_message(group.chat_id, verdict.warning_id, message)
        except TelegramError as error:
            if error.kind == TelegramError.NOT_FOUND:
                record(lambda v: v.warning_removed(self._ctx.clock.now(), "gone"))
                return False
            return True  # left as it was; the next decision about the member tries again
        record(lambda v: v.warning_edited(self._ctx.clock.now()))
        return True

    async def remove(self, verdict: mv.MembershipVerdict, record: Callable[[Fact], None], reason: str) -> None:
        # A shared raid notice stays while it still addresses someone else (its timer removes it then).
        if not verdict.warning_shared or not await self._notice_addresses_others(verdict):
            await self._deletes.delete(verdict.chat_id, [verdict.warning_id])
        record(lambda v: v.warning_removed(self._ctx.clock.now(), reason))

    async def _notice_addresses_others(self, verdict: mv.MembershipVerdict) -> bool:
        return any(
            v.chat_id == verdict.chat_id and v.warning_id == verdict.warning_id and v.member_id != verdict.member_id
            for v in await self._ctx.read_models.live_warnings()
        )

    def schedule(self, group: GroupView, member_id: int, message_id: int, posted: float) -> None:
        ttl = GroupSettings.from_dict(group.settings).warning_ttl
        if ttl > 0:
            heapq.heappush(self._due, (posted + ttl, group.chat_id, member_id, message_id))

    async def load(self) -> None:
        """After a start, warnings posted before it still expire on time."""
        for view in await self._ctx.read_models.live_warnings():
            group = await self._ctx.read_models.group(view.chat_id)
            if group is not None and view.warning_at is not None and view.warning_id is not None:
                self.schedule(group, view.member_id, view.warning_id, view.warning_at.timestamp())

    def due(self) -> list[tuple[int, int, int]]:
        """(chat, member, message id) of every warning whose time is up, taken off the schedule."""
        now = self._ctx.clock.time()
        expired = []
        while self._due and self._due[0][0] <= now:
            _, chat, member, message_id = heapq.heappop(self._due)
            expired.append((chat, member, message_id))
        return expired

    def _raid(self, chat_id: int, now: float) -> bool:
        recent = self._recent.setdefault(chat_id, deque())
        while recent and recent[0] <= now - self._window:
            recent.popleft()
        return len(recent) >= self._threshold

    async def _notice(self, group: GroupView, now: float) -> int | None:
        current = self._notices.get(group.chat_id)
        if current is not None and now - current[1] < self._window:
            return current[0]
        # The first post that needs a new notice sends it; the others under way meanwhile share its answer.
        return await self._sending.answer(group.chat_id, lambda: self._new_notice(group, now, current))

    async def _new_notice(self, group: GroupView, now: float, current: tuple[int, float] | None) -> int | None:
        key = message_key("notice", group.chat_id, int(now * 1000))
        message_id = await self._send(group.chat_id, raid_notice(self._ctx, group, key), key)
        if message_id is None:
            return None
        if current is not None:
            # One notice alive per group: the new window's notice replaces the last one.
            await self._deletes.delete(group.chat_id, [current[0]])
        self._notices[group.chat_id] = (message_id, now)
        return message_id

    async def _send(self, chat_id: int, message, key: int) -> int | None:
        """The new message's id; None when it was not posted, or was posted before under this key (Telegram
        then says only "duplicate": the message comes back in Telegram's updates, see handlers/warning_seen)."""
        try:
            return await self._ctx.gateway.send_message(chat_id, message, key)
        except TelegramError:
            return None

