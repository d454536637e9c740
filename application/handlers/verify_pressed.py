"""A member pressed Verify: re-check them afresh and release them if they now follow every channel."""


from typing import Protocol

from application import messages
from application.commands import VerifyPressed
from application.gate import PASSED, RESTRICTED, Enforcement, enforce
from application.gate import Needs as Enforces
from application.languages import for_member
from application.needs import CarriesOut, UsesTokens
from application.urgency import Urgency, urgency
from application.warnings import ANYONE
from domain import membership_verdict as mv


class Needs(Enforces, UsesTokens, CarriesOut, Protocol):
    """What this handler uses of the context (with what the helpers it calls use)."""


async def handle_verify_pressed(ctx: Needs, cmd: VerifyPressed) -> str:
    with urgency(Urgency.USER):  # someone is waiting: the check and the release go before other work
        with messages.speaking(await for_member(ctx, cmd.chat_id, cmd.language)):  # answered to the presser
            answer, outcome = await _decide(ctx, cmd)
        await ctx.gateway.answer_callback(cmd.query_id, answer, alert=True)
    return outcome


async def _decide(ctx: Needs, cmd: VerifyPressed) -> tuple[str, str]:
    token = ctx.tokens.read(cmd.data)
    if token is None or token[0] != cmd.chat_id:
        return messages.BUTTON_INVALID, "invalid"
    chat_id, member_id = token
    if member_id == ANYONE:
        member_id = cmd.user_id  # a shared raid notice: whoever presses is checked
    if member_id != cmd.user_id:
        return messages.BUTTON_NOT_YOURS, "not_yours"
    view = await ctx.read_models.verdict(chat_id, member_id)
    group = await ctx.read_models.group(chat_id)
    if view is not None and view.status != mv.RESTRICTED and view.mute_in_force:
        # Released in the log, but the lift is still owed (under way, or Telegram refused it a moment ago).
        await ctx.carry_out(chat_id, member_id)
        return messages.RELEASED, "released"
    if view is None or view.status != mv.RESTRICTED or group is None or not group.protected:
        return messages.ALREADY_FREE, "already_free"
    if not group.can_enforce:
        return messages.BOT_CANNOT_ACT, "no_rights"
    decision = await enforce(ctx, group, Enforcement(chat_id, member_id, "verify", fresh=True))
    if decision.outcome == PASSED:
        return messages.RELEASED, "released"
    missing = [c for c in group.channels if c.id in decision.missing]
    if decision.outcome != RESTRICTED or not missing:
        return messages.CHECK_UNAVAILABLE, "check_failed"
    return messages.still_missing(missing), "still_missing"
