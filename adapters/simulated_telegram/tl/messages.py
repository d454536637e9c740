"""The simulated world's messages as TL Message objects, with the media Telegram attaches to each kind."""

from typing import Any

from telethon import types

from adapters.simulated_telegram.model import Message
from adapters.simulated_telegram.tl.entities import access_hash, when
from adapters.simulated_telegram.world import World

# Media ids live in their own range so they never look like a peer.
_MEDIA_BASE = 7_000_000_000


def encode_message(world: World, m: Message) -> types.Message:
    chat = world.chat(m.chat_id)
    peer, fwd, post = m.sender.peer_id, None, None
    match m.sender.kind:
        case "user":
            from_id = types.PeerUser(peer)
        case "linked_channel":
            # Telegram's automatic copy of the channel's post: the channel signs it and names itself as the
            # place it was saved from, which is what tells it apart from a hand-made forward.
            from_id = types.PeerChannel(peer)
            source = m.forwarded_from_channel or peer
            fwd = types.MessageFwdHeader(
                when(m.sent_at), from_id=types.PeerChannel(source), channel_post=m.id,
                saved_from_peer=types.PeerChannel(peer), saved_from_msg_id=m.id,
            )
        case _:  # an anonymous admin (signed by the group itself) or someone writing as a channel
            from_id = types.PeerChannel(peer)
    if chat.kind == "channel":
        post, from_id = True, None  # a broadcast channel's post is signed by nobody
    if fwd is None and m.forwarded_from_channel is not None:
        fwd = types.MessageFwdHeader(
            when(m.sent_at), from_id=types.PeerChannel(m.forwarded_from_channel), channel_post=1
        )
    return types.Message(
        m.id,
        types.PeerChannel(m.chat_id),
        when(m.sent_at),
        m.text,
        out=m.from_bot or None,
        edit_date=when(m.edited_at) if m.edited_at is not None else None,
        post=post,
        from_id=types.PeerUser(world.bot_id) if m.from_bot else from_id,
        fwd_from=fwd,
        reply_to=types.MessageReplyHeader(reply_to_msg_id=m.reply_to) if m.reply_to else None,
        media=media_for(m.kind, m.chat_id * 100_000 + m.id),
        reply_markup=markup(m.buttons),
    )


def media_for(kind: str, seed: int):
    """What a real client attaches for each kind; the attributes are what tell a voice from a song."""
    if kind == "text":
        return None
    media_id = _MEDIA_BASE + seed
    if kind == "photo":
        size = types.PhotoSize("x", 800, 600, 40_000)
        return types.MessageMediaPhoto(photo=types.Photo(media_id, access_hash(media_id), b"", when(0), [size], 2))
    if kind == "poll":
        answers = [types.PollAnswer(types.TextWithEntities(t, []), bytes([i])) for i, t in enumerate(("yes", "no"))]
        poll = types.Poll(media_id, types.TextWithEntities("Which?", []), answers, hash=0)
        return types.MessageMediaPoll(poll, types.PollResults())
    mime, attributes, flags = _DOCUMENTS[kind]
    document = types.Document(media_id, access_hash(media_id), b"", when(0), mime, 1024, 2, attributes)
    return types.MessageMediaDocument(document=document, **flags)


_DOCUMENTS: dict[str, tuple[str, list, dict[str, bool]]] = {
    "sticker": (
        "image/webp",
        [
            types.DocumentAttributeImageSize(512, 512),
            types.DocumentAttributeSticker("🙂", types.InputStickerSetEmpty()),
        ],
        {},
    ),
    "voice": ("audio/ogg", [types.DocumentAttributeAudio(3, voice=True)], {"voice": True}),
    "audio": (
        "audio/mpeg",
        [types.DocumentAttributeAudio(180, title="Song"), types.DocumentAttributeFilename("song.mp3")],
        {},
    ),
    "video": ("video/mp4", [types.DocumentAttributeVideo(5, 640, 360), types.DocumentAttributeFilename("clip.mp4")],
              {"video": True}),
    # A GIF travels as a silent looping video; only the Animated attribute says it is one.
    "gif": ("video/mp4", [types.DocumentAttributeVideo(2, 320, 240, nosound=True), types.DocumentAttributeAnimated()],
            {}),
    "document": ("application/pdf", [types.DocumentAttributeFilename("report.pdf")], {}),
}


def markup(rows: list[list[dict[str, Any]]]):
    if not rows:
        return None
    return types.ReplyInlineMarkup([types.KeyboardInlineButtonRow([_button(b) for b in row]) for row in rows])


def _button(button: dict[str, Any]):
    kind = types.InlineButtonTypeUrl(button["url"]) if button.get("url") else types.InlineButtonTypeCallback(
        button.get("data") or b""
    )
    return types.KeyboardInlineButton(button["text"], kind)


class ButtonError(ValueError):
    """A button this layer's Telegram would refuse."""


def buttons_of(reply_markup) -> list[list[dict[str, Any]]]:
    """The world's button rows from a ReplyInlineMarkup the bot sent."""
    if reply_markup is None:
        return []
    if not isinstance(reply_markup, types.ReplyInlineMarkup):
        raise ButtonError(f"not inline buttons: {type(reply_markup).__name__}")
    rows = []
    for row in reply_markup.rows:
        decoded = []
        for button in row.buttons:
            kind = getattr(button, "type", None)
            if isinstance(kind, types.InlineButtonTypeUrl):
                decoded.append({"text": button.text, "url": kind.url, "data": None})
            elif isinstance(kind, types.InlineButtonTypeCallback):
                if len(kind.data) > 64:
                    raise ButtonError("callback data over 64 bytes")  # Telegram's BUTTON_DATA_INVALID
                decoded.append({"text": button.text, "url": None, "data": bytes(kind.data)})
            else:
                raise ButtonError(f"unsupported button {type(button).__name__}")
        rows.append(decoded)
    return rows
