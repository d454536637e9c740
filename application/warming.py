"""After /protect and /link, at the bulk priority: the group's standing directory is filled, and the linked
channels' subscribers are listed into the membership cache where that costs fewer calls than checking members
as they write.

The rule (docs/performance.md): a page of a channel's listing costs one call and lists up to 200 subscribers;
each of them that writes in the group while the entry is fresh saves one check. Of a group's members about
WRITER_SHARE write in an hour, and of a channel's subscribers at most min(1, members / subscribers) are in the
group. A page listing n is expected to save n x WRITER_SHARE x min(1, members / subscribers) checks, where n is
at most 200 and at most the members (before the first page the channel is taken to be the group's size); it
pays when that is more than PAGE_COST calls: its own, and the empty one that may follow it where Telegram's cap
ends the listing (the bot cannot tell a broadcast channel, listed to 200, from a supergroup, listed to 10,000).
The group's member count is one call (its Recent listing's count); a group too small for any page to pay (100
members or fewer) costs only that call.
"""

import logging
from typing import Protocol

from application.needs import UsesChecker, UsesGateway, UsesStanding
from application.ports.telegram import LIST_LIMIT, Listing, TelegramError
from application.urgency import Urgency, urgency
from domain import subscription as sub

log = logging.getLogger(__name__)

# The share of a large group's members who write within an hour, as the benchmarks' steady workload has it
# (benchmarks/warm.py prints it); a guess for any one group, which is why warming stops at the first page that
# does not pay instead of listing everything Telegram would list.
WRITER_SHARE = 0.02
PAGE_COST = 2.0


class Needs(UsesGateway, UsesChecker, UsesStanding, Protocol):
    """What filling and warming use of the context."""


def fill_and_warm(ctx: Needs, chat_id: int, channels: list[int], protected_now: bool) -> None:
    """Behind the answer: the directory filled (when the group was just protected) and the channels warmed."""

    async def work() -> None:
        if protected_now:
            await ctx.standing.fill(chat_id)
        await warm(ctx, chat_id, channels)

    ctx.behind.run(work())


def page_pays(members: int, subscribers: int) -> bool:
    """Whether one more page of a channel's listing is expected to save more checks than the call it costs."""
    if members <= 0 or subscribers <= 0:
        return False
    listed = min(LIST_LIMIT, members, subscribers)
    return listed * WRITER_SHARE * min(1.0, members / subscribers) > PAGE_COST


async def warm(ctx: Needs, chat_id: int, channels: list[int]) -> int:
    """List the channels' subscribers into the cache while a page pays; the calls it made."""
    calls = 0
    try:
        with urgency(Urgency.BULK):
            members = (await ctx.gateway.list_participants(chat_id, Listing.RECENT, 0, 1)).total
            calls += 1
            for channel in channels:
                calls += await _warm_channel(ctx, channel, members)
    except TelegramError as error:
        log.info("warming the cache for chat %s stopped (%s); members are checked as they write", chat_id, error)
    return calls


async def _warm_channel(ctx: Needs, channel: int, members: int) -> int:
    calls, offset, subscribers = 0, 0, members  # until the first page tells the channel's own count
    while page_pays(members, subscribers):
        page = await ctx.gateway.list_participants(channel, Listing.RECENT, offset)
        calls += 1
        subscribers = page.total
        # As if Telegram had told each one: the cache's own freshness rules hold for them from now on.
        await ctx.checker.observed_many(
            channel, [(user, p.status) for user, p in page.members if sub.is_subscribed(p.status)])
        if len(page.members) < LIST_LIMIT:
            break
        offset += len(page.members)
    return calls
