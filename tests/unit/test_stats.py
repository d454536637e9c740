"""/stats figures from the read models: the most missed channel among the muted, and calls of the group and its
channels only."""

from datetime import UTC, datetime, timedelta

from adapters.memory.read_models import InMemoryReadModels
from application.call_counts import CallCounts
from application.handlers.stats import figures
from application.ports.read_models import GroupView, VerdictView
from domain.channel import Channel

NOW = datetime(2026, 1, 10, 12, tzinfo=UTC)
NEWS, DEALS, SPORT = -1001, -1002, -1003


class Clock:
    def now(self) -> datetime:
        return NOW

    def time(self) -> float:
        return NOW.timestamp()


class Ctx:
    def __init__(self) -> None:
        self.read_models = InMemoryReadModels()
        self.clock = Clock()
        self.calls = CallCounts(self.clock)


def group(*channels: int) -> GroupView:
    return GroupView(-1, "Chat", True, [Channel(c, f"C{c}", f"c{-c}") for c in channels], {})


def muted(member: int, *missing: int) -> VerdictView:
    return VerdictView(-1, member, "restricted", "not_subscribed", list(missing), NOW)


async def test_the_channel_most_muted_members_miss_ties_going_to_the_one_linked_first() -> None:
    ctx = Ctx()
    await ctx.read_models.apply(1, [], [muted(1, DEALS, NEWS), muted(2, NEWS), muted(3, DEALS, DEALS),
                                        VerdictView(-1, 4, "verified")])
    shown = await figures(ctx, group(SPORT, NEWS, DEALS))
    assert (shown.missing, shown.missing_count, shown.muted, shown.checked) == ("@c1001", 2, 3, 4)
    shown = await figures(ctx, group(DEALS, NEWS))
    assert (shown.missing, shown.missing_count) == ("@c1002", 2)


async def test_nobody_muted_names_no_channel_and_old_releases_are_not_this_weeks() -> None:
    ctx = Ctx()
    released = [VerdictView(-1, m, "released", released_at=NOW - timedelta(days=d)) for m, d in ((1, 1), (2, 8))]
    await ctx.read_models.apply(1, [], released)
    shown = await figures(ctx, group(NEWS))
    assert (shown.missing, shown.muted, shown.released, shown.checked) == (None, 0, 1, 2)


async def test_calls_are_the_groups_and_its_linked_channels_only() -> None:
    ctx = Ctx()
    for chat in (-1, -1, NEWS, DEALS, -2):
        ctx.calls.count(chat)
    assert (await figures(ctx, group(NEWS))).calls == 3
