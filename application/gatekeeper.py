"""The application's front door: one command in, the matching handler run.

When the event store cannot take a decision nothing is decided, because no decision may exist outside the
log: the command goes to the spool (a durable one survives a crash) and then counts as handled. The spool
is drained in arrival order once the store answers again, by the ticker or, a moment after the last
failure, by the next update; while anything waits there, new commands wait behind it. Meanwhile a strict
group still loses messages from members the cache knows are not subscribed, and a Verify press is answered
at once with a request to try again (releases never happen unrecorded).
"""

import asyncio
import logging
import math

from application import commands as c
from application.commands import Command
from application.context import GateContext
from application.handlers.bot_rights import handle_bot_rights
from application.handlers.channel_changed import handle_channel_changed
from application.handlers.channel_membership import handle_channel_membership
from application.handlers.group_message import handle_group_message, handle_group_messages
from application.handlers.join_request import handle_join_request
from application.handlers.member_joined import handle_member_joined
from application.handlers.member_left import handle_member_left
from application.handlers.standing_changed import handle_standing_changed
from application.handlers.verify_pressed import handle_verify_pressed
from application.handlers.warning_seen import handle_warning_seen
from application.handlers.why import handle_private_message, handle_why_pressed, is_why_press
from application.outage import enforce_unrecorded
from application.ports.availability import Unavailable
from application.ports.spool import Spool
from application.pump import EventPump

log = logging.getLogger(__name__)

STORE = "event_store"
SPOOL = "spool"
SPOOL_LIMIT = 100_000
# After a failure, updates wait this long before one of them tries the store again: each try during an outage
# costs a refused connection or a busy file, and the ticker keeps trying regardless.
RETRY_PAUSE = 1.0


# What handling a command answers: how it went ("passed", "restricted", "spooled", ...); a channel's membership
# change answers once per group the channel is linked to.
Outcome = str | list[str]


class SpoolFull(Exception):
    """The store has been away so long that the spool would hold more than it may."""


class Gatekeeper:
    def __init__(self, ctx: GateContext, pump: EventPump, spool: Spool) -> None:
        self.ctx = ctx
        self.pump = pump
        self.spool = spool
        self._draining = asyncio.Lock()  # the ticker, an update and the start may all try to drain
        self._drain_task: asyncio.Task | None = None
        self._failed_at = -math.inf  # event loop time of the store's last failure
        ctx.on_recorded = pump.poke

    async def start(self) -> None:
        """Bring read models and side effects up to date with the log, then handle what an earlier process
        spooled, before taking updates."""
        await self.pump.drain()
        await self.pump.reactor.desk.load()
        # What changed in the groups while no one listened is unknown: each directory is filled again when needed.
        await self.ctx.standing.doubt_all()
        if await self.spool.count():
            await self.drain_spool()

    async def handle(self, command: Command) -> Outcome:
        if await self.spool.count():
            outcome = await self._hold(command)
            self._drain_soon()
            return outcome
        try:
            return await self._dispatch(command)
        except Unavailable as error:
            self._store_failed(error)
            return await self._hold(command)

    async def handle_run(self, commands: list[c.GroupMessage]) -> list[Outcome]:
        """One member's run of messages (`group_message.one_run`), decided together; as `handle` for each."""
        if len(commands) == 1:
            return [await self.handle(commands[0])]
        if await self.spool.count():
            outcomes = [await self._hold(command) for command in commands]
            self._drain_soon()
            return outcomes
        try:
            return list(await handle_group_messages(self.ctx, commands))
        except Unavailable as error:
            self._store_failed(error)
            return [await self._hold(command) for command in commands]

    async def drain_spool(self) -> bool:
        """Handle spooled commands in arrival order; False while the store is still away."""
        async with self._draining:
            while (command := await self.spool.oldest()) is not None:
                try:
                    await self._dispatch(command)
                except Unavailable as error:
                    self._store_failed(error)
                    return False
                except Exception:
                    # Not the store: it would fail again on every try, and must not hold up what waits behind it.
                    log.exception("a spooled %s could not be handled; it is dropped", type(command).__name__)
                await self.spool.remove_oldest()
                await self._report_depth()
            self.pump.health.recovered(STORE)
            return True

    def _drain_soon(self) -> None:
        loop = asyncio.get_running_loop()
        if self._drain_task is not None and not self._drain_task.done():
            return
        if loop.time() - self._failed_at >= RETRY_PAUSE:
            self._drain_task = loop.create_task(self._drain_behind())

    async def _drain_behind(self) -> None:
        try:
            await self.drain_spool()
        except Exception:
            log.exception("draining the spool failed; the ticker tries again")

    def _store_failed(self, error: Unavailable) -> None:
        self._failed_at = asyncio.get_running_loop().time()
        self.pump.health.failed(STORE, str(error))

    async def _hold(self, command: Command) -> str:
        if isinstance(command, c.VerifyPressed):
            await enforce_unrecorded(self.ctx, command)  # answered now: a press cannot wait for minutes
            return "store_unavailable"
        waiting = await self.spool.count()
        if waiting >= SPOOL_LIMIT:
            raise SpoolFull(f"{waiting} commands wait for the event store")
        await self.spool.append(command)  # from here on the command survives us
        await self._report_depth()
        await enforce_unrecorded(self.ctx, command)
        return "spooled"

    async def _report_depth(self) -> None:
        waiting = await self.spool.count()
        if waiting:
            self.pump.health.failed(SPOOL, f"{waiting} update(s) wait in the spool for the event store")
        else:
            self.pump.health.recovered(SPOOL)

    async def _dispatch(self, command: Command) -> Outcome:
        match command:
            case c.GroupMessage():
                return await handle_group_message(self.ctx, command)
            case c.MemberJoined():
                return await handle_member_joined(self.ctx, command)
            case c.JoinRequested():
                return await handle_join_request(self.ctx, command)
            case c.ChannelMembershipChanged():
                return await handle_channel_membership(self.ctx, command)
            case c.VerifyPressed() if is_why_press(self.ctx, command):
                return await handle_why_pressed(self.ctx, command)
            case c.VerifyPressed():
                return await handle_verify_pressed(self.ctx, command)
            case c.PrivateMessage():
                return await handle_private_message(self.ctx, command)
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
        if self._drain_task is not None:
            await self._drain_task
        await self.ctx.behind.settled()
        await self.pump.drain()
