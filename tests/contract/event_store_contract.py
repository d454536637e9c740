"""What every EventStore must do, run against each implementation by its own test module.

A subclass provides the `make_store` fixture: a factory that opens the store over fresh storage and
closes what it opened at teardown, linking its log chain with the `linker` it is given (unkeyed by default).
Calling the factory again must reopen the same storage.
"""

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.domain import Aggregate, Snapshot

from application.ports.event_store import ConcurrencyConflict, EventStore, Tracking
from application.repository import Repository
from domain.membership_verdict import NOT_SUBSCRIBED, MembershipVerdict
from domain.protected_group import ProtectedGroup, linked_channel
from infrastructure.log_chain import Linker

StoreFactory = Callable[..., Awaitable[EventStore]]
KEY = "contract-audit-key-0123456789"

# Not UTC and with microseconds, so a codec that drops either is caught.
WHEN = datetime(2025, 3, 14, 15, 9, 26, 535897, tzinfo=timezone(timedelta(hours=3)))


def a_group(chat_id: int = -1001) -> ProtectedGroup:
    group = ProtectedGroup(chat_id=chat_id, title="Rust Learners", timestamp=WHEN)
    group.protect([linked_channel(-2001, "News", "news")], by=42, timestamp=WHEN + timedelta(seconds=1))
    group.change_setting("warning_ttl", "60", by=42, timestamp=WHEN + timedelta(seconds=2))
    return group


def a_verdict(chat_id: int = -1001, member_id: int = 7) -> MembershipVerdict:
    verdict = MembershipVerdict(chat_id=chat_id, member_id=member_id, timestamp=WHEN)
    verdict.restrict(
        reason=NOT_SUBSCRIBED,
        missing=[-2001],
        trigger="message",
        action="mute",
        prior_restrictions=["send_media"],
        message_id=99,
        timestamp=WHEN + timedelta(minutes=1),
    )
    verdict.mute_applied(timestamp=WHEN + timedelta(minutes=1, seconds=1))
    return verdict


def replay(events: list[Any]) -> Any:
    aggregate = None
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


def state(aggregate: Aggregate) -> dict[str, Any]:
    return {k: v for k, v in vars(aggregate).items() if k != "_pending_events"}


async def assert_chained(store: Any, linker: Linker) -> list[Any]:
    """Every row links to the row before it in the whole log, and the head names the last row; returns the rows."""
    rows = await store.read_log(0, 10_000)
    previous = None
    for row in rows:
        assert row.link == linker.link(previous, row.stream_hash), row.position
        assert row.keyed_by == linker.fingerprint
        previous = row.link
    assert await store.log_head() == (linker.head(rows[-1].position, rows[-1].link) if rows else None)
    return rows


