"""The bot gained or lost admin rights in a group or channel: record it for every group it concerns."""

from application.commands import BotRightsChanged
from application.context import GateContext
from domain.ids import group_stream_id


async def handle_bot_rights(ctx: GateContext, cmd: BotRightsChanged) -> str:
    ctx.admins.forget(cmd.chat_id)
    concerned = list(await ctx.read_models.groups_for_channel(cmd.chat_id))
    group = await ctx.read_models.group(cmd.chat_id)
    if group is not None and group.protected:
        concerned.append(cmd.chat_id)
    now = ctx.clock.now()
    for chat_id in concerned:
        await ctx.change(
            group_stream_id(chat_id),
            _never_new,
            lambda g: g.bot_rights_changed(cmd.chat_id, cmd.is_admin, now),
        )
    return "recorded" if concerned else "not_concerned"


def _never_new():
    raise LookupError("rights changed in a group the log does not know")
