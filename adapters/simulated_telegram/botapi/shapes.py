"""The Bot API's JSON objects (User, Chat, Message, ChatMember, ...) built from the simulated world.

Every field python-telegram-bot requires is present (tests/botapi parses each reply with its classes).
"""

from typing import Any

from adapters.simulated_telegram.botapi.ids import api_chat_id
from adapters.simulated_telegram.botapi.permissions import as_permissions
from adapters.simulated_telegram.model import Message, Participant
from adapters.simulated_telegram.world import World
from domain import subscription as sub

# The service accounts Telegram shows as `from` when a message is sent on behalf of a chat.
GROUP_ANONYMOUS_BOT = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}
TELEGRAM_SERVICE = {"id": 777000, "is_bot": False, "first_name": "Telegram"}
CHANNEL_BOT = {"id": 136817688, "is_bot": True, "first_name": "Channel", "username": "Channel_Bot"}

_FILE = {"file_id": "sim-file", "file_unique_id": "sim-unique"}


def user(world: World, user_id: int) -> dict[str, Any]:
    if user_id == world.bot_id:
        return {"id": user_id, "is_bot": True, "first_name": "Simulated bot", "username": "simulated_bot"}
    person = world.people.get(user_id)
    name = person.name if person is not None else f"User {user_id}"
    return {"id": user_id, "is_bot": world.is_bot(user_id), "first_name": name}


def chat(world: World, world_id: int) -> dict[str, Any]:
    found = world.chat(world_id)
    shown = {"id": api_chat_id(world_id), "type": "supergroup" if found.kind == "group" else "channel",
             "title": found.title}
    if found.username:
        shown["username"] = found.username
    return shown


def private_chat(world: World, user_id: int) -> dict[str, Any]:
    return {"id": user_id, "type": "private", "first_name": user(world, user_id)["first_name"]}


def full_chat(world: World, world_id: int) -> dict[str, Any]:
    """getChat's ChatFullInfo: the few fields a gate uses, and those the Bot API always sends."""
    found = world.chat(world_id)
    shown = chat(world, world_id) | {"accent_color_id": 0, "max_reaction_count": 11,
                                     "accepted_gift_types": {"unlimited_gifts": False, "limited_gifts": False,
                                                             "unique_gifts": False, "premium_subscription": False,
                                                             "gifts_from_channels": False}}
    linked = found.linked_to if found.kind == "channel" else next(
        (c.id for c in world.chats.values() if c.linked_to == world_id), None)
    if linked is not None and linked in world.chats:
        shown["linked_chat_id"] = api_chat_id(linked)
    return shown


def chat_member(world: World, world_chat: int, user_id: int, found: Participant | None) -> dict[str, Any]:
    """ChatMember for a participant as the world holds them (None: never there or gone without a trace)."""
    who = user(world, user_id)
    status = sub.NONE if found is None else found.status
    if status == sub.CREATOR:
        return {"status": "creator", "user": who, "is_anonymous": False}
    if status == sub.ADMIN:
        bot_here = user_id == world.bot_id
        return {"status": "administrator", "user": who, "can_be_edited": False, "is_anonymous": False,
                "can_manage_chat": True, "can_delete_messages": True, "can_manage_video_chats": True,
                "can_restrict_members": True, "can_promote_members": not bot_here, "can_change_info": True,
                "can_invite_users": True, "can_post_stories": True, "can_edit_stories": True,
                "can_delete_stories": True, "can_pin_messages": True}
    if status == sub.KICKED:
        return {"status": "kicked", "user": who, "until_date": found.until or 0}
    if found is not None and found.restrictions and status in (sub.RESTRICTED, sub.LEFT):
        # A restricted member, or one who left holding restrictions: the Bot API says restricted, is_member.
        return {"status": "restricted", "user": who, "is_member": status == sub.RESTRICTED,
                "until_date": found.until or 0, "can_edit_tag": False, "can_react_to_messages": True,
                **as_permissions(found.restrictions)}
    if status in (sub.MEMBER, sub.RESTRICTED):
        return {"status": "member", "user": who}
    return {"status": "left", "user": who}


