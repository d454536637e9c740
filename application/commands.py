"""What arrives from Telegram, already translated into the gate's language."""

from dataclasses import dataclass

from application.ports.telegram import Participant
from domain.senders import Sender


@dataclass(frozen=True)
class GroupMessage:
    chat_id: int
    message_id: int
    sender: Sender
    kind: str = "text"
    text: str = ""
    sender_name: str = ""
    chat_title: str = ""
    forwarded_from_channel: int | None = None  # set on a forwarded channel post; /protect may reply to one
    reply_to_forwarded_channel: int | None = None


@dataclass(frozen=True)
class MemberJoined:
    chat_id: int
    user_id: int
    via: str = "link"  # link | added | request
    name: str = ""
    # The member's place in the group as the join update reported it; None when the join came from a
    # service message.
    participant: Participant | None = None


@dataclass(frozen=True)
class MemberLeft:
    chat_id: int
    user_id: int


@dataclass(frozen=True)
class JoinRequested:
    chat_id: int
    user_id: int
    name: str = ""


@dataclass(frozen=True)
class ChannelMembershipChanged:
    channel_id: int
    user_id: int
    status: str  # the new status, see domain.subscription


@dataclass(frozen=True)
class VerifyPressed:
    query_id: int
    chat_id: int
    user_id: int
    data: bytes


@dataclass(frozen=True)
class BotRightsChanged:
    chat_id: int
    is_admin: bool


Command = (
    GroupMessage
    | MemberJoined
    | MemberLeft
    | JoinRequested
    | ChannelMembershipChanged
    | VerifyPressed
    | BotRightsChanged
)
