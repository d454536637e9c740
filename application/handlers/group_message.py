"""A message in a group: commands go to the admin handler, everything else through the gate."""


from typing import Protocol

from application.commands import GroupMessage
from application.gate import EXEMPT, EXEMPTED, Enforcement, enforce
from application.gate import Needs as Enforces
from application.handlers.admin_command import handle_admin_command, is_gate_command
from application.needs import UsesCallCounts, UsesNames
from application.verdicts import change_verdict
from domain import membership_verdict as mv
from domain.senders import SEND_AS_CHANNEL, USER, exemption
from domain.settings import GroupSettings


class Needs(Enforces, UsesNames, UsesCallCounts, Protocol):
    """What this handler uses of the context (with what the helpers it calls use)."""


UNPROTECTED = "unprotected"
NO_RIGHTS = "no_rights"  # the bot is no admin of the group: it can do nothing until rights return


async def handle_group_message(ctx: Needs, cmd: GroupMessage) -> str:
    if is_gate_command(cmd.text):
        _remember_name(ctx, cmd)
        refused = await handle_admin_command(ctx, cmd)
        if not refused:
            return "command"
    return (await handle_group_messages(ctx, [cmd]))[0]


def one_run(earlier: list[GroupMessage], cmd: GroupMessage) -> bool:
    """Whether `cmd` may be decided together with the messages before it: the same member, in the same group,
    and no admin command among them (a command is answered on its own, in its place)."""
    first = earlier[0]
    return (
        (cmd.chat_id, cmd.sender) == (first.chat_id, first.sender)
        and len(earlier) < RUN_LIMIT
        and not is_gate_command(cmd.text)
        and not is_gate_command(first.text)
    )


RUN_LIMIT = 64  # messages of one member decided at once: one append, so a flood is not one decision each


async def handle_group_messages(ctx: Needs, cmds: list[GroupMessage]) -> list[str]:
    """A run of one member's messages in one group (`one_run`), none a command, decided once: what is known
    of the group, the member and their subscriptions does not change between them, and a restriction records
    each message (its offence, its deletion) in the one append."""
    cmd = cmds[0]
    for each in cmds:
        _remember_name(ctx, each)
    group = await ctx.read_models.group(cmd.chat_id)
    if group is None or not group.protected:
        return [UNPROTECTED] * len(cmds)
    if not group.can_enforce:
        return [NO_RIGHTS] * len(cmds)
    admins = await ctx.admins.admins(cmd.chat_id) if cmd.sender.kind == USER else frozenset()
    found = exemption(cmd.sender, admins, frozenset(group.channel_ids), frozenset(group.exempt))
    if found == EXEMPTED:
        return [EXEMPTED] * len(cmds)
    if found:
        return [EXEMPT] * len(cmds)
    if cmd.sender.kind == SEND_AS_CHANNEL:
        settings = GroupSettings.from_dict(group.settings)
        return [await _refuse_channel_sender(ctx, each, settings) for each in cmds]
    last = cmds[-1]
    job = Enforcement(cmd.chat_id, cmd.sender.peer_id, "message", message_id=cmd.message_id,
                      more_messages=tuple(each.message_id for each in cmds[1:]),
                      name=last.sender_name, is_bot=last.sender_is_bot, language=last.sender_language)
    return [(await enforce(ctx, group, job)).outcome] * len(cmds)


def _remember_name(ctx: Needs, cmd: GroupMessage) -> None:
    if cmd.sender.kind == USER and cmd.sender_name:
        ctx.names.remember(cmd.sender.peer_id, cmd.sender_name)


async def _refuse_channel_sender(ctx: Needs, cmd: GroupMessage, settings: GroupSettings) -> str:
    """Writing as a channel hides the person, so no subscription can be checked: the channel is muted."""
    now = ctx.clock.now()
    await change_verdict(
        ctx,
        cmd.chat_id,
        cmd.sender.peer_id,
        lambda v: v.restrict(mv.SEND_AS_CHANNEL, [], "message", settings.action, [], cmd.message_id, now),
    )
    return "restricted"
