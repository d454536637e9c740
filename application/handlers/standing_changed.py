"""An admin changed someone's place in the group: restricted or freed them, promoted or demoted them.

Admin rights take effect at once (the list of admins is updated, not left to expire), and a member the
log knows has their admins' layer of restrictions updated, so a release puts back what the admins set
now, not what they had set when the bot muted.
"""


from typing import Protocol

from application.commands import MemberStandingChanged
from application.needs import Records, UsesAdmins, UsesClock, UsesGateway, UsesReadModels, UsesStanding
from application.verdicts import observe
from domain.standing import is_group_admin


class Needs(UsesGateway, UsesReadModels, UsesAdmins, UsesClock, UsesStanding, Records, Protocol):
    """What this handler uses of the context (with what the helpers it calls use)."""


async def handle_standing_changed(ctx: Needs, cmd: MemberStandingChanged) -> str:
    if cmd.actor_id == ctx.gateway.bot_id:
        return "own_change"  # what the bot did itself is recorded as its outcome
    await ctx.standing.note(cmd.chat_id, cmd.user_id, cmd.participant)
    admin = is_group_admin(cmd.participant.status)
    ctx.admins.learn(cmd.chat_id, cmd.user_id, admin)
    how = "promoted" if admin else "changed_by_admin"
    await observe(ctx, cmd.chat_id, cmd.user_id, cmd.participant, cmd.participant.status, cmd.actor_id, how)
    return how