class EventStoreContract:
    @pytest.fixture
    def make_store(self) -> StoreFactory:
        pytest.fail(f"{type(self).__name__} must provide a make_store fixture")

    @pytest.fixture
    async def store(self, make_store: StoreFactory) -> EventStore:
        return await make_store()

    async def test_domain_events_round_trip_through_read_stream(self, store: EventStore) -> None:
        group, verdict = a_group(), a_verdict()
        group_events, verdict_events = group.collect_events(), verdict.collect_events()

        positions = await store.append(group_events)
        await store.append(verdict_events)

        read = await store.read_stream(group.id)
        assert read == group_events
        assert [type(e) for e in read] == [type(e) for e in group_events]
        # Equal datetimes may still differ in offset; the log must keep the offset too.
        assert [(e.timestamp, e.timestamp.utcoffset()) for e in read] == [
            (e.timestamp, e.timestamp.utcoffset()) for e in group_events
        ]
        assert await store.read_stream(verdict.id) == verdict_events
        assert await store.read_stream(group.id, after_version=1) == group_events[1:]
        assert await store.read_stream(group.id, after_version=len(group_events)) == []
        assert await store.read_stream(uuid4()) == []
        assert len(positions) == len(group_events)

    async def test_several_aggregates_are_appended_as_one_batch(self, store: EventStore) -> None:
        group, verdict = a_group(), a_verdict()
        events = group.collect_events() + verdict.collect_events()

        positions = await store.append(events)

        assert len(positions) == len(events)
        assert positions == sorted(set(positions))
        assert [r.event for r in await store.read_all()] == events
        assert [r.position for r in await store.read_all()] == positions

    async def test_conflict_stores_nothing_in_any_stream(self, store: EventStore) -> None:
        group, verdict = a_group(), a_verdict()
        group_events, verdict_events = group.collect_events(), verdict.collect_events()
        await store.append(group_events[:1])
        last = await store.last_position()

        with pytest.raises(ConcurrencyConflict):
            await store.append(verdict_events + group_events)  # group version 1 is taken

        assert await store.read_stream(verdict.id) == []
        assert await store.read_stream(group.id) == group_events[:1]
        assert await store.last_position() == last

    async def test_duplicate_version_within_one_batch_conflicts(self, store: EventStore) -> None:
        events = a_group().collect_events()

        with pytest.raises(ConcurrencyConflict):
            await store.append([events[0], events[0]])

        assert await store.read_all() == []

    async def test_second_writer_of_the_same_version_conflicts(self, store: EventStore) -> None:
        group = a_group()
        await store.append(group.collect_events())
        first, second = replay(await store.read_stream(group.id)), replay(await store.read_stream(group.id))
        first.link(linked_channel(-2002, "Jobs"), by=42, timestamp=WHEN + timedelta(hours=1))
        second.refuse_command(by=13, command="/unprotect", timestamp=WHEN + timedelta(hours=1))

        await store.append(first.collect_events())
        with pytest.raises(ConcurrencyConflict):
            await store.append(second.collect_events())

        assert replay(await store.read_stream(group.id)).channel_ids == [-2001, -2002]

    async def test_read_all_orders_by_position_with_after_and_limit(self, store: EventStore) -> None:
        group_events, verdict_events = a_group().collect_events(), a_verdict().collect_events()
        positions = await store.append(group_events) + await store.append(verdict_events)

        everything = await store.read_all()

        assert [r.event for r in everything] == group_events + verdict_events
        assert [r.position for r in everything] == positions == sorted(set(positions))
        assert await store.read_all(limit=2) == everything[:2]
        assert await store.read_all(after=everything[1].position) == everything[2:]
        assert await store.read_all(after=everything[1].position, limit=1) == everything[2:3]
        assert await store.read_all(after=everything[-1].position) == []

    async def test_followers_reading_in_turns_while_the_log_grows_each_see_all_of_it_in_order(
        self, store: EventStore
    ) -> None:
        """Three followers with their own batch sizes, reads interleaved with appends and a refused append
        (which may leave a gap in the numbering): each ends with exactly what was appended."""
        appended: list[tuple[int, Any]] = []
        cursors, seen = [0, 0, 0], [[], [], []]

        async def follow(index: int, limit: int) -> None:
            for record in await store.read_all(after=cursors[index], limit=limit):
                seen[index].append((record.position, record.event))
                cursors[index] = record.position

        for round_ in range(6):
            verdict = a_verdict(member_id=100 + round_)
            events = verdict.collect_events()
            appended += list(zip(await store.append(events), events, strict=True))
            if round_ == 2:
                with pytest.raises(ConcurrencyConflict):
                    await store.append(events)  # the same versions again
            await follow(0, 1000)
            await follow(1, 1)
            if round_ % 2:
                await follow(2, 3)
        for index, limit in enumerate((1000, 1, 3)):
            while len(seen[index]) < len(appended) and await store.read_all(after=cursors[index], limit=limit):
                await follow(index, limit)
        assert seen == [appended] * 3
        assert await store.read_all(after=appended[-1][0]) == []

    async def test_last_position_is_the_latest_appended(self, store: EventStore) -> None:
        assert await store.last_position() == 0
        positions = await store.append(a_group().collect_events())
        assert await store.last_position() == positions[-1]
        positions = await store.append(a_verdict().collect_events())
        assert await store.last_position() == positions[-1]

    async def test_tracking_advances_and_refuses_to_go_back(self, store: EventStore) -> None:
        group = a_group()
        events = group.collect_events()
        assert await store.tracking_position("projector") == 0

        await store.append(events[:1], Tracking("projector", 3))
        await store.append(events[1:2], Tracking("projector", 5))
        assert await store.tracking_position("projector") == 5

        for stale in (5, 4):
            with pytest.raises(ConcurrencyConflict):
                await store.append(events[2:], Tracking("projector", stale))

        assert await store.tracking_position("projector") == 5
        assert await store.read_stream(group.id) == events[:2]  # the refused tracking took its events along
        assert await store.tracking_position("reactor") == 0

    async def test_conflicting_events_do_not_move_the_tracking(self, store: EventStore) -> None:
        group, verdict = a_group(), a_verdict()
        group_events, verdict_events = group.collect_events(), verdict.collect_events()
        await store.append(group_events, Tracking("projector", 1))

        with pytest.raises(ConcurrencyConflict):
            await store.append(verdict_events + group_events[:1], Tracking("projector", 2))

        assert await store.tracking_position("projector") == 1
        assert await store.read_stream(verdict.id) == []

    async def test_tracking_can_be_appended_without_events(self, store: EventStore) -> None:
        assert await store.append([], Tracking("projector", 4)) == []
        assert await store.tracking_position("projector") == 4
        assert await store.last_position() == 0

        with pytest.raises(ConcurrencyConflict):
            await store.append([], Tracking("projector", 4))
        assert await store.append([]) == []

    async def test_replaying_a_stream_rebuilds_the_aggregate(self, store: EventStore) -> None:
        group, verdict = a_group(), a_verdict()
        group.link(linked_channel(-2002, "Jobs", invite_link="https://t.me/+jobs"), by=42, timestamp=WHEN)
        verdict.release(how="verify_pressed", by=None, timestamp=WHEN + timedelta(hours=2))
        await store.append(group.collect_events() + verdict.collect_events())

        rebuilt_group = replay(await store.read_stream(group.id))
        rebuilt_verdict = replay(await store.read_stream(verdict.id))

        assert type(rebuilt_group) is ProtectedGroup
        assert state(rebuilt_group) == state(group)
        assert state(rebuilt_verdict) == state(verdict)
        assert rebuilt_group.version == group.version == 4

    async def test_snapshots_keep_the_latest_state_per_stream(self, store: EventStore) -> None:
        verdict = a_verdict()
        await store.append(verdict.collect_events())
        assert await store.latest_snapshot(verdict.id) is None
        await store.save_snapshot(Snapshot.take(verdict))
        verdict.release(how="verify_pressed", by=None, timestamp=WHEN)
        await store.append(verdict.collect_events())
        await store.save_snapshot(Snapshot.take(verdict))
        await store.save_snapshot(Snapshot.take(verdict))  # the same version again is harmless

        latest = await store.latest_snapshot(verdict.id)
        assert latest.originator_version == verdict.version
        assert state(latest.mutate(None)) == state(verdict)
        assert await store.latest_snapshot(a_group().id) is None

    async def test_repository_loads_from_a_snapshot_and_the_events_after_it(self, store: EventStore) -> None:
        repository = Repository(store, snapshot_every=5)
        verdict = a_verdict()  # three events; each save below adds two: versions 5, 7, 9, 11, 13
        for hour in range(1, 6):
            verdict.release(how="verify_pressed", by=None, timestamp=WHEN + timedelta(hours=hour))
            verdict.restrict(NOT_SUBSCRIBED, [-2001], "message", "mute", [], None, WHEN + timedelta(hours=hour))
            await repository.save(verdict)
        snapshot = await store.latest_snapshot(verdict.id)
        assert snapshot is not None and snapshot.originator_version == 11  # the save that crossed 10
        assert state(await repository.get(verdict.id)) == state(verdict)
        assert len(await store.read_stream(verdict.id, snapshot.originator_version)) == 2

    async def test_load_stream_of_an_unknown_stream_is_empty(self, store: EventStore) -> None:
        await store.append(a_group().collect_events())
        assert await store.load_stream(uuid4()) == (None, [])

    async def test_load_stream_without_a_snapshot_gives_every_event_in_order(self, store: EventStore) -> None:
        group, verdict = a_group(), a_verdict()
        group_events = group.collect_events()
        await store.append(group_events[:2])
        await store.append(verdict.collect_events())  # another stream in between, and with a snapshot
        await store.save_snapshot(Snapshot.take(verdict))
        await store.append(group_events[2:])

        assert await store.load_stream(group.id) == (None, group_events)

    async def test_load_stream_gives_the_latest_snapshot_and_only_the_events_after_it(self, store: EventStore) -> None:
        verdict = a_verdict()
        await store.append(verdict.collect_events())
        await store.save_snapshot(Snapshot.take(verdict))
        verdict.release(how="verify_pressed", by=None, timestamp=WHEN + timedelta(hours=1))
        await store.append(verdict.collect_events())
        await store.save_snapshot(Snapshot.take(verdict))  # the latest: version 4
        at_snapshot = state(verdict)
        verdict.restrict(NOT_SUBSCRIBED, [-2001], "message", "mute", [], None, WHEN + timedelta(hours=2))
        verdict.mute_applied(timestamp=WHEN + timedelta(hours=2, seconds=1))
        later = verdict.collect_events()
        await store.append(later)

        snapshot, events = await store.load_stream(verdict.id)

        assert snapshot is not None and snapshot.originator_version == 4
        assert state(snapshot.mutate(None)) == at_snapshot
        assert events == later
        assert [e.originator_version for e in events] == [5, 6]

    async def test_load_stream_agrees_with_latest_snapshot_and_read_stream(self, store: EventStore) -> None:
        bare, at_head, behind = a_group(), a_verdict(member_id=7), a_verdict(member_id=8)
        await store.append(bare.collect_events() + at_head.collect_events() + behind.collect_events())
        await store.save_snapshot(Snapshot.take(at_head))
        await store.save_snapshot(Snapshot.take(behind))
        behind.release(how="verify_pressed", by=None, timestamp=WHEN + timedelta(hours=1))
        await store.append(behind.collect_events())

        for stream_id in (bare.id, at_head.id, behind.id, uuid4()):
            snapshot = await store.latest_snapshot(stream_id)
            after = snapshot.originator_version if snapshot else 0
            assert await store.load_stream(stream_id) == (snapshot, await store.read_stream(stream_id, after))


    async def test_every_row_links_to_the_row_before_it_in_the_whole_log(self, store: EventStore) -> None:
        """Streams interleaved, a refused append between (PostgreSQL burns its positions: a legitimate gap)."""
        assert await assert_chained(store, Linker()) == []
        group, verdict = a_group(), a_verdict()
        group_events, verdict_events = group.collect_events(), verdict.collect_events()
        await store.append(group_events[:1])
        await store.append(verdict_events[:2])
        with pytest.raises(ConcurrencyConflict):
            await store.append(group_events[1:] + verdict_events[:1])
        await store.append(group_events[1:] + verdict_events[2:], Tracking("reactor", 1))
        rows = await assert_chained(store, Linker())
        assert [r.event.originator_id for r in rows] == [group.id, verdict.id, verdict.id, group.id, group.id,
                                                          verdict.id]
        assert await store.tracking_positions() == {"reactor": 1}

    async def test_a_keyed_log_carries_macs_and_the_keys_fingerprint_never_the_key(
        self, make_store: StoreFactory
    ) -> None:
        linker = Linker(KEY)
        store = await make_store(linker)
        await store.append(a_group().collect_events())
        await store.append(a_verdict().collect_events())
        rows = await assert_chained(store, linker)
        unkeyed = Linker()
        assert rows[0].link != unkeyed.link(None, rows[0].stream_hash)
        head = await store.log_head()
        assert head.seal == linker.seal(head.link) is not None and head.keyed_by == linker.fingerprint
        stored = b"".join(bytes(r.event.state) + r.event.topic.encode() + r.link + r.keyed_by for r in rows)
        assert KEY.encode() not in stored + head.link + head.seal and KEY not in repr(linker)


