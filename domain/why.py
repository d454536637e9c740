"""What a member may learn when they ask why they are muted: a pure function of their own log and a fresh check.

Two rules hold whatever the log says:
- only the member themselves is told anything; anyone else asking learns nothing about them (not even
  whether they are muted);
- the story comes from the log (when the current restriction began, what found it, why), and the
  channels named as missing are those missing now, so the advice is what would actually free them.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.membership_verdict import CHECK_FAILED, SEND_AS_CHANNEL, MembershipVerdict


class Asked(StrEnum):
    NOT_YOURS = "not_yours"  # someone else's warning: nothing is told
    NOT_MUTED = "not_muted"  # the log holds no restriction in force
    MUTED = "muted"


class NextStep(StrEnum):
    JOIN_THEN_VERIFY = "join_then_verify"  # channels are missing: join them, then press Verify
    PRESS_VERIFY = "press_verify"  # nothing is missing any more: a Verify press frees them
    TRY_LATER = "try_later"  # Telegram could not confirm: press Verify in a minute
    WRITE_AS_YOURSELF = "write_as_yourself"  # they wrote as a channel


@dataclass(frozen=True)
class Restriction:
    """The restriction in force, as the member's log tells it."""

    since: datetime  # when it began (a later re-decision keeps this date)
    trigger: str  # what made the bot look at them when it began
    reason: str  # why they are restricted now
    action: str  # mute | delete-only | kick
    missing: tuple[int, ...]  # the channels recorded as missing by the latest decision


@dataclass(frozen=True)
class WhyAnswer:
    asked: Asked
    restriction: Restriction | None = None
    missing_now: tuple[int, ...] = ()
    next_step: NextStep | None = None


def restriction_in_force(events: Iterable[object]) -> Restriction | None:
    """The restriction in force after the member's events, in log order; None when there is none.

    A restriction lasts from the first MemberRestricted after the member was last free until a release or
    removal; decisions in between (a channel unlinked, another left) change its reason and channels, not
    its start.
    """
    current: Restriction | None = None
    for event in events:
        if isinstance(event, MembershipVerdict.MemberRestricted):
            since = current.since if current is not None else event.timestamp
            trigger = current.trigger if current is not None else event.trigger
            current = Restriction(since, trigger, event.reason, event.action, tuple(event.missing))
        elif isinstance(event, MembershipVerdict.MemberReleased | MembershipVerdict.MemberRemoved):
            current = None
    return current


def explain(
    presser: int, member: int, restriction: Restriction | None, missing_now: Sequence[int] | None
) -> WhyAnswer:
    """The answer for `presser` about `member`. `missing_now` is what a fresh check found missing, in the
    group's order; None when Telegram could not say for some channel."""
    if presser != member:
        return WhyAnswer(Asked.NOT_YOURS)
    if restriction is None:
        return WhyAnswer(Asked.NOT_MUTED)
    if restriction.reason == SEND_AS_CHANNEL:
        return WhyAnswer(Asked.MUTED, restriction, (), NextStep.WRITE_AS_YOURSELF)
    if missing_now is None:
        # Telegram did not answer for some channel: the log's channels are the best there is.
        step = NextStep.TRY_LATER if restriction.reason == CHECK_FAILED else NextStep.JOIN_THEN_VERIFY
        return WhyAnswer(Asked.MUTED, restriction, restriction.missing, step)
    if not missing_now:
        return WhyAnswer(Asked.MUTED, restriction, (), NextStep.PRESS_VERIFY)
    return WhyAnswer(Asked.MUTED, restriction, tuple(missing_now), NextStep.JOIN_THEN_VERIFY)
