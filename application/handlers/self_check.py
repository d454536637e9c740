"""/check: whether the bot has every right it needs in the group and each linked channel, and what to change.

Also run after /protect and /link, so a missing right shows the moment it matters instead of as members
who "joined but are still asked to join". The judgement is domain/self_check.py's; here Telegram is asked.
A channel's subscribers are looked at for real on /check (one subscriber read, the one the gate makes);
after /protect and /link the reads those commands just made stand in for it.
"""

from typing import Protocol

from application import check_messages, messages
from application.commands import GroupMessage
from application.needs import UsesGateway, UsesReadModels
from application.ports.read_models import GroupView
from application.ports.telegram import TelegramError
from domain import self_check as sc
from domain.channel import Channel
from domain.senders import USER


class Needs(UsesGateway, UsesReadModels, Protocol):
    """What this handler uses of the context (with what the helpers it calls use)."""


async def check_text(ctx: Needs, cmd: GroupMessage) -> str:
    group = await ctx.read_models.group(cmd.chat_id)
    title = (group.title if group else "") or cmd.chat_title or messages.UNTITLED_GROUP
    if group is None or not group.protected:
        return messages.not_protected(title)
    # Whom to look up in each channel: the admin asking (any person shows whether subscribers can be seen).
    probe = cmd.sender.peer_id if cmd.sender.kind == USER else None
    channels = [(c, await _look(ctx, c.id, probe)) for c in group.channels]
    return report(group.title or title, await _look(ctx, cmd.chat_id, None), channels)


async def after_linking(ctx: Needs, chat_id: int, channels: dict[int, frozenset[str] | None]) -> str:
    """The check after /protect or /link: the group's rights asked now, the channels' as the command read them."""
    group: GroupView | None = await ctx.read_models.group(chat_id)
    if group is None:
        return ""
    looks = [(c, sc.Look(c.id, True, channels[c.id])) if c.id in channels else (c, await _look(ctx, c.id, None))
             for c in group.channels]
    return report(group.title or messages.UNTITLED_GROUP, await _look(ctx, chat_id, None), looks, brief=True)


def report(title: str, group: sc.Look, channels: list[tuple[Channel, sc.Look]], brief: bool = False) -> str:
    here = sc.judge_group(group)
    found = [(c, sc.judge_channel(look, private=c.username is None)) for c, look in channels]
    if brief and sc.ready([here] + [f for _, f in found]):
        return messages.CHECK_ALL_READY_BRIEF
    return check_messages.check_report(title, here, found)


async def _look(ctx: Needs, chat_id: int, probe: int | None) -> sc.Look:
    try:
        rights = await ctx.gateway.my_rights(chat_id)
    except TelegramError as error:
        if not error.is_transient:
            return sc.Look(chat_id, True, None)  # removed, not in it, or the chat is closed to it: no admin there
        return sc.Look(chat_id, False)
    if rights is None or probe is None:
        return sc.Look(chat_id, True, rights)
    try:
        await ctx.gateway.get_participant(chat_id, probe)
    except TelegramError as error:
        return sc.Look(chat_id, True, rights, sees=False if error.kind == TelegramError.NOT_ADMIN else None)
    return sc.Look(chat_id, True, rights, sees=True)
