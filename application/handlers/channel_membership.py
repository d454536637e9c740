"""Telegram told us someone joined, left or was banned from a channel the bot administers."""


from typing import Protocol

from application.commands import ChannelMembershipChanged
from application.gate import Enforcement, enforce
from application.gate import Needs as Enforces
from application.handlers.join_request import decide_join_request
from application.needs import UsesNames
from domain import membership_verdict as mv
from domain import subscription
from domain.ids import verdict_stream_id


class Needs(Enforces, UsesNames, Protocol):
    """What this handler uses of the context (with what the helpers it calls use)."""


async def handle_channel_membership(ctx: Needs, cmd: ChannelMembershipChanged) -> list[str]:
    await ctx.checker.observed(cmd.user_id, cmd.channel_id, cmd.status)
    outcomes = []
    for chat_id in await ctx.read_models.groups_for_channel(cmd.channel_id):
        group = await ctx.read_models.group(chat_id)
        if group is None or not group.protected or cmd.channel_id not in group.channel_ids or not group.can_enforce:
            continue
        async with ctx.member_lock(verdict_stream_id(chat_id, cmd.user_id)):
            # Read after any restriction being decided for this member is recorded: a leave still on its way
            # then either lands first (and this join releases it) or finds this join in the cache and stands down.
            view = await ctx.read_models.verdict(chat_id, cmd.user_id)
        if subscription.is_subscribed(cmd.status):
            if view is not None and view.join_request == "pending":
                outcomes.append(await decide_join_request(ctx, group, cmd.user_id, fresh=False))
            if view is not None and view.status == mv.RESTRICTED:
                job = Enforcement(chat_id, cmd.user_id, "channel_joined")
                outcomes.append((await enforce(ctx, group, job)).outcome)
        else:
            # Only members of the group matter; a member the gate has never seen is looked up first.
            seen = view is not None and view.status in (mv.VERIFIED, mv.RESTRICTED)
            observed = ((cmd.channel_id, cmd.status),)
            job = Enforcement(chat_id, cmd.user_id, "channel_left", must_be_in_group=not seen, observed=observed,
                              name=cmd.name or ctx.names.get(cmd.user_id, ""))
            outcomes.append((await enforce(ctx, group, job)).outcome)
    return outcomes
