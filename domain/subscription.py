"""The subscription rule: a member passes only while subscribed to every linked channel."""

from collections.abc import Iterable, Mapping
from enum import StrEnum


class Status(StrEnum):
    """A person's place in a chat (a channel, or the group itself), as the gate sees it.

    A StrEnum, so a status read back from the log (a plain string) compares equal to its member.
    """

    CREATOR = "creator"
    ADMIN = "admin"
    MEMBER = "member"
    RESTRICTED = "restricted"  # banned from some rights but still inside: still subscribed
    LEFT = "left"
    KICKED = "kicked"  # banned or removed by an admin
    NONE = "none"  # never joined, or a join request still pending


CREATOR = Status.CREATOR
ADMIN = Status.ADMIN
MEMBER = Status.MEMBER
RESTRICTED = Status.RESTRICTED
LEFT = Status.LEFT
KICKED = Status.KICKED
NONE = Status.NONE

SUBSCRIBED_STATUSES = frozenset({CREATOR, ADMIN, MEMBER, RESTRICTED})
ALL_STATUSES = frozenset(Status)


def is_subscribed(status: str) -> bool:
    return status in SUBSCRIBED_STATUSES


def missing_channels(channels: Iterable[int], statuses: Mapping[int, str]) -> list[int]:
    """The linked channels the member is not subscribed to, in the group's order."""
    return [c for c in channels if not is_subscribed(statuses.get(c, NONE))]
