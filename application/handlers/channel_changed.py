"""A linked channel's public details changed: a channel made private loses its t.me link, so the Join
buttons of its groups' warnings need an invite link instead (created once and stored, since creating
another would revoke the one members hold)."""


from typing import Protocol

from application.commands import ChannelChanged
from application.needs import Records, UsesClock, UsesGateway, UsesReadModels
from application.ports.telegram import TelegramError
from domain.ids import group_stream_id
from domain.protected_group import linked_channel


class Needs(UsesGateway, UsesReadModels, UsesClock, Records, Protocol):
    """What this handler uses of the context (with what the helpers it calls use)."""


async def handle_channel_changed(ctx: Needs, cmd: ChannelChanged) -> str:
    concerned = await ctx.read_models.groups_for_channel(cmd.channel_id)
    if not concerned:
        return "not_concerned"
    try:
        info = await ctx.gateway.resolve_channel(cmd.channel_id)
    except TelegramError:
        return "unresolved"  # the bot may have lost sight of it: that arrives as a rights change
    invite: str | None = None
    updated = 0
    for chat_id in concerned:
        group = await ctx.read_models.group(chat_id)
        current = next((c for c in group.channels if c.id == cmd.channel_id), None) if group else None
        if current is None:
            continue
        invite = invite or current.invite_link
        if info.is_private and invite is None:
            try:
                invite = await ctx.gateway.export_invite_link(cmd.channel_id)
            except TelegramError:
                invite = None  # no link to offer yet; the channel is still named
        channel = linked_channel(info.id, info.title, info.username, invite if info.is_private else None)
        now = ctx.clock.now()
        await ctx.change(group_stream_id(chat_id), _never_new, lambda g, c=channel, t=now: g.update_channel(c, t))
        updated += 1
    return f"updated {updated}"


def _never_new():
    raise LookupError("a channel change for a group the log does not know")
