"""A supergroup message, read the way the gate needs it: who really sent it, and what kind it is."""

from telethon import types, utils
from telethon._updates.session import EntityType

from adapters.telethon.peers import plain_id
from application.commands import GroupMessage
from domain import senders


def classify_sender(message, chat_id: int) -> senders.Sender | None:
    """Who wrote the message; None when Telegram names no sender at all."""
    peer = message.from_id
    if isinstance(peer, types.PeerUser):
        return senders.Sender(senders.USER, peer.user_id)
    if not isinstance(peer, types.PeerChannel):
        return None
    if peer.channel_id == chat_id:
        return senders.Sender(senders.ANONYMOUS_ADMIN, chat_id)
    if _is_automatic_forward(message.fwd_from, peer):
        return senders.Sender(senders.LINKED_CHANNEL, peer.channel_id)
    # Anything else signed by a channel is a person writing "as" a channel: the gate must still apply.
    return senders.Sender(senders.SEND_AS_CHANNEL, peer.channel_id)


def _is_automatic_forward(fwd, sender) -> bool:
    # Telegram's automatic copy of a linked channel's post names that channel as saved_from_peer. A
    # person writing as their channel and forwarding its post by hand gets channel_post but no
    # saved_from_peer; accepting channel_post alone would let anyone bypass the gate that way.
    return fwd is not None and fwd.channel_post is not None and fwd.saved_from_peer == sender


def kind_of(message) -> str:
    """The content kind as domain.rights names it; "other" falls back to the send_messages right."""
    media = message.media
    if media is None or isinstance(media, types.MessageMediaEmpty | types.MessageMediaWebPage):
        return "text"  # a link preview is part of a text message
    if isinstance(media, types.MessageMediaPhoto):
        return "photo"
    if isinstance(media, types.MessageMediaPoll):
        return "poll"
    if isinstance(media, types.MessageMediaDocument):
        return _document_kind(media.document)
    return "other"


def _document_kind(document) -> str:
    attributes = getattr(document, "attributes", None) or []
    kinds = {type(a): a for a in attributes}
    if types.DocumentAttributeSticker in kinds:
        return "sticker"
    if types.DocumentAttributeAnimated in kinds:
        return "gif"  # checked before video: a GIF is sent as a silent looping video
    audio = kinds.get(types.DocumentAttributeAudio)
    if audio is not None:
        return "voice" if audio.voice else "audio"
    if types.DocumentAttributeVideo in kinds:
        return "video"
    return "document"


def forwarded_channel(fwd) -> int | None:
    """The channel a forwarded message came from, if it came from one."""
    if fwd is None:
        return None
    for peer in (fwd.from_id, fwd.saved_from_peer):
        if isinstance(peer, types.PeerChannel):
            return peer.channel_id
    return None


async def replied_channel(message) -> int | None:
    """The channel behind the forwarded post this message replies to (for /protect by reply)."""
    header = message.reply_to
    if not isinstance(header, types.MessageReplyHeader):
        return None
    if header.reply_from is not None:
        return forwarded_channel(header.reply_from)
    # Fetching the replied message costs a request: only commands need it, not every reply.
    if not (message.message or "").startswith("/"):
        return None
    replied = await message.get_reply_message()
    return forwarded_channel(replied.fwd_from) if replied is not None else None


def is_bot(client, user, user_id: int) -> bool:
    """Whether the user is a bot account: from the User Telegram sent, else from what the client remembers."""
    if isinstance(user, types.User):
        return bool(user.bot)
    cached = client._mb_entity_cache.get(user_id)
    return cached is not None and cached.ty == EntityType.BOT


def callback_data(reply_markup) -> bytes | None:
    """The data of the first button a press sends back to the bot (its Verify button), if there is one."""
    for row in getattr(reply_markup, "rows", None) or []:
        for button in getattr(row, "buttons", None) or []:
            kind = getattr(button, "type", None)
            if isinstance(kind, types.InlineButtonTypeCallback) and kind.data:
                return bytes(kind.data)
    return None


def language_of(user) -> str:
    """A person's app language (User.lang_code, e.g. "ru", "pt-br"); empty when Telegram does not tell it."""
    return (getattr(user, "lang_code", None) or "") if isinstance(user, types.User) else ""


async def to_group_message(
    message, chat_id: int, sender: senders.Sender, sender_is_bot: bool = False, edited: bool = False
) -> GroupMessage:
    return GroupMessage(
        chat_id=chat_id,
        message_id=message.id,
        sender=sender,
        kind=kind_of(message),
        text=message.message or "",
        sender_name=utils.get_display_name(message.sender) if message.sender is not None else "",
        chat_title=getattr(message.chat, "title", "") or "",
        forwarded_from_channel=forwarded_channel(message.fwd_from),
        reply_to_forwarded_channel=await replied_channel(message),
        sender_is_bot=sender_is_bot,
        edited=edited,
        sender_language=language_of(message.sender),
    )


def chat_of(message) -> int | None:
    return plain_id(message.peer_id) if isinstance(message.peer_id, types.PeerChannel) else None
