"""What every standing directory store promises: complete only after a fill that nothing doubted, and a change
noted during a fill wins over the listing."""

from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime

from application.ports.standing_directory import StandingStore
from application.ports.telegram import Participant
from domain import subscription as sub

CHAT = -100
MUTED = Participant(sub.RESTRICTED, frozenset({"send_photos"}), datetime(2030, 1, 1, tzinfo=UTC))
BANNED = Participant(sub.KICKED, frozenset({"view_messages"}))


class StandingStoreContract:
    def make(self) -> AbstractAsyncContextManager[StandingStore]:
        raise NotImplementedError

    async def _filled(self, store: StandingStore, entries: dict) -> None:
        await store.begin_fill(CHAT, "t1")
        assert await store.finish_fill(CHAT, "t1", entries)

    async def test_a_directory_never_filled_is_not_complete(self) -> None:
        async with self.make() as store:
            assert not (await store.lookup(CHAT, 1)).complete

    async def test_a_finished_fill_is_complete_and_lists_its_entries(self) -> None:
        async with self.make() as store:
            await self._filled(store, {1: MUTED, 2: BANNED})
            assert (await store.lookup(CHAT, 1)).participant == MUTED
            assert (await store.lookup(CHAT, 2)).participant == BANNED
            absent = await store.lookup(CHAT, 3)
            assert absent.complete and absent.participant is None
            assert not (await store.lookup(CHAT + 1, 1)).complete  # per group

    async def test_a_fill_is_not_complete_until_it_finishes(self) -> None:
        async with self.make() as store:
            await self._filled(store, {})
            await store.begin_fill(CHAT, "t2")
            assert not (await store.lookup(CHAT, 1)).complete

    async def test_a_doubt_during_a_fill_keeps_it_incomplete(self) -> None:
        async with self.make() as store:
            await store.begin_fill(CHAT, "t1")
            await store.doubt(CHAT)
            assert not await store.finish_fill(CHAT, "t1", {1: MUTED})
            assert not (await store.lookup(CHAT, 1)).complete

    async def test_a_later_fill_wins_over_an_earlier_one(self) -> None:
        async with self.make() as store:
            await store.begin_fill(CHAT, "t1")
            await store.begin_fill(CHAT, "t2")
            assert not await store.finish_fill(CHAT, "t1", {1: MUTED})
            assert await store.finish_fill(CHAT, "t2", {})
            assert (await store.lookup(CHAT, 1)).participant is None

    async def test_changes_noted_during_a_fill_win_over_the_listing(self) -> None:
        async with self.make() as store:
            await store.begin_fill(CHAT, "t1")
            await store.note(CHAT, 1, None)  # freed by an admin after the listing read them
            await store.note(CHAT, 2, MUTED)  # restricted after the listing passed them
            assert await store.finish_fill(CHAT, "t1", {1: MUTED})
            assert (await store.lookup(CHAT, 1)).participant is None
            assert (await store.lookup(CHAT, 2)).participant == MUTED

    async def test_notes_keep_a_complete_directory_current(self) -> None:
        async with self.make() as store:
            await self._filled(store, {1: MUTED})
            await store.note(CHAT, 1, None)
            await store.note(CHAT, 2, BANNED)
            assert (await store.lookup(CHAT, 1)) == (await store.lookup(CHAT, 3))
            found = await store.lookup(CHAT, 2)
            assert found.complete and found.participant == BANNED

    async def test_a_start_doubts_every_directory(self) -> None:
        async with self.make() as store:
            await self._filled(store, {1: MUTED})
            await store.doubt_all()
            found = await store.lookup(CHAT, 1)
            assert not found.complete
