"""The gate itself: gather what is known of a member, let the domain decide, and record the verdict.

The rules are `domain.decision.decide`; this module does the I/O around them: the channel statuses (the
cache, or Telegram), the member's place in the group (from the update, the log, or one read when the
gate is about to restrict and does not know it), the member lock, and the recording.
"""

import logging
from dataclasses import dataclass, replace
from typing import Any, Protocol

from application.handlers.bot_rights import note_rights
from application.membership_checker import CheckResult
from application.needs import (
    Records,
    RecordsBehind,
    UsesAdmins,
    UsesChecker,
    UsesClock,
    UsesGateway,
    UsesMemberLocks,
    UsesReadModels,
    UsesRepository,
    UsesStanding,
)
from application.ports.read_models import GroupView
from application.ports.telegram import Participant, TelegramError
from application.verdicts import change_verdict, contradicts_bot_mute
from domain import decision as rules
from domain import membership_verdict as mv
from domain import subscription
from domain.escalation import in_grace
from domain.ids import group_stream_id, verdict_stream_id
from domain.settings import GroupSettings
from domain.standing import Layer, in_group


class Needs(
    UsesGateway, UsesReadModels, UsesChecker, UsesAdmins, UsesClock, UsesMemberLocks, Records, RecordsBehind,
    UsesRepository, UsesStanding, Protocol,
):
    """What deciding about a member uses of the context (with what the helpers it calls use)."""


log = logging.getLogger(__name__)

PASSED = rules.Outcome.PASS.value
RESTRICTED = rules.Outcome.RESTRICT.value
RESTRICTED_UNCHECKED = "restricted_unchecked"  # strict mode: restricted because Telegram did not answer
ALLOWED_ON_FAILURE = rules.Outcome.ALLOW_ON_FAILURE.value
EXEMPT = rules.Outcome.EXEMPT.value
EXEMPTED = rules.Outcome.EXEMPTED.value
NOT_IN_GROUP = rules.Outcome.NOT_IN_GROUP.value
SUPERSEDED = "superseded"  # a later update told the opposite while this one waited
# How the gate learnt a member's place, as the log records it: read from Telegram, or from the group's directory.
READ, LISTED = "read", "listed"


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
    # The member's later messages decided with this one (queued behind it): each is its own offence and its own
    # restriction in the log, recorded in one append.
    more_messages: tuple[int, ...] = ()
    fresh: bool = False  # skip the cache: the member says something changed
    must_be_in_group: bool = False  # confirm group membership first (the member did not act in the group)
    observed: tuple[tuple[int, str], ...] = ()  # (channel, status) Telegram just told us: no need to ask
    participant: Participant | None = None  # the member's place in the group the update told: no need to ask
    name: str = ""  # the member's display name, kept in the log for their warnings
    language: str = ""  # the member's language as Telegram told it (lang_code), kept for their warnings
    is_bot: bool = False


async def enforce(ctx: Needs, group: GroupView, job: Enforcement) -> Decision:
    settings = GroupSettings.from_dict(group.settings)
    channels = group.channel_ids
    view = await ctx.read_models.verdict(job.chat_id, job.member_id)
    if view is not None and view.recheck and not job.fresh and not job.observed:
        # An admin freed the member with /release, which remembers nothing: this check decides again, and
        # asks Telegram, since the cache may still hold the status that got them muted (a member who did
        # join, still asked). Marking the verdict rather than forgetting the cache keeps it to this member
        # and right across processes and restarts; the verdict this check records clears the mark.
        job = replace(job, fresh=True)
    result = await _statuses(ctx, job, channels)
    await _note_sight(ctx, group, result)
    standing = job.participant.status if job.participant is not None else (view.standing if view else None)
    if job.trigger == "message" and not in_group(standing):
        standing = None  # the member just wrote, so they are in the group whatever the log last heard
    decision = rules.decide(_facts(group, settings, result, standing, job.is_bot, job.member_id in group.exempt))
    if decision.reason == rules.Reason.CHECK_FAILED or decision.outcome == rules.Outcome.ALLOW_ON_FAILURE:
        failed, error = list(decision.missing), result.failures[decision.missing[0]].kind
        await change_verdict(
            ctx, job.chat_id, job.member_id, lambda v: v.check_failed(failed, error, settings.strict, ctx.clock.now())
        )
    if decision.outcome == rules.Outcome.RESTRICT:
        restricted = await _restrict(ctx, job, group, settings, result, decision)
        if restricted.outcome == RESTRICTED and decision.reason == rules.Reason.CHECK_FAILED:
            return Decision(RESTRICTED_UNCHECKED, restricted.missing)
        return restricted
    if decision.outcome == rules.Outcome.PASS:
        return await _pass(ctx, job, group, settings)
    if decision.outcome == rules.Outcome.EXEMPTED and view is not None and view.status == mv.RESTRICTED:
        # An exemption the sweeper has not reached yet (or recorded while this restriction was being decided):
        # the member is released here rather than left muted.
        now = ctx.clock.now()
        await change_verdict(ctx, job.chat_id, job.member_id, lambda v: v.release(mv.EXEMPTED, None, now))
    if decision.outcome == rules.Outcome.UNSEEN:
        # The bot cannot see these channels: nobody is punished for that, and nobody is released on it here.
        held = view is not None and view.status == mv.RESTRICTED
        return Decision(RESTRICTED_UNCHECKED if held else ALLOWED_ON_FAILURE, decision.missing)
    return Decision(decision.outcome.value, decision.missing)


