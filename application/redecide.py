"""One restricted member decided again after a change to their group (see sweeper.py).

What the member was restricted for is known from the log; only channels their restriction never looked
at (a channel linked since) are checked, through the cache first. Nothing is recorded when the decision
stands, so running this twice changes nothing.
"""


from datetime import datetime
from typing import Protocol

from application.needs import Records, UsesChecker, UsesClock, UsesGateway, UsesReadModels
from application.ports.read_models import GroupView
from application.verdicts import change_verdict
from domain import decision as rules
from domain import membership_verdict as mv
from domain import subscription
from domain.decision import Failure
from domain.settings import GroupSettings


class Needs(UsesGateway, UsesReadModels, UsesChecker, UsesClock, Records, Protocol):
    """What re-deciding a member after a change to their group uses of the context."""


RELEASED_HOW = {"group_unprotected": mv.GROUP_UNPROTECTED, "channel_unlinked": mv.CHANNEL_UNLINKED}


async def redecide(ctx: Needs, group: GroupView, member_id: int, trigger: str, by: int | None) -> str:
    view = await ctx.read_models.verdict(group.chat_id, member_id)
    if view is None or view.status != mv.RESTRICTED:
        return "unchanged"
    settings = GroupSettings.from_dict(group.settings)
    how = RELEASED_HOW.get(trigger, mv.REDECIDED)
    now = ctx.clock.now()
    if not group.protected:
        await change_verdict(ctx, group.chat_id, member_id, lambda v: v.release(how, by, now))
        return "released"
    if view.reason == mv.SEND_AS_CHANNEL and member_id not in group.exempt:
        # No subscription to look at: only the action applied to it may have changed.
        await change_verdict(
            ctx, group.chat_id, member_id,
            lambda v: v.is_restricted and v.restrict(mv.SEND_AS_CHANNEL, [], trigger, settings.action, None, None, now),
        )
        return "restricted"
    decision = rules.decide(await _facts(ctx, group, settings, view, trigger))
    if decision.outcome == rules.Outcome.RESTRICT:
        missing, reason = list(decision.missing), decision.reason or rules.Reason.NOT_SUBSCRIBED
        await change_verdict(
            ctx, group.chat_id, member_id,
            # Only while still restricted: a Verify press may have released the member since the view was read.
            lambda v: v.is_restricted and _restrict(v, settings, reason, missing, trigger, now),
        )
        return "restricted"
    if decision.outcome == rules.Outcome.EXEMPTED:
        # Only the bot's own layer goes: the reactor's lift puts back exactly what the admins had set.
        await change_verdict(ctx, group.chat_id, member_id, lambda v: v.release(mv.EXEMPTED, by, now))
        return "released"
    if decision.outcome in (rules.Outcome.PASS, rules.Outcome.ALLOW_ON_FAILURE, rules.Outcome.UNSEEN):
        await change_verdict(ctx, group.chat_id, member_id, lambda v: v.release(how, by, now))
        return "released"
    return "unchanged"  # out of the group, or an admin now: nothing is done to them


async def _facts(
    ctx: Needs, group: GroupView, settings: GroupSettings, view, trigger: str
) -> rules.Facts:
    statuses: dict[int, str] = {}
    failures: dict[int, str] = {}
    for channel in view.missing:
        if view.reason == mv.CHECK_FAILED:
            failures[channel] = Failure.TIMEOUT  # Telegram could not answer for it: still unknown
        else:
            statuses[channel] = subscription.LEFT
    if trigger == "channel_linked":
        unseen = [c for c in group.channel_ids if c not in view.missing]
        result = await ctx.checker.check(view.member_id, unseen)
        statuses.update(result.statuses)
        failures.update({c: e.kind for c, e in result.failures.items()})
    return rules.Facts(
        channels=group.channel_ids,
        statuses=statuses,
        failures=failures,
        settings=settings,
        blind=frozenset(group.blind),
        standing=view.standing,
        exempted=view.member_id in group.exempt,
    )


def _restrict(v: mv.MembershipVerdict, settings: GroupSettings, reason: str, missing: list, trigger: str,
              now: datetime) -> bool:
    what = rules.redecided(settings, v.action, v.offences, v.mute_until)
    return v.restrict(reason, missing, trigger, what.action, None, None, now, offences=what.offences,
                      until=what.until)
