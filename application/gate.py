"""The gate itself: check a member against a protected group's channels and record the verdict."""

import logging
from dataclasses import dataclass
from typing import Any

from application.context import GateContext
from application.handlers.bot_rights import note_rights
from application.ports.read_models import GroupView
from application.ports.telegram import Participant, TelegramError
from application.verdicts import change_verdict
from domain import membership_verdict as mv
from domain import subscription
from domain.ids import verdict_stream_id
from domain.settings import GroupSettings

log = logging.getLogger(__name__)

PASSED = "passed"
RESTRICTED = "restricted"
RESTRICTED_UNCHECKED = "restricted_unchecked"  # strict mode: restricted because Telegram did not answer
ALLOWED_ON_FAILURE = "allowed_on_failure"
EXEMPT = "exempt"
NOT_IN_GROUP = "not_in_group"
SUPERSEDED = "superseded"  # a later update told the opposite while this one waited


@dataclass(frozen=True)
class Decision:
    outcome: str
    missing: tuple[int, ...] = ()


@dataclass(frozen=True)
class Enforcement:
    chat_id: int
    member_id: int
    trigger: str  # message | join | channel_left | channel_joined | verify | recheck
    message_id: int | None = None
    fresh: bool = False  # skip the cache: the member says something changed
    must_be_in_group: bool = False  # confirm group membership first (the member did not act in the group)
    observed: tuple[tuple[int, str], ...] = ()  # (channel, status) Telegram just told us: no need to ask
    participant: Participant | None = None  # the member's place in the group the update told: no need to ask


async def enforce(ctx: GateContext, group: GroupView, job: Enforcement) -> Decision:
    settings = GroupSettings.from_dict(group.settings)
    channels = group.channel_ids
    if job.observed:
        # An observed leave decides by itself; channels the cache does not know need not be asked about, and
        # count as neither missing nor failed (a rejoin seen meanwhile must be able to undo the decision).
        result = await ctx.checker.cached(job.member_id, channels)
        result.statuses.update(dict(job.observed))
        result.failures = {}
        missing = result.missing([c for c in channels if c in result.statuses])
    else:
        result = await ctx.checker.check(job.member_id, channels, fresh=job.fresh)
        missing = result.missing(channels)
    blind = [c for c, e in result.failures.items() if e.kind == TelegramError.NOT_ADMIN]
    failed = [c for c, e in result.failures.items() if c not in blind]
    for channel in channels:
        # Telegram answering "not an admin" is how a silent demotion shows; an answer shows it is over.
        if (channel in blind) != (channel in group.blind) and (channel in blind or channel in result.statuses):
            await note_rights(ctx, group.chat_id, channel, is_admin=channel not in blind)
            if channel not in blind:
                await ctx.checker.forget_channel(channel)

    if not missing and failed:
        error = result.failures[failed[0]].kind
        await change_verdict(
            ctx,
            job.chat_id,
            job.member_id,
            lambda v: v.check_failed(failed, error, settings.strict, ctx.clock.now()),
        )
        if not settings.strict:
            return Decision(ALLOWED_ON_FAILURE, tuple(failed))
        decision = await _restrict(ctx, job, settings, mv.CHECK_FAILED, failed, channels)
        return Decision(RESTRICTED_UNCHECKED, decision.missing) if decision.outcome == RESTRICTED else decision
    if missing:
        return await _restrict(ctx, job, settings, mv.NOT_SUBSCRIBED, missing, channels)
    if blind:
        # The bot cannot see these channels: nobody is punished for that, and nobody is released on it.
        view = await ctx.read_models.verdict(job.chat_id, job.member_id)
        if view is not None and view.status == mv.RESTRICTED:
            return Decision(RESTRICTED_UNCHECKED, tuple(blind))
        return Decision(ALLOWED_ON_FAILURE, tuple(blind))
    return await _pass(ctx, job, channels, settings)


async def _pass(ctx: GateContext, job: Enforcement, channels: list[int], settings: GroupSettings) -> Decision:
    view = await ctx.read_models.verdict(job.chat_id, job.member_id)
    if view is not None and view.status == mv.VERIFIED:
        return Decision(PASSED)
    now = ctx.clock.now()
    if view is None and job.trigger == "message":
        _record_first_pass(ctx, job, channels, now)
        return Decision(PASSED)

    def decide(verdict: mv.MembershipVerdict) -> None:
        if verdict.is_restricted:
            verdict.release(_release_how(job.trigger), None, now)
        else:
            verdict.verify(channels, job.trigger, now)

    await change_verdict(ctx, job.chat_id, job.member_id, decide, new=view is None)
    if view is None or view.status != mv.RESTRICTED:
        return Decision(PASSED)
    # A leave told after this update read the cache, and decided while the release was on its way, found
    # the member still restricted and changed nothing: the release must not stand over it. (The release is
    # not recorded under the member lock: a Verify press must not wait behind a warning held back by
    # Telegram's limits.)
    latest = (await ctx.checker.cached(job.member_id, channels)).statuses
    left = [c for c in channels if c in latest and not subscription.is_subscribed(latest[c])]
    if left:
        return await _restrict(ctx, job, settings, mv.NOT_SUBSCRIBED, left, channels)
    return Decision(PASSED)


