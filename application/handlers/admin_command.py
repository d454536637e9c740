"""Admin commands typed in the group: /protect, /unprotect, /link, /unlink, /status, /stats, /settings, /exempt,
/unexempt, /release, /check, and the words users of other force-subscribe bots know: /fsub @a @b (protect with those
channels, or link them once protected), /fsub off (unprotect), /help."""

import logging
import re
from typing import Protocol

from application import messages
from application.commands import GroupMessage
from application.handlers.channel_refs import ChannelProblem, linkable_channels
from application.handlers.exemptions import exempt, release, unexempt
from application.handlers.log_channel_setting import set_log_channel
from application.handlers.self_check import after_linking, check_text
from application.handlers.settings import settings_command
from application.handlers.stats import stats_text
from application.handlers.status import status_text
from application.needs import (
    Records,
    UsesAdmins,
    UsesCallCounts,
    UsesChecker,
    UsesClock,
    UsesGateway,
    UsesNames,
    UsesReadModels,
    UsesRepository,
    UsesStanding,
)
from application.ports.telegram import OutgoingMessage, TelegramError
from application.warming import fill_and_warm
from application.warnings import message_key
from domain.errors import GateRuleError
from domain.ids import group_stream_id
from domain.protected_group import ProtectedGroup
from domain.senders import ANONYMOUS_ADMIN, USER
from domain.standing import is_group_admin


class Needs(UsesGateway, UsesReadModels, UsesAdmins, UsesClock, UsesNames, UsesRepository, UsesCallCounts, UsesChecker,
            UsesStanding, Records, Protocol):
    """What this handler uses of the context (with what the helpers it calls use)."""


log = logging.getLogger(__name__)
COMMANDS = ("protect", "unprotect", "link", "unlink", "status", "stats", "settings", "exempt", "unexempt", "release",
            "check", "fsub", "help")
# They remove protection or change who is gated.
FRESH_CHECK = frozenset({"unprotect", "unlink", "settings", "exempt", "unexempt", "release", "fsub"})
_COMMAND = re.compile(r"^/(?P<name>[a-z]+)(?:@\w+)?(?:\s+(?P<args>.*))?$", re.IGNORECASE | re.DOTALL)


def parse(text: str) -> tuple[str, list[str]] | None:
    match = _COMMAND.match(text.strip())
    if not match or match["name"].lower() not in COMMANDS:
        return None
    return match["name"].lower(), (match["args"] or "").split()


def is_gate_command(text: str) -> bool:
    return parse(text) is not None


async def handle_admin_command(ctx: Needs, cmd: GroupMessage) -> bool:
    """Run the command; True when it was refused (the sender is no admin), so the gate still applies.
    Answered in the group's language: the whole group reads the answer."""
    group = await ctx.read_models.group(cmd.chat_id)
    with messages.speaking(messages.group_language(group.settings if group else None)):
        return await _handle(ctx, cmd)


async def _handle(ctx: Needs, cmd: GroupMessage) -> bool:
    parsed = parse(cmd.text)
    assert parsed is not None
    name, args = parsed
    admin = await _is_admin(ctx, cmd, fresh=name in FRESH_CHECK and (name != "settings" or bool(args)))
    if admin is None:
        await _reply(ctx, cmd, messages.RIGHTS_UNCONFIRMED)
        return False  # not refused: the sender may well be an admin, and is not gated for Telegram's silence
    if not admin:
        await _record_refusal(ctx, cmd, name)
        await _reply(ctx, cmd, messages.ADMINS_ONLY.format(command=f"/{name}"))
        return True
    try:
        reply = await _run(ctx, cmd, name, args)
    except (GateRuleError, ChannelProblem) as problem:
        reply = str(problem)
    await _reply(ctx, cmd, reply)
    return False


async def _is_admin(ctx: Needs, cmd: GroupMessage, fresh: bool) -> bool | None:
    """Whether the sender administers the group; None when Telegram could not say just now.

    Commands that remove protection or change who is gated ask Telegram afresh: a demoted admin must not
    keep the power for as long as the list of admins is remembered.
    """
    if cmd.sender.kind == ANONYMOUS_ADMIN:
        return True
    if cmd.sender.kind != USER:
        return False
    if not fresh:
        return cmd.sender.peer_id in await ctx.admins.admins(cmd.chat_id)
    try:
        found = await ctx.gateway.get_participant(cmd.chat_id, cmd.sender.peer_id)
    except TelegramError:
        return None
    admin = is_group_admin(found.status)
    ctx.admins.learn(cmd.chat_id, cmd.sender.peer_id, admin)
    return admin


async def _reply(ctx: Needs, cmd: GroupMessage, text: str) -> None:
    # Keyed by the command's message: handled again after a crash, the command's answer is not posted twice.
    key = message_key("reply", cmd.chat_id, cmd.message_id)
    try:
        await ctx.gateway.send_message(cmd.chat_id, OutgoingMessage(text, reply_to=cmd.message_id), key)
    except TelegramError as error:
        # Best effort: a reply Telegram refuses must neither undo the command's record nor, for a refused
        # non-admin, skip the gate that still applies to their message.
        log.warning("could not reply to a command in %s: %s", cmd.chat_id, error.kind)


