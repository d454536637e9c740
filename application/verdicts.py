"""Recording decisions about one member, with the retry that concurrent updates need."""

from typing import Any

from application.context import GateContext
from application.ports.telegram import Participant, TelegramError
from domain.ids import verdict_stream_id
from domain.membership_verdict import MembershipVerdict
from domain.rights import MUTE
from domain.standing import Layer, in_group, is_group_admin


async def change_verdict(ctx: GateContext, chat_id: int, member_id: int, decide: Any, new: bool = False) -> Any:
    def create() -> MembershipVerdict:
        return MembershipVerdict(chat_id=chat_id, member_id=member_id, timestamp=ctx.clock.now())

    return await ctx.change(verdict_stream_id(chat_id, member_id), create, decide, new=new)


async def observe(
    ctx: GateContext, chat_id: int, member_id: int, participant: Participant | None, standing: str, actor: int | None,
    how: str,
) -> Participant | None:
    """The log learns a known member's place in the group as Telegram told it (`participant`: with the
    restrictions Telegram holds; None when the update did not say). Returns the participant recorded.

    Members the log does not know are not recorded: nothing was decided about them, so nothing of theirs
    can be undone wrongly. An update may be older than what the bot did since (updates are delivered
    again after a restart, and handled side by side): one that shows the bot's mute gone, or given an end,
    is checked with a read first, and the read is what is recorded.
    """
    view = await ctx.read_models.verdict(chat_id, member_id)
    if view is None:
        return participant
    if participant is not None and view.mute_in_force and _contradicts_mute(participant):
        try:
            participant = await ctx.gateway.get_participant(chat_id, member_id)
        except TelegramError:
            return None  # not recorded: unsure, and acting on a stale view could free a muted member
        standing, how = participant.status, "read"
    layer = None if participant is None else Layer(participant.restrictions, participant.until)
    now = ctx.clock.now()
    await change_verdict(ctx, chat_id, member_id, lambda v: v.observe(standing, layer, actor, how, now))
    return participant


def _contradicts_mute(participant: Participant) -> bool:
    inside = in_group(participant.status) and not is_group_admin(participant.status)
    return inside and (not participant.restrictions >= MUTE or participant.until is not None)
