"""Whose language a text is written in: a member's own when Telegram told it and the bot speaks it, else
the group's default (`/settings language`)."""

from typing import Protocol

from application import messages
from application.i18n import supported
from application.needs import UsesReadModels


class Needs(UsesReadModels, Protocol):
    """What choosing a member's language uses of the context."""


async def for_member(ctx: Needs, chat_id: int | None, told: str | None, recorded: str | None = None) -> str:
    """The language for a text to one member: what Telegram says now (`told`), else what the log recorded
    of them, else the group's default. The group is read only when the member's own is unknown."""
    own = supported(told) or supported(recorded)
    if own:
        return own
    group = await ctx.read_models.group(chat_id) if chat_id is not None else None
    return messages.group_language(group.settings if group is not None else None)
