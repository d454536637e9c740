"""The bot gained or lost admin rights in a group or channel: record it for every group it concerns."""


from typing import Protocol

from application.commands import BotRightsChanged
from application.needs import Records, UsesAdmins, UsesChecker, UsesClock, UsesReadModels, UsesStanding
from domain.ids import group_stream_id


class Needs(UsesReadModels, UsesChecker, UsesAdmins, UsesClock, UsesStanding, Records, Protocol):
    """What this handler uses of the context (with what the helpers it calls use)."""


async def handle_bot_rights(ctx: Needs, cmd: BotRightsChanged) -> str:
    ctx.admins.forget(cmd.chat_id)
    concerned = list(await ctx.read_models.groups_for_channel(cmd.chat_id))
    if concerned and cmd.is_admin:
        # Cached subscriptions are trusted because an admin is told of every leave; while the bot was not
        # one, members may have left unseen.
        await ctx.checker.forget_channel(cmd.chat_id)
    group = await ctx.read_models.group(cmd.chat_id)
    if group is not None and group.protected:
        concerned.append(cmd.chat_id)
        # Without its rights the bot may not list who is restricted; back with them, it lists them again.
        await ctx.standing.doubt(cmd.chat_id)
        if cmd.is_admin:
            ctx.behind.run(ctx.standing.fill(cmd.chat_id))
    for chat_id in concerned:
        await note_rights(ctx, chat_id, cmd.chat_id, cmd.is_admin)
    return "recorded" if concerned else "not_concerned"


async def note_rights(ctx: Needs, group_chat: int, chat_id: int, is_admin: bool) -> None:
    """Record in the group's log what the bot learned about its rights in `chat_id` (once per change)."""
    now = ctx.clock.now()
    await ctx.change(group_stream_id(group_chat), _never_new, lambda g: g.bot_rights_changed(chat_id, is_admin, now))


def _never_new():
    raise LookupError("rights changed in a group the log does not know")
