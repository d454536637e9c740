"""Recording decisions about one member, with the retry that concurrent updates need."""

from typing import Any

from application.context import GateContext
from domain.ids import verdict_stream_id
from domain.membership_verdict import MembershipVerdict


async def change_verdict(ctx: GateContext, chat_id: int, member_id: int, decide: Any, new: bool = False) -> Any:
    def create() -> MembershipVerdict:
        return MembershipVerdict(chat_id=chat_id, member_id=member_id, timestamp=ctx.clock.now())

    return await ctx.change(verdict_stream_id(chat_id, member_id), create, decide, new=new)