def message(world: World, m: Message, with_reply: bool = True) -> dict[str, Any]:
    shown: dict[str, Any] = {"message_id": m.id, "date": int(m.sent_at or world.clock.time()),
                             "chat": chat(world, m.chat_id)}
    kind = m.sender.kind
    if m.from_bot:
        shown["from"] = user(world, world.bot_id)
    elif kind == "user":
        shown["from"] = user(world, m.sender.peer_id)
    elif kind == "anonymous_admin":
        shown["from"], shown["sender_chat"] = GROUP_ANONYMOUS_BOT, chat(world, m.chat_id)
    elif kind == "linked_channel":
        shown["from"], shown["sender_chat"] = TELEGRAM_SERVICE, chat(world, m.sender.peer_id)
        shown["is_automatic_forward"] = True
        shown["forward_origin"] = {"type": "channel", "chat": chat(world, m.sender.peer_id), "message_id": m.id,
                                   "date": shown["date"]}
    else:  # someone writing as their channel (send-as)
        shown["from"], shown["sender_chat"] = CHANNEL_BOT, chat(world, m.sender.peer_id)
    forwarded = m.forwarded_from_channel
    if forwarded is not None and forwarded in world.chats and "forward_origin" not in shown:
        shown["forward_origin"] = {"type": "channel", "chat": chat(world, forwarded),
                                   "message_id": 1, "date": shown["date"]}
    if m.edited_at is not None:
        shown["edit_date"] = int(m.edited_at)
    shown.update(content(m.kind, m.text))
    if m.buttons:
        shown["reply_markup"] = keyboard(m.buttons)
    if with_reply and m.reply_to is not None:
        replied = world.chat(m.chat_id).messages.get(m.reply_to)
        if replied is not None and not replied.deleted:
            shown["reply_to_message"] = message(world, replied, with_reply=False)
    return shown


def content(kind: str, text: str) -> dict[str, Any]:
    """What a message of this kind carries: text with its command entity, or a media object and caption."""
    if kind == "text":
        shown: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            shown["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return shown
    media: dict[str, Any] = {
        "photo": {"photo": [{**_FILE, "width": 640, "height": 480}]},
        "video": {"video": {**_FILE, "width": 640, "height": 480, "duration": 5}},
        "sticker": {"sticker": {**_FILE, "width": 512, "height": 512, "is_animated": False, "is_video": False,
                                "type": "regular"}},
        "gif": {"animation": {**_FILE, "width": 320, "height": 240, "duration": 3},
                "document": {**_FILE, "mime_type": "video/mp4"}},
        "voice": {"voice": {**_FILE, "duration": 2}},
        "audio": {"audio": {**_FILE, "duration": 180}},
        "document": {"document": _FILE},
        "poll": {"poll": {"id": "sim-poll", "question": text or "?", "total_voter_count": 0, "is_closed": False,
                          "is_anonymous": True, "type": "regular", "allows_multiple_answers": False,
                          "options": [{"text": "yes", "voter_count": 0}, {"text": "no", "voter_count": 0}]}},
    }[kind]
    if text and kind not in ("sticker", "poll"):
        media["caption"] = text
    return media


def keyboard(buttons: list[list[dict[str, Any]]]) -> dict[str, Any]:
    rows = []
    for row in buttons:
        shown_row = []
        for b in row:
            button: dict[str, Any] = {"text": b["text"]}
            if b.get("url"):
                button["url"] = b["url"]
            elif b.get("data") is not None:
                data = b["data"]
                button["callback_data"] = data.decode() if isinstance(data, bytes) else data
            shown_row.append(button)
        rows.append(shown_row)
    return {"inline_keyboard": rows}


def buttons_from(markup: dict[str, Any] | None) -> list[list[dict[str, Any]]]:
    """An InlineKeyboardMarkup as the world keeps a bot message's buttons (text, url, data)."""
    if not markup:
        return []
    return [[{"text": b.get("text", ""), "url": b.get("url"), "data": b.get("callback_data")} for b in row]
            for row in markup.get("inline_keyboard", [])]
