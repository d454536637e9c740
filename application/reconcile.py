"""Bring Telegram in line with one member's verdict, recording each outcome as it happens.

The plan (domain/effects.py) says what is still undone; this carries it out. Every call that changes a
member's standing first knows the member's place in the group (or reads it), so a release never lands
on someone banned and nothing is done to someone who is not there.
"""

from collections.abc import Awaitable, Callable

from application.context import GateContext
from application.ports.telegram import Participant, TelegramError
from application.warning_desk import WarningDesk
from application.warnings import warning_key
from domain import membership_verdict as mv
from domain import subscription as sub
from domain.effects import Plan, WarningStep, plan
from domain.settings import GroupSettings
from domain.standing import Layer, in_group, is_group_admin

Fact = Callable[[mv.MembershipVerdict], None]
Checkpoint = Callable[[mv.MembershipVerdict, list[Fact]], Awaitable[None]]


async def reconcile(
    ctx: GateContext,
    desk: WarningDesk,
    verdict: mv.MembershipVerdict,
    checkpoint: Checkpoint | None = None,
    in_doubt: bool = False,
) -> list[Fact]:
    """Carry out what the verdict still needs; return the facts to record (already applied to it).

    `in_doubt`: the verdict was decided by a process that may have been killed after Telegram carried a
    change out and before its outcome was recorded. Telegram is read first, and a change it already shows
    is recorded as done instead of being made a second time.

    `checkpoint` records the facts so far before a warning is sent: a warning may wait long for its turn
    under Telegram's message limits, and a crash in that wait must not leave a mute done but unrecorded
    (the next start would mute again), nor a warning sent without its intent on record (the next start
    must send it again under the same idempotency key, which Telegram refuses as a duplicate).
    """
    facts: list[Fact] = []

    def record(fact: Fact) -> None:
        fact(verdict)
        facts.append(fact)

    group = await ctx.read_models.group(verdict.chat_id)
    settings = GroupSettings.from_dict(group.settings) if group else GroupSettings()
    step = plan(verdict, settings, ctx.clock.now())
    if step.read_standing:
        if not await _read_standing(ctx, verdict, record):
            return facts  # Telegram did not answer: the next decision about the member tries again
        step = plan(verdict, settings, ctx.clock.now())
    adopted = in_doubt and await _adopt_unrecorded_mute(ctx, verdict, record)
    if adopted:
        step = plan(verdict, settings, ctx.clock.now())  # now the lift the release owes
    elif in_doubt and (step.kick or step.rights is not None):
        step = await _what_is_still_undone(ctx, verdict, step, settings, record)
    if step.kick:
        await _kick(ctx, verdict, record)
        return facts
    if step.rights is not None:
        await _set_rights(ctx, verdict, step, record)
    if step.warning is None or group is None:
        return facts
    if step.warning == WarningStep.REMOVE:
        await desk.remove(verdict, record, reason="released" if not verdict.is_restricted else "not_needed")
        return facts
    key = warning_key(verdict.id, verdict.restricted_version)
    if step.warning == WarningStep.EDIT and await desk.edit(verdict, group, record, key):
        return facts
    if verdict.warning_key != key:
        at = ctx.clock.now()
        record(lambda v: v.warning_intended(key, at))
    if checkpoint is not None and facts:
        await checkpoint(verdict, facts)
    await desk.post(verdict, group, record, key)
    return facts


async def _what_is_still_undone(
    ctx: GateContext, verdict: mv.MembershipVerdict, step: Plan, settings: GroupSettings, record: Callable[[Fact], None]
) -> Plan:
    try:
        found = await ctx.gateway.get_participant(verdict.chat_id, verdict.member_id)
    except TelegramError:
        return step  # no answer: done as planned (a repeat sets the same rights, which Telegram takes as is)
    if not in_group(found.status) or is_group_admin(found.status):
        _observe(ctx, record, found.status, None)  # only their place: the layers the log holds stay
        return plan(verdict, settings, ctx.clock.now())
    if step.rights is not None and _holds(found, step.rights):
        now = ctx.clock.now
        if step.mutes:
            until = step.rights.until
            record(lambda v: v.mute_applied(now(), until))
        else:
            restored = step.rights
            record(lambda v: v.mute_lifted(now(), restored))
        return Plan(warning=step.warning)
    return step


