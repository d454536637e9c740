"""The application's front door: one command in, the matching handler run.

When the event store cannot be reached nothing is decided, because no decision may exist outside the
log: the command waits in a backlog and is handled, in order, as soon as the store answers again.
Meanwhile a strict group still loses messages from members the cache knows are not subscribed, and a
Verify press is answered at once with a request to try again (releases never happen unrecorded).
"""

import asyncio
from collections import deque
from typing import Any

from application import commands as c
from application.context import GateContext
from application.handlers.bot_rights import handle_bot_rights
from application.handlers.channel_changed import handle_channel_changed
from application.handlers.channel_membership import handle_channel_membership
from application.handlers.group_message import handle_group_message
from application.handlers.join_request import handle_join_request
from application.handlers.member_joined import handle_member_joined
from application.handlers.member_left import handle_member_left
from application.handlers.standing_changed import handle_standing_changed
from application.handlers.verify_pressed import handle_verify_pressed
from application.handlers.warning_seen import handle_warning_seen
from application.outage import enforce_unrecorded
from application.ports.availability import Unavailable
from application.pump import EventPump

STORE = "event_store"
BACKLOG_LIMIT = 100_000


class BacklogFull(Exception):
    """The store has been away so long that waiting commands would exhaust memory."""


class Gatekeeper:
    def __init__(self, ctx: GateContext, pump: EventPump) -> None:
        self.ctx = ctx
        self.pump = pump
        self.backlog: deque[Any] = deque()
        self._replaying = asyncio.Lock()  # the ticker and new updates may both try to replay the backlog
        ctx.on_recorded = pump.poke

    async def start(self) -> None:
        """Bring read models and side effects up to date with the log before taking updates."""
        await self.pump.drain()
        await self.pump.reactor.desk.load()

    async def handle(self, command: Any) -> Any:
        if self.backlog and not await self.retry_backlog():
            return await self._hold(command)
        try:
            return await self._dispatch(command)
        except Unavailable as error:
            self.pump.health.failed(STORE, str(error))
            return await self._hold(command)

    async def retry_backlog(self) -> bool:
        """Handle waiting commands in arrival order; False if the store is still away."""
        async with self._replaying:
            while self.backlog:
                try:
                    await self._dispatch(self.backlog[0])
                except Unavailable as error:
                    self.pump.health.failed(STORE, str(error))
                    return False
                self.backlog.popleft()
            self.pump.health.recovered(STORE)
            return True

    async def _hold(self, command: Any) -> str:
        if isinstance(command, c.VerifyPressed):
            await enforce_unrecorded(self.ctx, command)  # answered now: a press cannot wait for minutes
            return "store_unavailable"
        if len(self.backlog) >= BACKLOG_LIMIT:
            raise BacklogFull(f"{len(self.backlog)} commands wait for the event store")
        await enforce_unrecorded(self.ctx, command)
        self.backlog.append(command)
        return "queued"

    async def _dispatch(self, command: Any) -> Any:
        match command:
            case c.GroupMessage():
                return await handle_group_message(self.ctx, command)
            case c.MemberJoined():
                return await handle_member_joined(self.ctx, command)
            case c.JoinRequested():
                return await handle_join_request(self.ctx, command)
            case c.ChannelMembershipChanged():
                return await handle_channel_membership(self.ctx, command)
            case c.VerifyPressed():
                return await handle_verify_pressed(self.ctx, command)
            case c.BotRightsChanged():
                return await handle_bot_rights(self.ctx, command)
            case c.MemberLeft():
                return await handle_member_left(self.ctx, command)
            case c.MemberStandingChanged():
                return await handle_standing_changed(self.ctx, command)
            case c.WarningSeen():
                return await handle_warning_seen(self.ctx, command)
            case c.ChannelChanged():
                return await handle_channel_changed(self.ctx, command)
        raise TypeError(f"not a gate command: {type(command).__name__}")

    async def settle(self) -> None:
        await self.ctx.settled()
        await self.pump.drain()
