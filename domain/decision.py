"""What the gate does with one member, given what is known: a pure function of the facts.

The application gathers the facts (the member's place in the group, their status in each channel or why
Telegram could not say, the group's settings and blind channels) and carries the decision out; the rules
themselves live here, where property tests can hold them to their invariants:
- someone who is not in the group is never acted on, and the group's admins are never gated;
- a member the admins exempted is never restricted (only released from the bot's own mute);
- a check that failed for a transient reason restricts only in strict mode; one the bot cannot make
  (it is no admin of the channel) never restricts anyone;
- a channel the bot cannot see is not required while it cannot see it: nobody is punished for it, and
  members it alone kept restricted are released when the group is re-decided (the gate itself, on a
  message, leaves a restriction as it is: "unseen").
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain import escalation
from domain.settings import GroupSettings
from domain.standing import in_group, is_group_admin
from domain.subscription import is_subscribed


class Failure(StrEnum):
    """Why Telegram gave no status (the same words as the Telegram port's error kinds)."""

    FLOOD_WAIT = "flood_wait"
    TIMEOUT = "timeout"
    INTERNAL = "internal"
    NOT_ADMIN = "not_admin"
    NOT_FOUND = "not_found"


TRANSIENT = frozenset({Failure.FLOOD_WAIT, Failure.TIMEOUT, Failure.INTERNAL})


class Outcome(StrEnum):
    PASS = "passed"
    RESTRICT = "restricted"
    ALLOW_ON_FAILURE = "allowed_on_failure"  # lenient mode: Telegram could not answer, the member writes
    UNSEEN = "unseen"  # nothing missing where the bot can see; some channel it cannot see (never punished)
    EXEMPT = "exempt"
    EXEMPTED = "exempted"  # an admin exempted the member (/exempt): never restricted, the bot's mute released
    NOT_IN_GROUP = "not_in_group"


class Reason(StrEnum):
    NOT_SUBSCRIBED = "not_subscribed"
    CHECK_FAILED = "check_failed"


@dataclass(frozen=True)
class Facts:
    channels: Sequence[int]  # the channels the group requires, in its order
    statuses: Mapping[int, str]  # what is known of the member in each channel
    failures: Mapping[int, str]  # channels Telegram gave no status for, and why
    settings: GroupSettings
    blind: frozenset[int] = frozenset()  # channels the bot has lost sight of
    standing: str | None = None  # the member's place in the group; None: not read
    is_bot: bool = False
    exempted: bool = False  # on the group's exemption list


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    missing: tuple[int, ...] = ()
    reason: Reason | None = None


def decide(facts: Facts) -> Decision:
    if is_group_admin(facts.standing):
        return Decision(Outcome.EXEMPT)
    if not in_group(facts.standing):
        return Decision(Outcome.NOT_IN_GROUP)
    if facts.exempted:
        return Decision(Outcome.EXEMPTED)
    if facts.is_bot and not facts.settings.gate_bots:
        return Decision(Outcome.EXEMPT)  # bots cannot join channels: gating them only silences them
    unseen = tuple(c for c in facts.channels if _unseeable(facts, c))
    required = [c for c in facts.channels if c not in unseen]
    missing = tuple(c for c in required if c in facts.statuses and not is_subscribed(facts.statuses[c]))
    if missing:
        return Decision(Outcome.RESTRICT, missing, Reason.NOT_SUBSCRIBED)
    failed = tuple(c for c in required if facts.failures.get(c) in TRANSIENT)
    if failed:
        if facts.settings.strict:
            return Decision(Outcome.RESTRICT, failed, Reason.CHECK_FAILED)
        return Decision(Outcome.ALLOW_ON_FAILURE, failed)
    if unseen:
        return Decision(Outcome.UNSEEN, unseen)
    return Decision(Outcome.PASS)


def _unseeable(facts: Facts, channel: int) -> bool:
    """The bot cannot see the channel: Telegram refused to say (it is no admin there), or the group's log
    says it lost sight and no answer about this member shows otherwise."""
    if channel in facts.blind and channel not in facts.statuses:
        return True  # only an answer shows sight is back; a failure, even a passing one, does not
    failure = facts.failures.get(channel)
    return failure is not None and failure not in TRANSIENT



@dataclass(frozen=True)
class Sanction:
    """What a restriction does to the member: the action recorded, and under `escalate` the offences
    counted and a timed mute's end."""

    action: str  # mute | delete-only | kick | warn
    offences: int | None = None  # None: not escalating (the log keeps no count)
    until: datetime | None = None


def sanction(
    settings: GroupSettings, offences: int, offended_now: bool, in_grace: bool, now: datetime
) -> Sanction:
    """The action for a restriction the gate decided (`decide` said RESTRICT; nobody else is sanctioned).

    In grace the member is only warned (nothing walks: the grace is no offence of theirs). Under
    `escalate` the member's offences walk the admins' steps (domain/escalation.py)."""
    if in_grace:
        return Sanction(escalation.WARN, offences if settings.action == "escalate" else None)
    if settings.action != "escalate":
        return Sanction(settings.action)
    step, counted = escalation.step_for(escalation.parse_steps(settings.escalate), offences, offended_now)
    return Sanction(step.kind, counted, step.until(now) if step.kind == escalation.MUTE else None)


def redecided(settings: GroupSettings, recorded: str, offences: int, until: datetime | None) -> Sanction:
    """The action a member keeps when a change to the group (a channel linked or unlinked, a setting)
    re-decides them: under `escalate`, the step they reached (a re-decision is no offence of theirs)."""
    if settings.action == "escalate" and recorded in escalation.KINDS:
        return Sanction(recorded, offences, until)
    return Sanction(settings.action)
