"""The warning a restricted member sees: every missing channel with its Join button, Verify, and "Why?"."""

import hashlib
from typing import Protocol
from uuid import UUID

from application import messages
from application.needs import UsesNames, UsesTokens
from application.ports.read_models import GroupView
from application.ports.telegram import Button, Mention, OutgoingMessage
from domain.channel import Channel


class Needs(UsesTokens, UsesNames, Protocol):
    """What composing a warning uses of the context."""


ANYONE = 0  # the member id in a shared notice's Verify button: the presser verifies themselves


def message_key(purpose: str, *parts: object) -> int:
    """An idempotency key (Telegram's random_id) for one message the bot means to send: the same on every
    attempt, so a message sent before a crash is refused as a duplicate when sent again, never posted twice.
    `purpose` keeps keys of different kinds of message apart."""
    text = ":".join([purpose, *map(str, parts)]).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big", signed=True) or 1


def warning_key(stream_id: UUID, version: int) -> int:
    """The key of the warning for the restriction recorded at `version` of a member's verdict."""
    return message_key("warning", stream_id, version)


def warning_message(
    ctx: Needs,
    group: GroupView,
    member_id: int,
    name: str | None,
    missing: list[int],
    key: int = 0,
    language: str | None = None,
) -> OutgoingMessage:
    """The member's warning, in their language (`language`, as the log recorded it) or else the group's, in
    the admins' own words when they set a warning_text (its buttons still in the member's language)."""
    channels = [c for c in group.channels if c.id in missing] or list(group.channels)
    with messages.speaking(messages.choose(language, group.settings.get("language"))):
        rows = _join_rows(channels)
        rows.append(_verify_row(ctx, group.chat_id, member_id, key))
        text, spans = messages.warning_spans(
            name or ctx.names.of(member_id), channels, group.title, group.settings.get("warning_text") or None
        )
    # The name mentions the member, so Telegram notifies them even in a busy group.
    return OutgoingMessage(text, rows, mentions=tuple(Mention(offset, length, member_id) for offset, length in spans))


def raid_notice(ctx: Needs, group: GroupView, key: int = 0) -> OutgoingMessage:
    """One notice for everyone restricted during a raid, in the group's language; its Verify checks whoever
    presses it."""
    with messages.speaking(messages.group_language(group.settings)):
        rows = _join_rows(group.channels)
        rows.append(_verify_row(ctx, group.chat_id, ANYONE, key))
        return OutgoingMessage(messages.raid_notice(group.channels), rows)


def _verify_row(ctx: Needs, chat_id: int, member_id: int, key: int) -> list[Button]:
    # Verify first: a message's first button with data is how the bot knows its own warning again
    # (handlers/warning_seen.py). "Why?" answers only the member it names (the presser, on a raid notice).
    return [
        Button(messages.VERIFY_BUTTON, data=ctx.tokens.issue(chat_id, member_id, key)),
        Button(messages.WHY_BUTTON, data=ctx.tokens.issue_why(chat_id, member_id)),
    ]


def _join_rows(channels: list[Channel]) -> list[list[Button]]:
    return [[Button(messages.JOIN_BUTTON.format(title=c.title), url=c.join_url)] for c in channels if c.join_url]
