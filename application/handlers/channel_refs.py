"""Turning what an admin typed (@name, t.me link, id, a forwarded post) into channels the bot can watch."""

import re
from typing import Any

from application import messages
from application.context import GateContext
from application.ports.telegram import ChannelInfo, TelegramError
from domain import subscription
from domain.errors import GateRuleError
from domain.protected_group import linked_channel

_LINK = re.compile(r"^(?:https?://)?(?:t\.me|telegram\.me)/(?P<name>[A-Za-z0-9_]{4,64})/?$")
_USERNAME = re.compile(r"^@?(?P<name>[A-Za-z][A-Za-z0-9_]{3,63})$")


class ChannelProblem(Exception):
    """A channel the admin named cannot be used; the message says what to fix."""


def parse_ref(text: str) -> str | int | None:
    if re.fullmatch(r"-?\d{1,19}", text):
        return int(text)
    match = _LINK.match(text) or _USERNAME.match(text)
    return match["name"] if match else None


async def linkable_channels(
    ctx: GateContext, args: list[str], forwarded_channel: int | None, command: str
) -> list[dict[str, Any]]:
    refs: list[str | int] = []
    for arg in args:
        ref = parse_ref(arg)
        if ref is None:
            raise ChannelProblem(messages.CHANNEL_UNRESOLVED.format(ref=arg[:64]))
        refs.append(ref)
    if forwarded_channel is not None:
        refs.append(forwarded_channel)
    if not refs:
        raise GateRuleError(messages.NAME_A_CHANNEL.format(command=command))
    return [await _linkable(ctx, ref) for ref in refs]


async def _linkable(ctx: GateContext, ref: str | int) -> dict[str, Any]:
    try:
        info: ChannelInfo = await ctx.gateway.resolve_channel(ref)
    except TelegramError as error:
        raise ChannelProblem(messages.CHANNEL_UNRESOLVED.format(ref=ref)) from error
    name = f"@{info.username}" if info.username else info.title
    try:
        me = await ctx.gateway.get_participant(info.id, ctx.gateway.bot_id)
    except TelegramError as error:
        raise ChannelProblem(messages.BOT_NOT_CHANNEL_ADMIN.format(channel=name)) from error
    if me.status not in (subscription.ADMIN, subscription.CREATOR):
        raise ChannelProblem(messages.BOT_NOT_CHANNEL_ADMIN.format(channel=name))
    invite = None
    if info.is_private:
        # Exported once here and stored: exporting again later would revoke the link members hold.
        invite = await ctx.gateway.export_invite_link(info.id)
    return linked_channel(info.id, info.title, info.username, invite)
