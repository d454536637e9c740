"""/status: what the group requires, whether the bot can do its job there, and who is restricted now."""


from typing import Protocol

from application import messages
from application.commands import GroupMessage
from application.handlers import stats
from application.handlers.log_channel_setting import log_channel_status
from application.needs import UsesCallCounts, UsesClock, UsesGateway, UsesNames, UsesReadModels, UsesRepository
from application.ports.telegram import TelegramError
from domain import subscription
from domain.ids import group_stream_id


class Needs(UsesGateway, UsesReadModels, UsesNames, UsesRepository, UsesClock, UsesCallCounts, Protocol):
    """What this handler uses of the context (with what the helpers it calls use)."""


RECENT = 3


async def status_text(ctx: Needs, cmd: GroupMessage) -> str:
    group = await ctx.read_models.group(cmd.chat_id)
    title = (group.title if group else "") or cmd.chat_title or messages.UNTITLED_GROUP
    if group is None or not group.protected:
        return messages.not_protected(title)
    rights = {chat: await _bot_is_admin(ctx, chat) for chat in [cmd.chat_id, *group.channel_ids]}
    channels = [(c.name, rights[c.id]) for c in group.channels]
    restricted = await ctx.read_models.restricted(cmd.chat_id)
    latest = sorted((v for v in restricted if v.since), key=lambda v: v.since, reverse=True)[:RECENT]
    recent = [(ctx.names.of(v.member_id), v.reason or "", v.since) for v in latest]
    aggregate = await ctx.repository.get(group_stream_id(cmd.chat_id))
    text = messages.status(title, rights[cmd.chat_id], channels, len(restricted), recent, group.settings,
                           _exempt(aggregate), await stats.figures(ctx, group))
    return text + "\n" + await log_channel_status(ctx, aggregate)


def _exempt(group) -> list[str]:
    """Who an admin exempted, with the names they were exempted under (the group's log keeps them)."""
    return [messages.person(m["name"], m["id"]) for m in getattr(group, "exempt", [])]


async def _bot_is_admin(ctx: Needs, chat_id: int) -> bool | None:
    """True or False as Telegram says now; None when it did not answer."""
    try:
        me = await ctx.gateway.get_participant(chat_id, ctx.gateway.bot_id)
    except TelegramError as error:
        return False if error.kind == TelegramError.NOT_ADMIN else None
    return me.status in (subscription.ADMIN, subscription.CREATOR)
