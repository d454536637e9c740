"""What the simulated Telegram tells the bot, shaped like Telegram's own updates."""

from dataclasses import dataclass

from adapters.simulated_telegram.model import Message, Participant


@dataclass(frozen=True)
class NewMessage:
    chat_id: int
    message: Message


@dataclass(frozen=True)
class MessageEdited:
    """Like UpdateEditChannelMessage: the sender changed an earlier message."""

    chat_id: int
    message: Message


@dataclass(frozen=True)
class ParticipantChanged:
    """Like UpdateChannelParticipant: a person's place in a chat changed (None: not in the chat).

    `actor_id` is who changed it: the person (a join or leave), an admin, or the bot itself, whose own
    changes Telegram reports in a group like anyone else's.
    """

    chat_id: int
    user_id: int
    actor_id: int
    previous: Participant | None
    current: Participant | None
    via: str = "link"  # link | added | request, for joins


@dataclass(frozen=True)
class JoinRequest:
    chat_id: int
    user_id: int


@dataclass(frozen=True)
class CallbackQuery:
    query_id: int
    chat_id: int
    user_id: int
    message_id: int
    data: bytes


@dataclass(frozen=True)
class BotRights:
    chat_id: int
    is_admin: bool


@dataclass(frozen=True)
class PrivateMessage:
    """Like UpdateNewMessage in the bot's private chat with someone: they wrote to the bot."""

    user_id: int
    message_id: int
    text: str
    sent_at: float = 0.0


@dataclass(frozen=True)
class ChatChanged:
    """Like UpdateChannel: the chat's public details changed (its username was removed or set)."""

    chat_id: int


Update = (
    NewMessage | MessageEdited | ParticipantChanged | JoinRequest | CallbackQuery | BotRights | ChatChanged
    | PrivateMessage
)