async def _statuses(ctx: Needs, job: Enforcement, channels: list[int]) -> CheckResult:
    if not job.observed:
        return await ctx.checker.check(job.member_id, channels, fresh=job.fresh)
    # An observed leave decides by itself; channels the cache does not know need not be asked about, and
    # count as neither missing nor failed (a rejoin seen meanwhile must be able to undo the decision).
    result = await ctx.checker.cached(job.member_id, channels)
    result.statuses.update(dict(job.observed))
    result.failures = {}
    return result


async def _note_sight(ctx: Needs, group: GroupView, result: CheckResult) -> None:
    """Telegram answering "not an admin" is how a silent demotion shows; an answer shows it is over."""
    blind = {c for c, e in result.failures.items() if e.kind == TelegramError.NOT_ADMIN}
    for channel in group.channel_ids:
        if (channel in blind) != (channel in group.blind) and (channel in blind or channel in result.statuses):
            await note_rights(ctx, group.chat_id, channel, is_admin=channel not in blind)
            if channel not in blind:
                await ctx.checker.forget_channel(channel)


def _facts(
    group: GroupView, settings: GroupSettings, result: CheckResult, standing: str | None, is_bot: bool,
    exempted: bool = False,
) -> rules.Facts:
    return rules.Facts(
        channels=group.channel_ids,
        statuses=result.statuses,
        failures={c: e.kind for c, e in result.failures.items()},
        settings=settings,
        blind=frozenset(group.blind),
        standing=standing,
        is_bot=is_bot,
        exempted=exempted,
    )


async def _pass(ctx: Needs, job: Enforcement, group: GroupView, settings: GroupSettings) -> Decision:
    channels = group.channel_ids
    view = await ctx.read_models.verdict(job.chat_id, job.member_id)
    if view is not None and view.status == mv.VERIFIED:
        return Decision(PASSED)
    now = ctx.clock.now()
    if view is None and job.trigger == "message":
        _record_first_pass(ctx, job, channels, now)
        return Decision(PASSED)

    def decide(verdict: mv.MembershipVerdict) -> None:
        verdict.name_known(job.name, now)
        verdict.language_known(job.language, now)
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
    left = tuple(c for c in channels if c in latest and not subscription.is_subscribed(latest[c]))
    if left:
        decision = rules.Decision(rules.Outcome.RESTRICT, left, rules.Reason.NOT_SUBSCRIBED)
        return await _restrict(ctx, job, group, settings, CheckResult(statuses=dict(latest)), decision)
    return Decision(PASSED)


def _record_first_pass(ctx: Needs, job: Enforcement, channels: list[int], now: Any) -> None:
    """A member's first message in a group, known subscribed: recorded as verified after the answer.

    Passing does nothing on Telegram, so nothing done waits unrecorded; only the answer stops waiting for
    the log (under load an append waits its turn behind the others of the moment). If a decision about the
    member is recorded first (a leave seen meanwhile), that one stands and this one is dropped; if the log
    cannot be reached, the next message decides again.
    """
    if not ctx.first_passes.claim(job.chat_id, job.member_id):
        return  # the member wrote again before the first was recorded
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
            ctx.first_passes.release(job.chat_id, job.member_id)

    ctx.behind.run(record())


def _release_how(trigger: str) -> str:
    return {"verify": mv.VERIFY_PRESSED, "channel_joined": mv.CHANNEL_JOIN_OBSERVED}.get(trigger, trigger)


async def _restrict(
    ctx: Needs, job: Enforcement, group: GroupView, settings: GroupSettings, result: CheckResult,
    decision: rules.Decision,
) -> Decision:
    # Held from reading the member's rights until the decision is recorded: the reactor holds it while it
    # mutes, so the rights read here are never the bot's own mute, done but not yet recorded.
    async with ctx.member_lock(verdict_stream_id(job.chat_id, job.member_id)):
        return await _restrict_locked(ctx, job, group, settings, result, decision)


