"""Per-member restrictions, named as Telegram names its banned rights."""

# Every right the bot takes away when it mutes. Telegram checks send_messages together with the
# granular rights, so all of them go together or a member can still post some kinds of content.
MUTE: frozenset[str] = frozenset(
    {
        "send_messages",
        "send_media",
        "send_stickers",
        "send_gifs",
        "send_games",
        "send_inline",
        "embed_links",
        "send_polls",
        "send_photos",
        "send_videos",
        "send_roundvideos",
        "send_audios",
        "send_voices",
        "send_docs",
        "send_plain",
    }
)

OTHER_RIGHTS: frozenset[str] = frozenset(
    {"view_messages", "change_info", "invite_users", "pin_messages", "manage_topics"}
)

ALL_RIGHTS: frozenset[str] = MUTE | OTHER_RIGHTS

# Which banned right stops which kind of content (besides send_messages itself).
RIGHT_FOR_KIND: dict[str, str] = {
    "text": "send_plain",
    "photo": "send_photos",
    "video": "send_videos",
    "sticker": "send_stickers",
    "gif": "send_gifs",
    "voice": "send_voices",
    "audio": "send_audios",
    "document": "send_docs",
    "poll": "send_polls",
}


def muted(prior: frozenset[str]) -> frozenset[str]:
    """The restrictions in force while the bot's mute sits on top of what an admin had set."""
    return prior | MUTE


def may_send(banned: frozenset[str], kind: str) -> bool:
    if "view_messages" in banned or "send_messages" in banned:
        return False
    return RIGHT_FOR_KIND.get(kind, "send_messages") not in banned
