"""Which partition an update belongs to, and which worker owns which partition.

Updates about one member go to one partition, so a member's updates stay in order wherever they are
handled, while a raid (many members) spreads over every partition. Updates about a whole group or channel
(no member: the bot's rights, a channel's details, the bot's own messages seen again) go to the control
partition, which is leased like the others: exactly one worker handles each of them.

The member id, not the (group, member) stream, is the key: a channel leave names a member and a channel, not
a group, and decides the member in every group linked to that channel; all of those must be one worker's.

Pure functions: the partition a member maps to never depends on how many workers run (only on the fixed
partition count), so workers joining or leaving move whole partitions, never single members.
"""

import hashlib
from contextvars import ContextVar
from typing import Any

from application import commands as c

PARTITIONS = 16
CONTROL = "control"

Partition = int | str  # 0..PARTITIONS-1, or CONTROL


def partition_of(member_id: int, partitions: int = PARTITIONS) -> int:
    """A stable hash (not Python's salted `hash`): every process must agree."""
    digest = hashlib.blake2b(str(member_id).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % partitions


def member_of(command: Any) -> int | None:
    """The member a command is about, or None for a group- or channel-level command."""
    match command:
        case c.GroupMessage(sender=sender):
            return sender.peer_id
        case c.MemberJoined(user_id=user) | c.MemberLeft(user_id=user) | c.MemberStandingChanged(user_id=user):
            return user
        case c.JoinRequested(user_id=user) | c.ChannelMembershipChanged(user_id=user) | c.VerifyPressed(user_id=user):
            return user
    return None  # WarningSeen, ChannelChanged, BotRightsChanged


def route(command: Any, partitions: int = PARTITIONS) -> Partition:
    member = member_of(command)
    return CONTROL if member is None else partition_of(member, partitions)


def all_partitions(partitions: int = PARTITIONS) -> list[Partition]:
    return [*range(partitions), CONTROL]


def assignment(workers: list[str], partitions: int = PARTITIONS) -> dict[str, list[Partition]]:
    """Who should own what, given the live workers: round robin over the sorted names, so every worker
    computes the same answer from the same membership, and each owns within one of the others' share."""
    live = sorted(set(workers))
    owned: dict[str, list[Partition]] = {w: [] for w in live}
    if not live:
        return owned
    for index, partition in enumerate(all_partitions(partitions)):
        owned[live[index % len(live)]].append(partition)
    return owned


# The partition whose work the current task does: a worker sets it around each update it handles and each
# member the reactor carries out, and the Telegram calls made meanwhile carry that partition's lease token,
# so the gateway refuses them once the partition has moved to another worker. None: not a partition's work.
current_partition: ContextVar[Partition | None] = ContextVar("current_partition", default=None)
