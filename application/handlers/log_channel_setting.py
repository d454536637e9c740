"""/settings log_channel @channel|-100id|off: where the bot posts its decisions about the group.

Checked with Telegram before anything is recorded: the channel must exist, and the bot must be its admin with
the right to post messages; otherwise the admin is told what to change and nothing changes. Setting the same
channel again is how admins say posting works again after they fixed the bot's rights there
(application/log_poster.py then posts what waited).
"""

from collections.abc import Awaitable, Callable
from typing import Protocol

from application import log_messages as texts
from application import messages
from application.handlers.channel_refs import ChannelProblem, parse_ref
from application.needs import UsesGateway, UsesRepository
from application.ports.telegram import TelegramError
from domain.channel import Channel
from domain.errors import GateRuleError
from domain.ids import log_feed_stream_id
from domain.protected_group import linked_channel

POST_RIGHT = "post_messages"  # Telegram's ChatAdminRights name for posting in a channel
OFF = ("off", "none", "0")


class Needs(UsesGateway, Protocol):
    """What this handler uses of the context."""


Record = Callable[[Channel | None], Awaitable[None]]


async def set_log_channel(ctx: Needs, args: list[str], record: Record) -> str:
    """The answer to /settings log_channel VALUE; `record(channel)` records it in the group's log."""
    if len(args) != 2:
        raise GateRuleError(texts.text(texts.USAGE))
    if args[1].lower() in OFF:
        await record(None)
        return texts.text(texts.OFF)
    channel = await _postable(ctx, args[1])
    await record(channel)
    return texts.text(texts.SET, channel=channel.name)


async def _postable(ctx: Needs, raw: str) -> Channel:
    ref = parse_ref(raw)
    if ref is None:
        raise GateRuleError(texts.text(texts.USAGE))
    try:
        info = await ctx.gateway.resolve_channel(ref)
    except TelegramError as error:
        raise ChannelProblem(messages.CHANNEL_UNRESOLVED.format(ref=raw[:64])) from error
    channel = linked_channel(info.id, info.title, info.username)
    try:
        rights = await ctx.gateway.my_rights(info.id)
    except TelegramError as error:
        if error.is_transient:
            raise GateRuleError(messages.TELEGRAM_SILENT) from error
        rights = None
    if rights is None:
        raise GateRuleError(texts.text(texts.NOT_ADMIN, channel=channel.name))
    if POST_RIGHT not in rights:
        raise GateRuleError(texts.text(texts.CANNOT_POST, channel=channel.name))
    return channel


async def log_channel_status(ctx: UsesRepository, group) -> str:
    """/status's line: the group's log channel, and whether the bot has stopped posting there (and how many
    messages wait for it)."""
    channel = getattr(group, "log_channel", None) if group is not None else None
    if channel is None:
        return texts.text(texts.STATUS_OFF)
    name = Channel.of(channel).name
    feed = await ctx.repository.get(log_feed_stream_id(channel["id"]))
    if feed is not None and feed.blocked is not None:
        return texts.text(texts.STATUS_BLOCKED, channel=name, batches=len(feed.pending), ref=texts.reference(channel))
    return texts.text(texts.STATUS, channel=name)
