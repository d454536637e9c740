"""Someone joined a protected group: check them before they write, if the group wants that."""

from application.commands import MemberJoined
from application.context import GateContext
from application.gate import Enforcement, enforce
from domain.settings import GroupSettings


async def handle_member_joined(ctx: GateContext, cmd: MemberJoined) -> str:
    if cmd.name:
        ctx.names[cmd.user_id] = cmd.name
    if cmd.user_id == ctx.gateway.bot_id:
        return "bot_joined"
    group = await ctx.read_models.group(cmd.chat_id)
    if group is None or not group.protected:
        return "unprotected"
    if not group.can_enforce:
        return "no_rights"
    if not GroupSettings.from_dict(group.settings).verify_on_join:
        return "not_checked"
    job = Enforcement(cmd.chat_id, cmd.user_id, "join", participant=cmd.participant)
    return (await enforce(ctx, group, job)).outcome
