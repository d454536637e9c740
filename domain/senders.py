"""Who wrote a message, and which senders the gate never stops."""

from dataclasses import dataclass

USER = "user"
ANONYMOUS_ADMIN = "anonymous_admin"  # an admin writing as the group itself
LINKED_CHANNEL = "linked_channel"  # the linked channel's post auto-forwarded into its discussion group
SEND_AS_CHANNEL = "send_as_channel"  # a person writing as one of their own channels
SERVICE = "service"


@dataclass(frozen=True)
class Sender:
    kind: str
    peer_id: int  # the user id, or the channel id for channel senders

    @property
    def is_person(self) -> bool:
        return self.kind == USER


def exemption(
    sender: Sender,
    group_admins: frozenset[int],
    linked_channels: frozenset[int],
    exempted: frozenset[int] = frozenset(),
) -> str | None:
    """Why this sender may write without a subscription check, or None when the gate applies.

    A send-as channel is exempt only when it is one of the group's own linked channels: any other
    channel would let a person bypass the gate simply by choosing to write as it.
    """
    if sender.kind in (ANONYMOUS_ADMIN, LINKED_CHANNEL, SERVICE):
        return sender.kind
    if sender.kind == SEND_AS_CHANNEL:
        return "linked_channel" if sender.peer_id in linked_channels else None
    if sender.peer_id in group_admins:
        return "group_admin"
    if sender.peer_id in exempted:
        return "exempted"  # an admin exempted this member (/exempt)
    return None
