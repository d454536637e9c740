"""Turning what an admin typed (@name, t.me link, id, a forwarded post) into channels the bot can watch."""

import re
from typing import Protocol

from application import messages
from application.needs import UsesGateway, UsesReadModels
from application.ports.telegram import ChannelInfo, TelegramError
from domain.channel import Channel
from domain.errors import GateRuleError
from domain.protected_group import MAX_CHANNELS, linked_channel


class Needs(UsesGateway, UsesReadModels, Protocol):
    """What this handler uses of the context (with what the helpers it calls use)."""


_LINK = re.compile(r"^(?:https?://)?(?:t\.me|telegram\.me)/(?P<name>[A-Za-z0-9_]{4,64})/?$")
_USERNAME = re.compile(r"^@?(?P<name>[A-Za-z][A-Za-z0-9_]{3,63})$")


class ChannelProblem(Exception):
    """A channel the admin named cannot be used; the message says what to fix."""


Ref = str | int
_ID_RANGE = range(-(2**63), 2**63)  # Telegram's ids are signed 64-bit numbers
_ID_DIGITS = 19  # enough for any of them; longer numbers are refused before being read


def parse_ref(text: str) -> Ref | None:
    if re.fullmatch(r"-?[0-9]+", text):
        if len(text.lstrip("-")) > _ID_DIGITS or int(text) not in _ID_RANGE:
            raise ChannelProblem(messages.CHANNEL_ID_INVALID.format(ref=text[:32]))
        return int(text)
    match = _LINK.match(text) or _USERNAME.match(text)
    return match["name"] if match else None


async def linkable_channels(
    ctx: Needs, chat_id: int, args: list[str], forwarded_channel: int | None, command: str,
    rights: dict[int, frozenset[str] | None] | None = None,
) -> list[Channel]:
    """The channels named, each once, checked with Telegram; the channel limit is checked first, against what
    the group has already, so naming too many costs no call to Telegram. `rights` learns the bot's admin
    rights in each (for the self-check that follows, application/handlers/self_check.py)."""
    refs: dict[Ref, Ref] = {}  # each once, in the order named: usernames are the same in any case
    for arg in args:
        ref = parse_ref(arg)
        if ref is None:
            raise ChannelProblem(messages.CHANNEL_UNRESOLVED.format(ref=arg[:64]))
        refs.setdefault(ref.lower() if isinstance(ref, str) else ref, ref)
    if forwarded_channel is not None:
        refs.setdefault(forwarded_channel, forwarded_channel)
    if not refs:
        raise GateRuleError(messages.NAME_A_CHANNEL.format(command=command))
    linked = await _linked(ctx, chat_id) if command == "/link" else []
    new = [key for key in refs if not any(_names(key, channel) for channel in linked)]
    if len(linked) + len(new) > MAX_CHANNELS:
        raise GateRuleError(messages.TOO_MANY_CHANNELS.format(limit=MAX_CHANNELS))
    channels: dict[int, Channel] = {}
    for ref in refs.values():
        channel = await _linkable(ctx, ref, rights if rights is not None else {})
        channels.setdefault(channel.id, channel)  # a username and an id may name one channel
    return list(channels.values())


async def _linked(ctx: Needs, chat_id: int) -> list[Channel]:
    group = await ctx.read_models.group(chat_id)
    return list(group.channels) if group is not None else []


def _names(key: Ref, channel: Channel) -> bool:
    if isinstance(key, int):
        return key == channel.id
    return key == (channel.username or "").lower()


async def _linkable(ctx: Needs, ref: str | int, rights: dict[int, frozenset[str] | None]) -> Channel:
    try:
        info: ChannelInfo = await ctx.gateway.resolve_channel(ref)
    except TelegramError as error:
        raise ChannelProblem(messages.CHANNEL_UNRESOLVED.format(ref=ref)) from error
    name = f"@{info.username}" if info.username else info.title
    try:
        mine = await ctx.gateway.my_rights(info.id)
    except TelegramError as error:
        raise ChannelProblem(messages.BOT_NOT_CHANNEL_ADMIN.format(channel=name)) from error
    if mine is None:
        raise ChannelProblem(messages.BOT_NOT_CHANNEL_ADMIN.format(channel=name))
    rights[info.id] = mine
    invite = None
    if info.is_private:
        # Exported once here and stored: exporting again later would revoke the link members hold.
        try:
            invite = await ctx.gateway.export_invite_link(info.id)
        except TelegramError as error:
            raise ChannelProblem(messages.BOT_CANNOT_INVITE.format(channel=name)) from error
    return linked_channel(info.id, info.title, info.username, invite)
