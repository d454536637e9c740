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
    if cmd.sender.kind == USER and cmd.sender_name:
        ctx.names.remember(cmd.sender.peer_id, cmd.sender_name)
    if is_gate_command(cmd.text):
        refused = await handle_admin_command(ctx, cmd)
        if not refused:
            return "command"
    group = await ctx.read_models.group(cmd.chat_id)
    if group is None or not group.protected:
        return UNPROTECTED
    if not group.can_enforce:
        return NO_RIGHTS
    admins = await ctx.admins.admins(cmd.chat_id) if cmd.sender.kind == USER else frozenset()
    found = exemption(cmd.sender, admins, frozenset(group.channel_ids), frozenset(group.exempt))
    if found == EXEMPTED:
        return EXEMPTED
    if found:
        return EXEMPT
    if cmd.sender.kind == SEND_AS_CHANNEL:
        return await _refuse_channel_sender(ctx, cmd, GroupSettings.from_dict(group.settings))
    job = Enforcement(cmd.chat_id, cmd.sender.peer_id, "message", message_id=cmd.message_id,
                      name=cmd.sender_name, is_bot=cmd.sender_is_bot, language=cmd.sender_language)
    return (await enforce(ctx, group, job)).outcome


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
