"""Bot API ChatPermissions and the world's banned rights (MTProto's names), both ways.

restrictChatMember's rules, as the Bot API documents them: a permission left out is false; without
use_independent_chat_permissions, can_send_other_messages and can_add_web_page_previews imply the text and
media permissions, and can_send_polls implies can_send_messages.
"""

from typing import Any

# Each Bot API permission and the banned rights (domain.rights names) it stands for.
RIGHTS: dict[str, tuple[str, ...]] = {
    "can_send_messages": ("send_plain",),
    "can_send_audios": ("send_audios",),
    "can_send_documents": ("send_docs",),
    "can_send_photos": ("send_photos",),
    "can_send_videos": ("send_videos",),
    "can_send_video_notes": ("send_roundvideos",),
    "can_send_voice_notes": ("send_voices",),
    "can_send_polls": ("send_polls",),
    "can_send_other_messages": ("send_stickers", "send_gifs", "send_games", "send_inline"),
    "can_add_web_page_previews": ("embed_links",),
    "can_change_info": ("change_info",),
    "can_invite_users": ("invite_users",),
    "can_pin_messages": ("pin_messages",),
    "can_manage_topics": ("manage_topics",),
}
_MEDIA = ("can_send_audios", "can_send_documents", "can_send_photos", "can_send_videos", "can_send_video_notes",
          "can_send_voice_notes")
_SENDING = ("can_send_messages", *_MEDIA, "can_send_polls", "can_send_other_messages", "can_add_web_page_previews")


def granted(permissions: dict[str, Any], independent: bool) -> dict[str, bool]:
    """Every permission's value after the Bot API's rules: omitted is false, dependent ones implied."""
    given = {name: bool(permissions.get(name, False)) for name in RIGHTS}
    if not independent:
        if given["can_send_other_messages"] or given["can_add_web_page_previews"]:
            for name in ("can_send_messages", *_MEDIA):
                given[name] = True
        if given["can_send_polls"]:
            given["can_send_messages"] = True
    return given


def banned_rights(permissions: dict[str, Any], independent: bool) -> frozenset[str]:
    given = granted(permissions, independent)
    banned = {right for name, ok in given.items() if not ok for right in RIGHTS[name]}
    if not any(given[name] for name in _SENDING):
        banned |= {"send_messages", "send_media"}  # nothing at all may be sent: MTProto's blanket right
    elif not any(given[name] for name in _MEDIA):
        banned.add("send_media")
    return frozenset(banned)


def as_permissions(banned: frozenset[str]) -> dict[str, bool]:
    """A restricted member's can_* fields from the world's banned rights."""
    blanket = "send_messages" in banned or "view_messages" in banned
    out = {}
    for name, rights in RIGHTS.items():
        sending = name in _SENDING
        out[name] = not (any(r in banned for r in rights) or (sending and blanket)
                         or (name in _MEDIA and "send_media" in banned))
    return out