def _record_first_pass(ctx: GateContext, job: Enforcement, channels: list[int], now: Any) -> None:
    """A member's first message in a group, known subscribed: recorded as verified after the answer.

    Passing does nothing on Telegram, so nothing done waits unrecorded; only the answer stops waiting for
    the log (under load an append waits its turn behind the others of the moment). If a decision about the
    member is recorded first (a leave seen meanwhile), that one stands and this one is dropped; if the log
    cannot be reached, the next message decides again.
    """
    key = (job.chat_id, job.member_id)
    if key in ctx.first_passes:
        return  # the member wrote again before the first was recorded
    ctx.first_passes.add(key)
    made: list[mv.MembershipVerdict] = []

    def create() -> mv.MembershipVerdict:
        made.append(mv.MembershipVerdict(chat_id=job.chat_id, member_id=job.member_id, timestamp=now))
        return made[-1]

    def decide(verdict: mv.MembershipVerdict) -> None:
        if any(verdict is ours for ours in made):  # otherwise the stream already holds a later decision
            verdict.verify(channels, job.trigger, now)

    async def record() -> None:
        try:
            await ctx.change(verdict_stream_id(job.chat_id, job.member_id), create, decide, new=True)
        except Exception as error:  # logged, never lost silently: the member's next message records it
            log.warning("first pass of member %s in chat %s not recorded (%s: %s); their next message decides again",
                        job.member_id, job.chat_id, type(error).__name__, error)
        finally:
            ctx.first_passes.discard(key)

    ctx.run_behind(record())


def _release_how(trigger: str) -> str:
    return {"verify": mv.VERIFY_PRESSED, "channel_joined": mv.CHANNEL_JOIN_OBSERVED}.get(trigger, trigger)


async def _restrict(
    ctx: GateContext, job: Enforcement, settings: GroupSettings, reason: str, missing: list[int], channels: list[int]
) -> Decision:
    # Held from reading the member's rights until the decision is recorded: the reactor holds it while it
    # mutes, so the rights read here are never the bot's own mute, done but not yet recorded.
    async with ctx.member_lock(verdict_stream_id(job.chat_id, job.member_id)):
        return await _restrict_locked(ctx, job, settings, reason, missing, channels)


async def _restrict_locked(
    ctx: GateContext, job: Enforcement, settings: GroupSettings, reason: str, missing: list[int], channels: list[int]
) -> Decision:
    prior: frozenset[str] = frozenset()
    view = await ctx.read_models.verdict(job.chat_id, job.member_id)
    already = view is not None and view.status == mv.RESTRICTED
    if not already:
        participant = job.participant or await _group_participant(ctx, job)
        if participant is not None:
            if participant.status in (subscription.ADMIN, subscription.CREATOR):
                return Decision(EXEMPT)
            if job.must_be_in_group and not subscription.is_subscribed(participant.status):
                return Decision(NOT_IN_GROUP)
            prior = participant.restrictions
        elif job.must_be_in_group:
            return Decision(NOT_IN_GROUP)
    if job.observed:
        # While this update waited (the member's place in the group was asked of Telegram), a later one may
        # have said the member is back: the cache holds the latest status, so it decides.
        latest = (await ctx.checker.cached(job.member_id, missing)).statuses
        missing = [c for c in missing if not subscription.is_subscribed(latest.get(c, subscription.LEFT))]
        if not missing and view is None:
            # The leave was undone meanwhile, and this member, now known to be in the group, was never
            # checked here: the channels the leave did not decide on are checked now.
            missing = (await ctx.checker.check(job.member_id, channels)).missing(channels)
        if not missing:
            return Decision(SUPERSEDED)
    now = ctx.clock.now()
    await change_verdict(
        ctx,
        job.chat_id,
        job.member_id,
        lambda v: v.restrict(reason, missing, job.trigger, settings.action, sorted(prior), job.message_id, now),
        new=view is None,
    )
    return Decision(RESTRICTED, tuple(missing))


async def _group_participant(ctx: GateContext, job: Enforcement) -> Participant | None:
    try:
        return await ctx.gateway.get_participant(job.chat_id, job.member_id)
    except TelegramError:
        return None
