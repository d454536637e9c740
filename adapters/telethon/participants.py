"""Telegram's participant objects and banned rights, in the gate's vocabulary (domain.subscription)."""

import inspect
import logging
from datetime import datetime

from telethon import types

from application.ports.telegram import Participant
from domain import subscription as sub

log = logging.getLogger(__name__)
FOREVER_YEAR = 2038  # Telegram writes "no end" as 0 or 2^31-1 seconds (January 2038)

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


ADMIN_FLAGS: tuple[str, ...] = tuple(
    name for name in inspect.signature(types.ChatAdminRights.__init__).parameters if name != "self"
)


def admin_rights_of(participant) -> frozenset[str] | None:
    """The admin rights a ChannelParticipantAdmin or Creator holds (ChatAdminRights names); None for anyone else."""
    if not isinstance(participant, types.ChannelParticipantAdmin | types.ChannelParticipantCreator):
        return None
    rights = participant.admin_rights
    return frozenset(name for name in ADMIN_FLAGS if getattr(rights, name, None))


def banned_rights(restrictions: frozenset[str], until: datetime | None = None) -> types.ChatBannedRights:
    """The full rights object for exactly this set: every other flag False, ending at `until` (None: never).

    An empty set clears every per-member restriction, so the group's default permissions apply again.
    """
    unknown = set(restrictions) - set(RIGHT_FLAGS)
    if unknown:
        raise ValueError(f"not Telegram banned rights: {sorted(unknown)}")
    return types.ChatBannedRights(until_date=until, **{name: name in restrictions for name in RIGHT_FLAGS})


def until_of(rights) -> datetime | None:
    """When a ChatBannedRights ends; None when it does not (Telegram sends 0 or a far date for "forever")."""
    until = getattr(rights, "until_date", None)
    if not isinstance(until, datetime) or until.timestamp() <= 0 or until.year >= FOREVER_YEAR:
        return None
    return until


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
    """The participant as the gate sees it; a leaver keeps the restrictions Telegram keeps for them."""
    if isinstance(participant, types.ChannelParticipantBanned):
        rights = participant.banned_rights
        return Participant(status_of(participant), restrictions_of(rights), until_of(rights))
    return Participant(status_of(participant))


def participant_user(participant) -> int | None:
    """The person a ChannelParticipant* is about: banned and left entries name a peer, the others a user id;
    None for a channel (a send-as channel restricted in a group is no member)."""
    user = getattr(participant, "user_id", None)
    if user is not None:
        return user
    return getattr(getattr(participant, "peer", None), "user_id", None)
