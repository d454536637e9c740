"""Warming the membership cache from the channels' listings after /protect: only where a page pays, and never
past what Telegram lets a bot list (a broadcast channel's 200 most recent subscribers)."""

from types import SimpleNamespace

from adapters.memory.membership_cache import InMemoryMembershipCache
from adapters.simulated_telegram.clock import SimulatedClock
from adapters.simulated_telegram.gateway import SimulatedTelegram
from adapters.simulated_telegram.model import Chat, Participant
from adapters.simulated_telegram.world import World
from application.membership_checker import MembershipChecker
from application.warming import page_pays, warm
from domain import subscription as sub

BOT, GROUP, CHANNEL = 999, 2001, 1001


def setup(members: int, subscribers: int, channel_kind: str = "channel"):
    world = World(BOT)
    world.chats[GROUP] = Chat(GROUP, "group", "Chat", participants={BOT: Participant(sub.ADMIN)})
    world.chats[CHANNEL] = Chat(CHANNEL, channel_kind, "News", "news", participants={BOT: Participant(sub.ADMIN)})
    for user in range(1, members + 1):
        world.chats[GROUP].participants[user] = Participant(sub.MEMBER)
    for user in range(1, subscribers + 1):
        world.chats[CHANNEL].participants[user] = Participant(sub.MEMBER)
    clock = SimulatedClock()
    telegram = SimulatedTelegram(world, clock)
    cache = InMemoryMembershipCache(clock)
    ctx = SimpleNamespace(gateway=telegram, checker=MembershipChecker(telegram, cache))
    return ctx, telegram, cache


async def cached(cache: InMemoryMembershipCache, users: range) -> int:
    found = 0
    for user in users:
        found += CHANNEL in await cache.get_many(user, [CHANNEL])
    return found


async def test_a_broadcast_channel_warms_at_most_its_200_most_recent_subscribers() -> None:
    ctx, telegram, cache = setup(members=3_000, subscribers=2_500)
    assert await warm(ctx, GROUP, [CHANNEL]) == 3  # the group's count, a full page, the empty page past the cap
    assert await cached(cache, range(1, 2_501)) == 200
    assert await cached(cache, range(2_301, 2_501)) == 200  # the newest
    assert telegram.calls["get_participants"] == 3


async def test_a_linked_supergroup_is_listed_while_its_pages_pay() -> None:
    ctx, _, cache = setup(members=20_000, subscribers=1_000, channel_kind="group")
    assert await warm(ctx, GROUP, [CHANNEL]) == 1 + 6  # five full pages (the bot is listed too), then a short one
    assert await cached(cache, range(1, 1_001)) == 1_000


async def test_a_small_group_costs_only_its_member_count() -> None:
    ctx, _, cache = setup(members=90, subscribers=90)
    assert await warm(ctx, GROUP, [CHANNEL]) == 1
    assert await cached(cache, range(1, 91)) == 0


async def test_paging_stops_where_the_channel_outgrows_the_group() -> None:
    assert page_pays(members=100_000, subscribers=50_000)  # 200 x 2% = 4 members who would write
    assert not page_pays(members=100_000, subscribers=290_000)  # 200 x 2% x 0.34: about 1.4, under 2 calls
    assert not page_pays(members=1_000, subscribers=20_000)  # 200 x 2% x 0.05: not one
    assert not page_pays(members=100, subscribers=100)