class DurableEventStoreContract(EventStoreContract):
    """For stores whose log outlives the object: `make_store` opens the same log again."""

    async def test_reopened_store_keeps_history(self, make_store: StoreFactory) -> None:
        group = a_group()
        events = group.collect_events()
        first = await make_store()
        positions = await first.append(events, Tracking("projector", 2))
        await first.close()

        reopened = await make_store()

        assert await reopened.read_stream(group.id) == events
        assert [r.position for r in await reopened.read_all()] == positions
        assert await reopened.tracking_position("projector") == 2
        assert await reopened.append(a_group(-1002).collect_events()) == [4, 5, 6]

    async def test_two_writers_of_one_log_taking_turns_keep_one_chain(self, make_store: StoreFactory) -> None:
        """Each continues from the head it last wrote; the other's appends moved it, and that must be seen."""
        first, second = await make_store(), await make_store()
        await first.append(a_group().collect_events())
        await second.append(a_verdict(member_id=1).collect_events())
        await first.append(a_verdict(member_id=2).collect_events())
        await first.append(a_verdict(member_id=3).collect_events())
        await second.append(a_verdict(member_id=4).collect_events())
        assert len(await assert_chained(second, Linker())) == 15
        await first.close()
        reopened = await make_store()
        await reopened.append(a_group(-1002).collect_events())
        assert len(await assert_chained(reopened, Linker())) == 18
