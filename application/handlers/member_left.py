"""Someone left the group, or an admin removed them: a member the log knows is never acted on while out."""


from typing import Protocol

from application.commands import MemberLeft
from application.needs import Records, UsesClock, UsesGateway, UsesReadModels, UsesStanding
from application.ports.telegram import Participant
from application.verdicts import observe
from domain import subscription as sub


class Needs(UsesGateway, UsesReadModels, UsesClock, UsesStanding, Records, Protocol):
    """What this handler uses of the context (with what the helpers it calls use)."""


async def handle_member_left(ctx: Needs, cmd: MemberLeft) -> str:
    if cmd.actor_id is not None and cmd.actor_id == ctx.gateway.bot_id:
        return "own_removal"  # the bot's own kick, already recorded as it happened
    standing = sub.KICKED if cmd.kicked else sub.LEFT
    # The directory learns what the update tells. A plain "left" without the participant may hide restrictions
    # Telegram keeps for the leaver: their entry stays as it was, and comes back true when they do.
    if cmd.participant is not None or cmd.kicked:
        await ctx.standing.note(cmd.chat_id, cmd.user_id, cmd.participant or Participant(standing))
    await observe(ctx, cmd.chat_id, cmd.user_id, cmd.participant, standing, cmd.actor_id, str(standing))
    return "noted"
