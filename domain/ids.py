"""Deterministic stream ids: the same Telegram chat or member always maps to the same stream."""

from uuid import UUID, uuid5

_NAMESPACE = UUID("6f1c1d1e-6a52-4c57-9a8e-2d0f6c1b7a10")


def group_stream_id(chat_id: int) -> UUID:
    return uuid5(_NAMESPACE, f"group:{chat_id}")


def verdict_stream_id(chat_id: int, member_id: int) -> UUID:
    return uuid5(_NAMESPACE, f"verdict:{chat_id}:{member_id}")


def log_feed_stream_id(channel_id: int) -> UUID:
    return uuid5(_NAMESPACE, f"log_feed:{channel_id}")
