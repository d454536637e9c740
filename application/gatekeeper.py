"""The application's front door: one command in, the matching handler run."""

from typing import Any

from application import commands as c
from application.context import GateContext
from application.handlers.bot_rights import handle_bot_rights
from application.handlers.channel_membership import handle_channel_membership
from application.handlers.group_message import handle_group_message
from application.handlers.join_request import handle_join_request
from application.handlers.member_joined import handle_member_joined
from application.handlers.verify_pressed import handle_verify_pressed
from application.pump import EventPump


class Gatekeeper:
    def __init__(self, ctx: GateContext, pump: EventPump) -> None:
        self.ctx = ctx
        self.pump = pump
        ctx.on_recorded = pump.poke

    async def start(self) -> None:
        """Bring read models and side effects up to date with the log before taking updates."""
        await self.pump.drain()
        await self.pump.reactor.desk.load()

    async def handle(self, command: Any) -> Any:
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
                return "noted"
        raise TypeError(f"not a gate command: {type(command).__name__}")

    async def settle(self) -> None:
        await self.pump.drain()
