"""What every ReadModels store must answer, given the same views: a subclass supplies `make`."""

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta

import pytest

from application.ports.read_models import RELEASES_KEPT, GroupView, ReadModels, VerdictView
from domain.channel import Channel

SINCE = datetime(2026, 1, 1, 9, 30, 15, 123456, tzinfo=UTC)
SETTINGS = {"action": "mute", "strict": True, "warning_ttl": 300, "quiet": False}


def channel(channel_id: int) -> Channel:
    return Channel(channel_id, f"Channel {channel_id}", None, "https://t.me/+x")


def group(chat_id: int, *channels: int, protected: bool = True) -> GroupView:
    return GroupView(chat_id, f"Group {chat_id}", protected, [channel(c) for c in channels], dict(SETTINGS))


def verdict(chat_id: int, member_id: int, status: str = "restricted", **fields) -> VerdictView:
    if status == "restricted":
        fields = {"reason": "not_subscribed", "missing": [-100], "since": SINCE, **fields}
    return VerdictView(chat_id, member_id, status, **fields)


class ReadModelsContract(ABC):
    @abstractmethod
    def make(self) -> AbstractAsyncContextManager[ReadModels]: ...

    @pytest.fixture
    async def store(self) -> AsyncIterator[ReadModels]:
        async with self.make() as store:
            yield store

    async def test_an_empty_store_knows_nothing(self, store: ReadModels) -> None:
        assert await store.group(-1) is None
        assert await store.groups_for_channel(-100) == []
        assert await store.verdict(-1, 5) is None
        assert await store.restricted(-1) == []
        assert await store.position() == 0

    async def test_group_views_come_back_as_stored(self, store: ReadModels) -> None:
        await store.apply(1, [group(-1, -100, -200), group(-2, -100)], [])
        assert await store.group(-1) == group(-1, -100, -200)
        assert await store.groups_for_channel(-100) == [-2, -1]
        assert await store.groups_for_channel(-200) == [-1]
        assert await store.position() == 1

    async def test_channel_index_follows_links_unlinks_and_unprotection(self, store: ReadModels) -> None:
        await store.apply(1, [group(-1, -100, -200), group(-2, -200)], [])
        await store.apply(2, [group(-1, -200, -300)], [])  # -100 unlinked, -300 linked
        assert await store.groups_for_channel(-100) == []
        assert await store.groups_for_channel(-200) == [-2, -1]
        assert await store.groups_for_channel(-300) == [-1]
        await store.apply(3, [group(-1, protected=False)], [])
        assert [await store.groups_for_channel(c) for c in (-100, -200, -300)] == [[], [-2], []]
        assert (await store.group(-1)).protected is False

    async def test_a_group_changed_twice_in_one_batch_ends_as_last_seen(self, store: ReadModels) -> None:
        await store.apply(1, [group(-1, -100)], [])
        await store.apply(2, [group(-1, -200), group(-1, -300)], [])
        assert [await store.groups_for_channel(c) for c in (-100, -200, -300)] == [[], [], [-1]]

    async def test_an_unprotected_group_is_not_indexed(self, store: ReadModels) -> None:
        await store.apply(1, [group(-1, -100, protected=False)], [])
        assert await store.groups_for_channel(-100) == []
        assert await store.group(-1) == group(-1, -100, protected=False)

    async def test_verdicts_come_back_as_stored(self, store: ReadModels) -> None:
        pending = verdict(-1, 7, join_request="pending")
        await store.apply(1, [], [pending, verdict(-1, 8, "verified")])
        assert await store.verdict(-1, 7) == pending
        assert (await store.verdict(-1, 7)).since == SINCE  # same instant, same timezone
        assert await store.verdict(-1, 8) == verdict(-1, 8, "verified")
        assert await store.verdict(-2, 7) is None

    async def test_restricted_lists_members_by_id_and_forgets_the_released(self, store: ReadModels) -> None:
        await store.apply(1, [], [verdict(-1, 30), verdict(-1, 4), verdict(-1, 200, "verified"), verdict(-2, 9)])
        assert await store.restricted(-1) == [verdict(-1, 4), verdict(-1, 30)]
        await store.apply(2, [], [verdict(-1, 4, "released"), verdict(-1, 200)])
        assert await store.restricted(-1) == [verdict(-1, 30), verdict(-1, 200)]
        assert await store.restricted(-2) == [verdict(-2, 9)]
        assert (await store.verdict(-1, 4)).status == "released"

    async def test_a_members_restrictions_are_listed_across_groups(self, store: ReadModels) -> None:
        await store.apply(1, [], [verdict(-3, 7), verdict(-1, 7), verdict(-2, 7, "verified"), verdict(-1, 8)])
        assert await store.restricted_member(7) == [verdict(-3, 7), verdict(-1, 7)]  # by chat id
        await store.apply(2, [], [verdict(-3, 7, "released"), verdict(-2, 7), verdict(-2, 7, "verified")])
        assert await store.restricted_member(7) == [verdict(-1, 7)]
        assert await store.restricted_member(9) == []

    async def test_a_member_seen_twice_in_one_batch_ends_as_last_seen(self, store: ReadModels) -> None:
        posted = datetime(2026, 1, 1, 9, 30, tzinfo=UTC)
        warned = verdict(-1, 6, warning_id=8, warning_at=posted)
        await store.apply(1, [], [verdict(-1, 4), verdict(-1, 5, "verified"), warned])
        await store.apply(2, [], [verdict(-1, 4, "released"), verdict(-1, 5), verdict(-1, 4),
                                  verdict(-1, 6), verdict(-1, 5, "verified")])
        assert await store.restricted(-1) == [verdict(-1, 4), verdict(-1, 6)]
        assert await store.verdict(-1, 5) == verdict(-1, 5, "verified")
        assert await store.live_warnings() == []

    async def test_live_warnings_lists_every_posted_warning_until_removed(self, store: ReadModels) -> None:
        posted = datetime(2026, 1, 1, 9, 30, tzinfo=UTC)
        warned = verdict(1, 5, warning_id=77, warning_at=posted, warning_shared=True)
        await store.apply(1, [], [warned, verdict(1, 6), verdict(2, 5, warning_id=3, warning_at=posted)])
        assert [(v.chat_id, v.member_id) for v in await store.live_warnings()] == [(1, 5), (2, 5)]
        assert (await store.live_warnings())[0] == warned
        await store.apply(2, [], [verdict(1, 5, status="released")])
        assert [(v.chat_id, v.member_id) for v in await store.live_warnings()] == [(2, 5)]

    async def test_reapplying_the_same_batch_leaves_the_same_state(self, store: ReadModels) -> None:
        batch = [group(-1, -100)], [verdict(-1, 4)]
        await store.apply(1, [group(-1, -200)], [])
        await store.apply(2, *batch)
        await store.apply(2, *batch)  # a replay after a crash between apply and acknowledgement
        assert await store.position() == 2
        assert await store.groups_for_channel(-100) == [-1]
        assert await store.groups_for_channel(-200) == []
        assert await store.restricted(-1) == [verdict(-1, 4)]

    async def test_clear_forgets_everything(self, store: ReadModels) -> None:
        await store.apply(5, [group(-1, -100)], [verdict(-1, 4)])
        await store.clear()
        assert await store.group(-1) is None
        assert await store.groups_for_channel(-100) == []
        assert await store.verdict(-1, 4) is None
        assert await store.restricted(-1) == []
        assert await store.position() == 0

    async def test_members_checked_counts_each_decided_member_once(self, store: ReadModels) -> None:
        await store.apply(1, [], [verdict(-1, 4), verdict(-1, 5, "verified"), verdict(-1, 6, "unknown"),
                                  verdict(-2, 4)])
        assert await store.checked(-1) == 2  # the one never decided (a name learnt, nothing more) is not counted
        await store.apply(2, [], [verdict(-1, 4, "released"), verdict(-1, 6, "verified"), verdict(-1, 5)])
        assert [await store.checked(c) for c in (-1, -2, -3)] == [3, 1, 0]
        await store.apply(3, [], [verdict(-1, 4, "released")])  # seen again: still one member
        assert await store.checked(-1) == 3

    async def test_releases_are_counted_by_member_from_an_instant_on(self, store: ReadModels) -> None:
        day = timedelta(days=1)
        await store.apply(1, [], [verdict(-1, 4, "released", released_at=SINCE),
                                  verdict(-1, 5, "released", released_at=SINCE + 2 * day),
                                  verdict(-2, 4, "released", released_at=SINCE + 2 * day)])
        assert await store.released_since(-1, SINCE) == 2
        assert await store.released_since(-1, SINCE + day) == 1
        assert await store.released_since(-1, SINCE + 2 * day) == 1  # at the instant counts
        assert await store.released_since(-3, SINCE) == 0
        # Released again later: counted once, at the latest release; restricted since: still released that day.
        await store.apply(2, [], [verdict(-1, 4, released_at=SINCE + 3 * day)])
        assert await store.released_since(-1, SINCE + day) == 2
        assert (await store.verdict(-1, 4)).released_at == SINCE + 3 * day

    async def test_releases_older_than_the_kept_window_are_forgotten(self, store: ReadModels) -> None:
        late = SINCE + RELEASES_KEPT + timedelta(days=2)
        await store.apply(1, [], [verdict(-1, 4, "released", released_at=SINCE)])
        await store.apply(2, [], [verdict(-1, 5, "released", released_at=late)])
        assert await store.released_since(-1, SINCE) == 1
        assert await store.released_since(-1, late - timedelta(days=7)) == 1