async def _adopt_unrecorded_mute(
    ctx: GateContext, verdict: mv.MembershipVerdict, record: Callable[[Fact], None]
) -> bool:
    """A killed process may have had its mute carried out by Telegram and never recorded; if the member was
    released meanwhile, the log owes them nothing and the mute would stay for good. So a member in doubt who was
    restricted once, is released now and has no mute on record is read: restrictions beyond the admins' own
    layer are the bot's mute, recorded as applied, and the release then lifts it."""
    if verdict.is_restricted or verdict.mute_in_force or not verdict.restricted_version:
        return False
    try:
        found = await ctx.gateway.get_participant(verdict.chat_id, verdict.member_id)
    except TelegramError:
        return False
    if not in_group(found.status) or not set(found.restrictions) - set(verdict.admins_layer.rights):
        return False
    now = ctx.clock.now()
    record(lambda v: v.mute_applied(now))
    return True


def _holds(found: Participant, layer: Layer) -> bool:
    """Telegram holds exactly this set and end already (ends within a second: Telegram keeps whole seconds)."""
    if found.restrictions != layer.rights or (found.until is None) != (layer.until is None):
        return False
    return found.until is None or abs((found.until - layer.until).total_seconds()) < 1


async def _read_standing(ctx: GateContext, verdict: mv.MembershipVerdict, record: Callable[[Fact], None]) -> bool:
    try:
        found: Participant = await ctx.gateway.get_participant(verdict.chat_id, verdict.member_id)
    except TelegramError:
        return False
    _observe(ctx, record, found.status, Layer(found.restrictions, found.until))
    return True


def _observe(ctx: GateContext, record: Callable[[Fact], None], standing: str, layer: Layer | None) -> None:
    at = ctx.clock.now()
    record(lambda v: v.observe(standing, layer, None, "read", at))


async def _kick(ctx: GateContext, verdict: mv.MembershipVerdict, record: Callable[[Fact], None]) -> None:
    now = ctx.clock.now
    try:
        await ctx.gateway.kick(verdict.chat_id, verdict.member_id)
    except TelegramError as error:
        if not _standing_told(ctx, error, record):
            kind = error.kind
            record(lambda v: v.mute_not_applied(kind, now()))
        return
    record(lambda v: v.member_removed(now()))


async def _set_rights(
    ctx: GateContext, verdict: mv.MembershipVerdict, step: Plan, record: Callable[[Fact], None]
) -> None:
    assert step.rights is not None
    now = ctx.clock.now
    try:
        await ctx.gateway.restrict(verdict.chat_id, verdict.member_id, step.rights.rights, step.rights.until)
    except TelegramError as error:
        if _standing_told(ctx, error, record) or not step.mutes:
            return  # a lift that failed stays recorded as owed; the next decision about the member retries
        kind = error.kind
        record(lambda v: v.mute_not_applied(kind, now()))
        return
    if step.mutes:
        until = step.rights.until
        record(lambda v: v.mute_applied(now(), until))
    else:
        restored = step.rights
        record(lambda v: v.mute_lifted(now(), restored))


def _standing_told(ctx: GateContext, error: TelegramError, record: Callable[[Fact], None]) -> bool:
    """Some refusals say where the member stands: they are recorded as such, not as failures."""
    if error.kind == TelegramError.TARGET_IS_ADMIN:
        _observe(ctx, record, sub.ADMIN, Layer())
        return True
    if error.kind == TelegramError.NOT_PARTICIPANT:
        _observe(ctx, record, sub.NONE, None)
        return True
    return False
