"""Escalation and grace: what the `escalate` action does on a member's n-th offence, and who is only warned.

An offence is a message written while a channel is missing. The admins set the steps
(`/settings escalate warn,mute:1h,kick`); the n-th offence takes the n-th step, and offences past the last
step repeat it. A restriction recorded for anything else (a join, a channel left) applies the step already
reached, or only a warning before any offence: it walks no step, and it never kicks (a member removed may
come back, and is removed again only for a message).

Durations are bounded on both sides: Telegram reads an end date closer than 30 seconds as "no end", so a
shorter timed mute would silently become permanent; and it reads one more than 366 days away as "forever"
too, so a longer one is refused rather than made permanent by surprise.

Grace: a group's members who were in it before /protect are warned but never restricted until the grace
period (counted from the /protect) ends. Who "was here before" is decided by the application, which knows
what the log saw (see docs/scenarios.md): a member the bot saw join after the protection is not.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.errors import GateRuleError

WARN = "warn"
MUTE = "mute"
KICK = "kick"
KINDS = (WARN, MUTE, KICK)

SHORTEST = 30  # seconds: Telegram's floor, below which a restriction has no end
LONGEST = 366 * 24 * 3600  # seconds: beyond it Telegram's end date also means "forever"
MAX_STEPS = 10
DEFAULT_STEPS = "warn,mute:1h,kick"

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DURATION = re.compile(r"^(\d{1,9})([smhdw]?)$")


class EscalationProblem(GateRuleError):
    """A value refused: `code` names the reason for the application's translated answer."""

    def __init__(self, code: str, english: str, **values: object) -> None:
        super().__init__(english)
        self.code = code
        self.values = values


@dataclass(frozen=True)
class Step:
    kind: str  # warn | mute | kick
    seconds: int | None = None  # a mute's length; None: until the member is released

    def __str__(self) -> str:
        return self.kind if self.seconds is None else f"{self.kind}:{format_duration(self.seconds)}"

    def until(self, now: datetime) -> datetime | None:
        return None if self.seconds is None else now + timedelta(seconds=self.seconds)


def parse_duration(raw: str, *, allow_zero: bool = False) -> int:
    """Seconds from "90", "90s", "10m", "1h", "2d", "1w"; within [30 s, 366 d] (0 too when allowed)."""
    text = raw.strip().lower()
    found = _DURATION.match(text)
    if not found:
        raise EscalationProblem("duration_shape", f"'{text[:32]}' is not a duration such as 30s, 10m, 1h or 2d.",
                                value=text[:32])
    seconds = int(found[1]) * _UNITS[found[2] or "s"]
    if allow_zero and seconds == 0:
        return 0
    if seconds < SHORTEST:
        raise EscalationProblem("duration_short", f"{text} is shorter than Telegram's 30 seconds.", value=text)
    if seconds > LONGEST:
        raise EscalationProblem("duration_long", f"{text} is longer than 366 days.", value=text)
    return seconds


def format_duration(seconds: int) -> str:
    for unit, size in (("w", 7 * 86400), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0 and seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def parse_steps(raw: str) -> tuple[Step, ...]:
    """"warn,mute:1h,kick" as steps; a kind alone is a warning, a mute until release, or a kick."""
    parts = [p.strip().lower() for p in raw.replace(" ", ",").split(",") if p.strip()]
    if not parts:
        raise EscalationProblem("steps_empty", "Name at least one step: warn, mute, mute:1h or kick.")
    if len(parts) > MAX_STEPS:
        raise EscalationProblem("steps_many", f"At most {MAX_STEPS} steps.", limit=MAX_STEPS)
    steps = []
    for part in parts:
        kind, sep, length = part.partition(":")
        if kind not in KINDS or (sep and kind != MUTE):
            raise EscalationProblem("step_unknown", f"'{part[:32]}' is not a step (warn, mute, mute:1h, kick).",
                                    value=part[:32])
        steps.append(Step(kind, parse_duration(length) if sep else None))
    return tuple(steps)


def format_steps(steps: tuple[Step, ...]) -> str:
    return ",".join(str(s) for s in steps)


def step_for(steps: tuple[Step, ...], offences: int, offended_now: bool) -> tuple[Step, int]:
    """The step to apply and the offences counted after it. `offences`: those recorded before; a message
    while a channel is missing (`offended_now`) counts one more and walks on; the last step repeats."""
    if offended_now:
        offences += 1
    if offences == 0:
        return Step(WARN), 0
    step = steps[min(offences, len(steps)) - 1]
    if step.kind == KICK and not offended_now:
        return Step(WARN), offences  # removed only for what they did: someone back after a kick may still join
    return step, offences


def in_grace(grace_seconds: int, protected_at: datetime | None, was_here_before: bool, now: datetime) -> bool:
    """A member who was in the group before /protect is only warned until the grace ends."""
    if grace_seconds <= 0 or protected_at is None or not was_here_before:
        return False
    return now < protected_at + timedelta(seconds=grace_seconds)
