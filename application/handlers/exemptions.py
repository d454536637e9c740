"""/exempt and /unexempt: an admin names a member the gate must leave alone, or gate again; /release: an admin
frees a member the bot muted, once.

The member is named by @username, a t.me link or the numeric id. Telegram is asked who they are and
whether they are in the group: an unknown name, something that is no id, someone not in the group or an
admin (never gated anyway) gets a clear answer and nothing is recorded. The exemption is a group event
with who made it; the sweeper then releases the member if the bot muted them (only the bot's own layer
goes, application/redecide.py).

/release lifts the bot's own mute now, the same way (only the bot's layer; the reactor puts back what the
admins had set, and removes the warning), recorded on the member's verdict with who did it. Nothing is
remembered: the member's next message is checked with Telegram again, not the cache (application/gate.py).
"""

import re
from typing import Protocol

from application import messages
from application.commands import GroupMessage
from application.needs import Records, UsesClock, UsesGateway, UsesNames, UsesReadModels
from application.ports.telegram import TelegramError, UserInfo
from application.verdicts import change_verdict
from domain import membership_verdict as mv
from domain.errors import GateRuleError
from domain.ids import group_stream_id
from domain.standing import in_group, is_group_admin
from domain.subscription import NONE


class Needs(UsesGateway, UsesReadModels, UsesClock, UsesNames, Records, Protocol):
    """What this handler uses of the context (with what the helpers it calls use)."""


_ID = re.compile(r"^\d{1,20}$")
_USERNAME = re.compile(r"^(?:@|(?:https?://)?(?:t|telegram)\.me/)?([A-Za-z]\w{3,31})/?$")


async def exempt(ctx: Needs, cmd: GroupMessage, args: list[str]) -> str:
    person = await _named(ctx, cmd, args, "/exempt")
    try:
        found = await ctx.gateway.get_participant(cmd.chat_id, person.id)
        standing = found.status
    except TelegramError as error:
        if error.is_transient:
            raise GateRuleError(messages.TELEGRAM_SILENT) from None
        standing = NONE  # Telegram knows no such member here
    shown = messages.person(person.name, person.id)
    if is_group_admin(standing):
        raise GateRuleError(messages.EXEMPT_ADMIN.format(member=shown))
    if standing is None or not in_group(standing):
        raise GateRuleError(messages.NOT_IN_GROUP.format(member=shown))
    now = ctx.clock.now()
    by = cmd.sender.peer_id
    stream = group_stream_id(cmd.chat_id)
    await ctx.change(stream, _no_group, lambda g: g.exempt_member(person.id, person.name, by, now))
    view = await ctx.read_models.verdict(cmd.chat_id, person.id)
    muted = view is not None and (view.status == "restricted" or view.mute_in_force)
    return (messages.EXEMPTED_RELEASED if muted else messages.EXEMPTED).format(member=shown)


async def unexempt(ctx: Needs, cmd: GroupMessage, args: list[str]) -> str:
    group = await ctx.read_models.group(cmd.chat_id)
    if args and _ID.match(args[0]) and group is not None:
        member_id = int(args[0])  # no need to ask Telegram about someone who may have left long ago
    else:
        member_id = (await _named(ctx, cmd, args, "/unexempt")).id
    now = ctx.clock.now()
    by = cmd.sender.peer_id
    name = await ctx.change(group_stream_id(cmd.chat_id), _no_group, lambda g: g.unexempt_member(member_id, by, now))
    return messages.UNEXEMPTED.format(member=messages.person(name, member_id))


async def release(ctx: Needs, cmd: GroupMessage, args: list[str]) -> str:
    group = await ctx.read_models.group(cmd.chat_id)
    if group is None or not group.protected:
        title = (group.title if group is not None else None) or cmd.chat_title or messages.THIS_GROUP
        raise GateRuleError(messages.not_protected(title))
    person = await _named(ctx, cmd, args, "/release")
    shown = messages.person(person.name, person.id)
    view = await ctx.read_models.verdict(cmd.chat_id, person.id)
    if view is None or view.status != mv.RESTRICTED:
        raise GateRuleError(messages.RELEASE_NOT_MUTED.format(member=shown))
    now = ctx.clock.now()
    by = cmd.sender.peer_id
    # Decided on the verdict as the log holds it: a release recorded meanwhile (a Verify press) makes this none.
    released = await change_verdict(ctx, cmd.chat_id, person.id, lambda v: v.release(mv.ADMIN_RELEASED, by, now))
    return (messages.RELEASE_DONE if released else messages.RELEASE_NOT_MUTED).format(member=shown)


def _no_group():
    raise GateRuleError("This group is not protected. Start with /protect @channel")


async def _named(ctx: Needs, cmd: GroupMessage, args: list[str], command: str) -> UserInfo:
    if not args:
        raise GateRuleError(messages.NAME_A_MEMBER.format(command=command))
    ref = args[0]
    if _ID.match(ref):
        member_id = int(ref)
        return UserInfo(member_id, ctx.names.get(member_id) or await _logged_name(ctx, cmd.chat_id, member_id))
    if not _USERNAME.match(ref):
        raise GateRuleError(messages.MEMBER_REF_INVALID.format(ref=ref, command=command))
    try:
        return await ctx.gateway.resolve_user(ref)
    except TelegramError as error:
        if error.is_transient:
            raise GateRuleError(messages.TELEGRAM_SILENT) from None
        raise GateRuleError(messages.MEMBER_UNKNOWN.format(ref=ref)) from None


async def _logged_name(ctx: Needs, chat_id: int, member_id: int) -> str:
    view = await ctx.read_models.verdict(chat_id, member_id)
    return (view.name if view is not None else None) or f"Member {member_id}"
