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
    sender_is_bot: bool = False  # another bot (User.bot): it cannot join channels
    edited: bool = False  # an edit of an earlier message: gated like a new one
    sender_language: str = ""  # the sender's lang_code, when Telegram tells it


@dataclass(frozen=True)
class MemberJoined:
    chat_id: int
    user_id: int
    via: str = "link"  # link | added | request
    name: str = ""
    # The member's place in the group as the join update reported it; None when the join came from a
    # service message.
    participant: Participant | None = None
    is_bot: bool = False
    language: str = ""  # the member's lang_code, when Telegram tells it


@dataclass(frozen=True)
class MemberLeft:
    """Someone left the group, or was removed from it (kicked or banned: `kicked`)."""

    chat_id: int
    user_id: int
    kicked: bool = False
    actor_id: int | None = None
    participant: Participant | None = None  # as the update told it: a leaver may keep restrictions


@dataclass(frozen=True)
class MemberStandingChanged:
    """Someone's place in the group changed while they stayed in it: restricted or freed by an admin,
    promoted or demoted. Changes the bot itself made are not reported."""

    chat_id: int
    user_id: int
    actor_id: int
    participant: Participant


@dataclass(frozen=True)
class WarningSeen:
    """The bot's own message with a Verify button, seen in Telegram's updates (a catch-up after a restart
    delivers messages the bot sent but never heard the answer to)."""

    chat_id: int
    message_id: int
    data: bytes


@dataclass(frozen=True)
class JoinRequested:
    chat_id: int
    user_id: int
    name: str = ""
    language: str = ""


@dataclass(frozen=True)
class ChannelMembershipChanged:
    channel_id: int
    user_id: int
    status: str  # the new status, see domain.subscription
    name: str = ""  # the person's display name, as the update's entities give it


@dataclass(frozen=True)
class ChannelChanged:
    """A channel's public details changed (its username removed or set, its title): links may need renewing."""

    channel_id: int


@dataclass(frozen=True)
class VerifyPressed:
    query_id: int
    chat_id: int
    user_id: int
    data: bytes
    language: str = ""  # the presser's lang_code, when Telegram tells it


@dataclass(frozen=True)
class PrivateMessage:
    """Someone wrote to the bot in a private chat (a command such as /why)."""

    user_id: int
    message_id: int
    text: str
    name: str = ""
    language: str = ""


@dataclass(frozen=True)
class BotRightsChanged:
    chat_id: int
    is_admin: bool


Command = (
    GroupMessage
    | MemberJoined
    | MemberLeft
    | MemberStandingChanged
    | WarningSeen
    | JoinRequested
    | ChannelMembershipChanged
    | ChannelChanged
    | VerifyPressed
    | BotRightsChanged
    | PrivateMessage
)
