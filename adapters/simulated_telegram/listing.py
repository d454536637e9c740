"""Telegram's rules for channels.getParticipants, shared by both simulated Telegrams so they list alike.

A broadcast channel lists at most its 200 most recent subscribers (to anyone, its admins included); a
supergroup up to 10,000 with the Recent filter; Banned and Kicked list the restricted and the banned; each
call returns at most 200, from an offset. The count Telegram answers with is of everyone the filter matches,
listable or not.
"""

from collections.abc import Callable

from adapters.simulated_telegram.model import ADMIN_STATUSES, Chat, Participant
from domain import subscription as sub

CHANNEL_RECENT_CAP = 200
GROUP_RECENT_CAP = 10_000
PAGE_LIMIT = 200

RECENT, ADMINS, BANNED, KICKED, SEARCH = "recent", "admins", "banned", "kicked", "search"


def needs_admin(listing: str) -> bool:
    """Every listing but the admins' needs the bot to be an admin of the chat."""
    return listing != ADMINS


def matching(chat: Chat, listing: str, name: Callable[[int], str], query: str = "") -> list[tuple[int, Participant]]:
    """Everyone the filter matches, in Telegram's order: the most recent first."""
    people = list(reversed(chat.participants.items()))  # joined (or last changed) latest first
    if listing == ADMINS:
        return [(u, p) for u, p in people if p.status in ADMIN_STATUSES]
    if listing == BANNED:
        return [(u, p) for u, p in people if p.restrictions and p.status != sub.KICKED]
    if listing == KICKED:
        return [(u, p) for u, p in people if p.status == sub.KICKED]
    inside = [(u, p) for u, p in people if p.inside]
    if listing == SEARCH:
        wanted = query.lower()
        return [(u, p) for u, p in inside if wanted in name(u).lower()]
    if listing == RECENT:
        return inside
    raise ValueError(f"no participant filter {listing!r}")


def page(chat: Chat, listing: str, name: Callable[[int], str], offset: int, limit: int,
         query: str = "") -> tuple[int, list[tuple[int, Participant]]]:
    """Telegram's count of all that match, and the page it lists from `offset` within its caps."""
    found = matching(chat, listing, name, query)
    listable = found
    if listing in (RECENT, SEARCH):
        listable = found[:CHANNEL_RECENT_CAP if chat.kind == "channel" else GROUP_RECENT_CAP]
    start = max(0, offset)
    return len(found), listable[start:start + max(0, min(limit, PAGE_LIMIT))]
