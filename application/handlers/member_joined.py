"""Someone joined a group: a member the log knows is back (and decided afresh); a newcomer to a protected
group is checked before they write, if the group wants that."""


from typing import Protocol

from application.commands import MemberJoined
from application.gate import Enforcement, enforce
from application.gate import Needs as Enforces
from application.needs import UsesNames
from application.verdicts import observe
from domain import subscription as sub
from domain.settings import GroupSettings


class Needs(Enforces, UsesNames, Protocol):
    """What this handler uses of the context (with what the helpers it calls use)."""


async def handle_member_joined(ctx: Needs, cmd: MemberJoined) -> str:
    if cmd.name:
        ctx.names.remember(cmd.user_id, cmd.name)
    if cmd.user_id == ctx.gateway.bot_id:
        return "bot_joined"
    if cmd.participant is not None:  # a join that does not say leaves the directory as it was (see member_left)
        await ctx.standing.note(cmd.chat_id, cmd.user_id, cmd.participant)
    view = await ctx.read_models.verdict(cmd.chat_id, cmd.user_id)
    standing = cmd.participant.status if cmd.participant is not None else sub.MEMBER
    # The log learns they are back, in a protected group or not: a lift the bot still owes them (released
    # while they were away) is carried out now that they are here.
    participant = await observe(ctx, cmd.chat_id, cmd.user_id, cmd.participant, standing, None, "join")
    group = await ctx.read_models.group(cmd.chat_id)
    if group is None or not group.protected:
        return "unprotected"
    if not group.can_enforce:
        return "no_rights"
    # Telegram puts a returning member's restrictions back, the bot's mute among them: they are decided
    # afresh (and warned again, with a Verify button) even where joins are not checked.
    held = view is not None and view.mute_in_force
    if not GroupSettings.from_dict(group.settings).verify_on_join and not held:
        return "not_checked"
    job = Enforcement(cmd.chat_id, cmd.user_id, "join", participant=participant, name=cmd.name, is_bot=cmd.is_bot,
                      language=cmd.language)
    return (await enforce(ctx, group, job)).outcome
