"""Recording decisions about one member, with the retry that concurrent updates need."""

from typing import Any, Protocol

from application.needs import Records, UsesClock, UsesGateway, UsesReadModels
from application.ports.telegram import Participant, TelegramError
from domain.ids import verdict_stream_id
from domain.membership_verdict import MembershipVerdict
from domain.rights import MUTE
from domain.standing import Layer, in_group, is_group_admin


class Needs(UsesGateway, UsesReadModels, UsesClock, Records, Protocol):
    """What recording a member's verdict and what Telegram showed of them uses of the context."""


async def change_verdict(ctx: Needs, chat_id: int, member_id: int, decide: Any, new: bool = False) -> Any:
    def create() -> MembershipVerdict:
        return MembershipVerdict(chat_id=chat_id, member_id=member_id, timestamp=ctx.clock.now())

    return await ctx.change(verdict_stream_id(chat_id, member_id), create, decide, new=new)


async def observe(
    ctx: Needs, chat_id: int, member_id: int, participant: Participant | None, standing: str, actor: int | None,
    how: str,
) -> Participant | None:
    """The log learns a known member's place in the group as Telegram told it (`participant`: with the
    restrictions Telegram holds; None when the update did not say). Returns the participant recorded.

    Members the log does not know are not recorded: nothing was decided about them, so nothing of theirs
    can be undone wrongly. An update may be older than what the bot did since (updates are delivered
    again after a restart, and handled side by side): one that shows the bot's mute gone, or given an end,
    is checked with a read first, and the read is what is recorded. The contradiction is judged on the
    verdict as the log holds it when the observation is recorded, not on a read model, which may not yet
    show a mute the reactor recorded a moment ago.
    """
    if await ctx.read_models.verdict(chat_id, member_id) is None:
        return participant  # a verdict this process recorded a moment ago may not show yet: skipping is safe
    now = ctx.clock.now()
    try:
        await _record_observation(ctx, chat_id, member_id, participant, standing, actor, how, now)
        return participant
    except _ReadFirst:
        pass
    try:
        participant = await ctx.gateway.get_participant(chat_id, member_id)
    except TelegramError:
        return None  # not recorded: unsure, and acting on a stale view could free a muted member
    await _record_observation(ctx, chat_id, member_id, participant, participant.status, actor, "read", now)
    return participant


async def _record_observation(
    ctx: Needs, chat_id: int, member_id: int, participant: Participant | None, standing: str,
    actor: int | None, how: str, now: Any,
) -> None:
    layer = None if participant is None else Layer(participant.restrictions, participant.until)

    def decide(verdict: MembershipVerdict) -> Any:
        if how != "read" and participant is not None and contradicts_bot_mute(verdict, participant):
            raise _ReadFirst
        return verdict.observe(standing, layer, actor, how, now)

    await change_verdict(ctx, chat_id, member_id, decide)


class _ReadFirst(Exception):
    """The update contradicts the bot's mute as the log holds it: Telegram is read before anything is recorded."""


def contradicts_bot_mute(verdict: MembershipVerdict, participant: Participant) -> bool:
    """Whether `participant`, as an update described the member, shows the bot's recorded mute gone or given an
    end: true of an admin's lift, and of any update older than the mute (delivered again after a restart)."""
    return verdict.mute_in_force and _contradicts_mute(participant)


def _contradicts_mute(participant: Participant) -> bool:
    inside = in_group(participant.status) and not is_group_admin(participant.status)
    return inside and (not participant.restrictions >= MUTE or participant.until is not None)
