"""Telegram's participant objects and banned rights, in the gate's vocabulary (domain.subscription)."""

import inspect
import logging

from telethon import types

from application.ports.telegram import Participant
from domain import subscription as sub

log = logging.getLogger(__name__)

# Every flag ChatBannedRights knows in this layer: read from the constructor so that a flag Telegram
# adds later is neither dropped when reading nor rejected when writing.
RIGHT_FLAGS: tuple[str, ...] = tuple(
    name for name in inspect.signature(types.ChatBannedRights.__init__).parameters if name not in ("self", "until_date")
)


def restrictions_of(rights) -> frozenset[str]:
    """The names of the rights a ChatBannedRights takes away (until_date is not a right)."""
    if not isinstance(rights, types.ChatBannedRights):
        return frozenset()
    return frozenset(name for name in RIGHT_FLAGS if getattr(rights, name, None))


def banned_rights(restrictions: frozenset[str]) -> types.ChatBannedRights:
    """The full rights object for exactly this set: every other flag False, never an expiry.

    An empty set clears every per-member restriction, so the group's default permissions apply again.
    """
    unknown = set(restrictions) - set(RIGHT_FLAGS)
    if unknown:
        raise ValueError(f"not Telegram banned rights: {sorted(unknown)}")
    return types.ChatBannedRights(until_date=None, **{name: name in restrictions for name in RIGHT_FLAGS})


def status_of(participant) -> str:
    """The subscription status a ChannelParticipant* object stands for; unknown objects count as none."""
    if participant is None:
        return sub.NONE
    if isinstance(participant, types.ChannelParticipantCreator):
        return sub.CREATOR
    if isinstance(participant, types.ChannelParticipantAdmin):
        return sub.ADMIN
    if isinstance(participant, types.ChannelParticipant | types.ChannelParticipantSelf):
        return sub.MEMBER
    if isinstance(participant, types.ChannelParticipantBanned):
        if not participant.left:
            return sub.RESTRICTED  # restricted but still inside: still subscribed
        rights = participant.banned_rights
        return sub.KICKED if getattr(rights, "view_messages", False) else sub.LEFT
    if isinstance(participant, types.ChannelParticipantLeft):
        return sub.LEFT
    # A type from a newer layer: "none" fails closed (not subscribed) instead of crashing the caller.
    log.warning("unknown participant type %s counted as not subscribed", type(participant).__name__)
    return sub.NONE


def to_participant(participant) -> Participant:
    restrictions = frozenset()
    if isinstance(participant, types.ChannelParticipantBanned) and not participant.left:
        restrictions = restrictions_of(participant.banned_rights)
    return Participant(status_of(participant), restrictions)