def _new_group(ctx: Needs, cmd: GroupMessage):
    return lambda: ProtectedGroup(chat_id=cmd.chat_id, title=cmd.chat_title, timestamp=ctx.clock.now())


async def _change_group(ctx: Needs, cmd: GroupMessage, decide) -> None:
    await ctx.change(group_stream_id(cmd.chat_id), _new_group(ctx, cmd), decide)


async def _record_refusal(ctx: Needs, cmd: GroupMessage, name: str) -> None:
    now = ctx.clock.now()
    await _change_group(ctx, cmd, lambda g: g.refuse_command(cmd.sender.peer_id, name, now))


async def _fsub(ctx: Needs, cmd: GroupMessage, args: list[str]) -> str:
    """/fsub off unprotects; /fsub @a @b protects with those channels, or links them to a protected group."""
    if len(args) == 1 and args[0].lower() == "off":
        return await _run(ctx, cmd, "unprotect", [])
    group = await ctx.read_models.group(cmd.chat_id)
    return await _run(ctx, cmd, "link" if group is not None and group.protected else "protect", args, "/fsub")


async def _run(ctx: Needs, cmd: GroupMessage, name: str, args: list[str], label: str = "") -> str:
    by = cmd.sender.peer_id
    now = ctx.clock.now()
    label = label or f"/{name}"  # the command as the admin typed it, for examples in answers
    if name == "help":
        return messages.GROUP_HELP
    if name == "fsub":
        return await _fsub(ctx, cmd, args)
    if name == "protect":
        rights: dict[int, frozenset[str] | None] = {}
        channels = await linkable_channels(ctx, cmd.chat_id, args, cmd.reply_to_forwarded_channel, label, rights)
        await _change_group(ctx, cmd, lambda g: g.protect(channels, by, now))
        fill_and_warm(ctx, cmd.chat_id, [c.id for c in channels], protected_now=True)
        done = messages.PROTECTED.format(channels=", ".join(messages.channel_name(c) for c in channels))
        return done + "\n" + await after_linking(ctx, cmd.chat_id, rights)
    if name == "link":
        rights = {}
        channels = await linkable_channels(ctx, cmd.chat_id, args, cmd.reply_to_forwarded_channel, label, rights)
        for channel in channels:
            await _change_group(ctx, cmd, lambda g, c=channel: g.link(c, by, now))
        fill_and_warm(ctx, cmd.chat_id, [c.id for c in channels], protected_now=False)
        done = messages.LINKED.format(channel=", ".join(messages.channel_name(c) for c in channels))
        return done + "\n" + await after_linking(ctx, cmd.chat_id, rights)
    if name == "check":
        return await check_text(ctx, cmd)
    if name == "unlink":
        return await _unlink(ctx, cmd, args, by)
    if name == "unprotect":
        # Recorded here; the members it frees are released one by one from the log (application/sweeper.py),
        # so a crash halfway leaves nobody muted for good.
        muted = len(await ctx.read_models.restricted(cmd.chat_id))
        await _change_group(ctx, cmd, lambda g: g.unprotect(by, now))
        return messages.UNPROTECTED.format(released=muted)
    if name == "status":
        return await status_text(ctx, cmd)
    if name == "stats":
        return await stats_text(ctx, cmd)
    if name == "exempt":
        return await exempt(ctx, cmd, args)
    if name == "unexempt":
        return await unexempt(ctx, cmd, args)
    if name == "release":
        return await release(ctx, cmd, args)
    return await _settings(ctx, cmd, args, by)


async def _unlink(ctx: Needs, cmd: GroupMessage, args: list[str], by: int) -> str:
    if not args:
        raise GateRuleError(messages.NAME_A_CHANNEL.format(command="/unlink"))
    group = await ctx.read_models.group(cmd.chat_id)
    channel_id = None
    if group is not None:
        wanted = args[0].lstrip("@").rsplit("/", 1)[-1].lower()
        for channel in group.channels:
            if wanted in (str(channel.id), (channel.username or "").lower()):
                channel_id = channel.id
    if channel_id is None:
        raise GateRuleError(messages.CHANNEL_NOT_LINKED)
    now = ctx.clock.now()
    await _change_group(ctx, cmd, lambda g: g.unlink(channel_id, by, now))
    return messages.UNLINKED.format(channel=args[0])


async def _settings(ctx: Needs, cmd: GroupMessage, args: list[str], by: int) -> str:
    group = await ctx.read_models.group(cmd.chat_id)
    now = ctx.clock.now()

    async def change(key: str, raw: str) -> None:
        await _change_group(ctx, cmd, lambda g: g.change_setting(key, raw, by, now))

    if args and args[0].lower() == "log_channel":
        if group is None or not group.protected:
            raise GateRuleError(messages.not_protected(group.title if group and group.title else messages.THIS_GROUP))

        async def record(channel) -> None:
            await _change_group(ctx, cmd, lambda g: g.set_log_channel(channel, by, now))

        return await set_log_channel(ctx, args, record)
    return await settings_command(group, cmd.text, args, change)
