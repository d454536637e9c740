"""The subscription rule: a member passes only while subscribed to every linked channel."""

from collections.abc import Iterable, Mapping

# Statuses of a person in a channel, as the gate sees them.
CREATOR = "creator"
ADMIN = "admin"
MEMBER = "member"
RESTRICTED = "restricted"  # banned from some rights but still inside: still subscribed
LEFT = "left"
KICKED = "kicked"  # banned or removed by a channel admin
NONE = "none"  # never joined, or a join request still pending

SUBSCRIBED_STATUSES = frozenset({CREATOR, ADMIN, MEMBER, RESTRICTED})
ALL_STATUSES = SUBSCRIBED_STATUSES | {LEFT, KICKED, NONE}


def is_subscribed(status: str) -> bool:
    return status in SUBSCRIBED_STATUSES


def missing_channels(channels: Iterable[int], statuses: Mapping[int, str]) -> list[int]:
    """The linked channels the member is not subscribed to, in the group's order."""
    return [c for c in channels if not is_subscribed(statuses.get(c, NONE))]