async def _restrict_locked(
    ctx: Needs, job: Enforcement, group: GroupView, settings: GroupSettings, result: CheckResult,
    decision: rules.Decision,
) -> Decision:
    view = await ctx.read_models.verdict(job.chat_id, job.member_id)
    participant, how = job.participant, job.trigger
    if participant is None and (view is None or view.standing is None or not in_group(view.standing)
                                or view.status != mv.RESTRICTED or job.must_be_in_group):
        # Telegram is the truth of the member's place: read before acting on someone the log does not place,
        # unless the group's standing directory, complete and current, tells it for a member who just wrote.
        participant, how = (await _listed(ctx, job) if view is None else None), LISTED
        if participant is None:
            participant, how = await _group_participant(ctx, job), READ
        if participant is None and job.must_be_in_group:
            return Decision(NOT_IN_GROUP)
    if participant is not None:
        standing = rules.decide(
            _facts(group, settings, result, participant.status, job.is_bot)
        )
        if standing.outcome in (rules.Outcome.EXEMPT, rules.Outcome.NOT_IN_GROUP):
            await _note_standing(ctx, job, participant, view, how)
            return Decision(standing.outcome.value)
    missing = list(decision.missing)
    if job.observed:
        superseded = await _leave_superseded(ctx, job, missing, group.channel_ids, view)
        if superseded is not None:
            missing = superseded
        if not missing:
            return Decision(SUPERSEDED)
    now = ctx.clock.now()
    layer = Layer(participant.restrictions, participant.until) if participant is not None else Layer()
    reason = decision.reason or rules.Reason.NOT_SUBSCRIBED

    read_now = how == READ  # what the bot just read is current; an update's picture may predate its mute
    protected_at = await _protected_at(ctx, job.chat_id) if settings.grace > 0 else None

    def decide(verdict: mv.MembershipVerdict) -> None:
        # An update's own picture of the member that shows the bot's mute gone may be older than the mute (a
        # join delivered again after a restart): only a read, or the participant updates' own check, may say so.
        if participant is not None and (read_now or not contradicts_bot_mute(verdict, participant)):
            verdict.observe(participant.status, layer, None, how, now)
        verdict.name_known(job.name, now)
        verdict.language_known(job.language, now)
        # Without a look at Telegram the admins' layer the log holds stays as it is.
        prior = sorted(layer.rights) if participant is not None else None
        # A member the log saw join since the /protect is new; anyone else was here before it.
        here_before = (verdict.joined_at is None and job.trigger != "join") or (
            protected_at is not None and verdict.joined_at is not None and verdict.joined_at < protected_at
        )
        grace = in_grace(settings.grace, protected_at, here_before, now)
        prior_until = layer.until
        for message_id in (job.message_id, *job.more_messages):
            what = rules.sanction(settings, verdict.offences, job.trigger == "message", grace, now)
            verdict.restrict(reason, missing, job.trigger, what.action, prior, message_id, now,
                             prior_until=prior_until, offences=what.offences, until=what.until)
            # Each later message is decided as if alone after this one: the admins' layer was read only once.
            prior, prior_until = None, None

    await change_verdict(ctx, job.chat_id, job.member_id, decide, new=view is None)
    return Decision(RESTRICTED, tuple(missing))


async def _leave_superseded(
    ctx: Needs, job: Enforcement, missing: list[int], channels: list[int], view: Any
) -> list[int] | None:
    """While this observed leave waited (the member's place in the group was asked of Telegram), a later
    update may have said the member is back: the cache holds the latest status, so it decides."""
    latest = (await ctx.checker.cached(job.member_id, missing)).statuses
    still = [c for c in missing if not subscription.is_subscribed(latest.get(c, subscription.LEFT))]
    if not still and view is None:
        # The leave was undone meanwhile, and this member, now known to be in the group, was never checked
        # here: the channels the leave did not decide on are checked now.
        return (await ctx.checker.check(job.member_id, channels)).missing(channels)
    return still


async def _note_standing(ctx: Needs, job: Enforcement, participant: Participant, view: Any, how: str) -> None:
    """A member the log knows is now seen out of the group, or an admin: the log learns it (no one else)."""
    if view is None:
        return
    now = ctx.clock.now()
    layer = Layer(participant.restrictions, participant.until)
    await change_verdict(
        ctx, job.chat_id, job.member_id, lambda v: v.observe(participant.status, layer, None, how, now)
    )


async def _protected_at(ctx: Needs, chat_id: int) -> Any:
    """When the group was last protected (a grace period counts from it); read only when a grace is set."""
    group = await ctx.repository.get(group_stream_id(chat_id))
    return getattr(group, "protected_at", None)


async def _listed(ctx: Needs, job: Enforcement) -> Participant | None:
    """A first-seen member's place from the group's standing directory: only for one who just wrote (so is in
    the group), and only while the directory is complete; a directory found in doubt is filled behind."""
    if job.trigger != "message" or job.must_be_in_group:
        return None
    found = await ctx.standing.known(job.chat_id, job.member_id)
    if found is None and ctx.standing.needs_fill(job.chat_id):
        ctx.behind.run(ctx.standing.fill(job.chat_id))
    return found


async def _group_participant(ctx: Needs, job: Enforcement) -> Participant | None:
    try:
        return await ctx.gateway.get_participant(job.chat_id, job.member_id)
    except TelegramError:
        return None
