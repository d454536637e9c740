"""Chat ids as the Bot API shows them: supergroups and channels are -100 followed by the world's id.

Bots and their libraries rely on the sign (python-telegram-bot's rate limiter treats negative ids as groups),
so the world's positive chat ids are never shown as they are.
"""

CHAT_OFFSET = 10**12


def api_chat_id(world_id: int) -> int:
    return -(CHAT_OFFSET + world_id)


def world_chat_id(api_id: int) -> int | None:
    """The world's id of a supergroup or channel; None for a user's private chat (a positive id)."""
    if api_id <= -CHAT_OFFSET:
        return -api_id - CHAT_OFFSET
    return None
