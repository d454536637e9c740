"""What must happen on Telegram for one member, given their verdict: the difference between what the log
decided and what the log says is done. The reactor carries the plan out and records each outcome, so
planning again after a crash asks only for what is still undone.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain import membership_verdict as mv
from domain.settings import GroupSettings
from domain.standing import SHORTEST_END, Layer, release_layer, timed_mute_layer

# Restrictions recorded by re-deciding members after a change to the group: their live warning is edited
# to name the channels still missing, where a restriction of their own making gets a fresh warning.
REDECIDING_TRIGGERS = frozenset({"channel_unlinked", "channel_linked", "channel_unseen", "setting_changed"})


class WarningStep(StrEnum):
    POST = "post"
    EDIT = "edit"
    REMOVE = "remove"


@dataclass(frozen=True)
class Plan:
    read_standing: bool = False  # the member's place in the group is unknown: read it, then plan again
    rights: Layer | None = None  # set the member's restrictions to exactly this (a mute, or a release)
    kick: bool = False
    warning: WarningStep | None = None

    @property
    def mutes(self) -> bool:
        return self.rights is not None and "send_messages" in self.rights.rights


def plan(verdict: mv.MembershipVerdict, settings: GroupSettings, now: datetime) -> Plan:
    live = verdict.warning_id is not None
    remove = WarningStep.REMOVE if live else None
    if not verdict.in_group:
        # Never acted on: a leaver keeps the bot's mute on Telegram's record until they come back, and a
        # banned member's ban stays exactly as the admins set it. Only the bot's own warning goes.
        return Plan(warning=remove)
    if not verdict.is_restricted:
        rights = release_layer(verdict.admins_layer, now) if verdict.mute_in_force else None
        return _known_standing(verdict, Plan(rights=rights, warning=remove))
    # "escalate" itself is recorded only by re-deciding a group (no offence walked a step): the bot's mute holds.
    action = "mute" if verdict.action == "escalate" else verdict.action
    if action == "kick":
        return _known_standing(verdict, Plan(kick=True))
    rights = None
    # An escalation's timed mute over, or too near its end: Telegram would take the end for "no end".
    ended = verdict.mute_until is not None and verdict.mute_until - now < SHORTEST_END
    if action == "mute" and not verdict.mute_in_force and not ended:
        rights = timed_mute_layer(verdict.admins_layer, verdict.mute_until)
    elif action != "mute" and verdict.mute_in_force:
        rights = release_layer(verdict.admins_layer, now)  # the admins chose another action since
    return _known_standing(verdict, Plan(rights=rights, warning=_warning(verdict, settings)))


def _warning(verdict: mv.MembershipVerdict, settings: GroupSettings) -> WarningStep | None:
    if settings.quiet or verdict.reason == mv.SEND_AS_CHANNEL:
        return WarningStep.REMOVE if verdict.warning_id is not None else None
    if not verdict.needs_warning:
        return None
    own = verdict.warning_id is not None and not verdict.warning_shared
    return WarningStep.EDIT if own and verdict.trigger in REDECIDING_TRIGGERS else WarningStep.POST


def _known_standing(verdict: mv.MembershipVerdict, plan: Plan) -> Plan:
    """A change to the member's restrictions waits for their place in the group to be known: on Telegram a
    release onto someone banned would lift the ban. A send-as channel is no participant; it needs no look."""
    acts = plan.rights is not None or plan.kick
    if acts and verdict.standing is None and not verdict.channel_sender:
        return Plan(read_standing=True)
    return plan
