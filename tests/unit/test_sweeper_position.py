"""The sweeper records how far it got past records it need not sweep now and then, not on every pass."""

from datetime import UTC, datetime

from adapters.memory.event_store import InMemoryEventStore
from application import sweeper as sweeping
from domain import membership_verdict as mv

T = datetime(2026, 1, 1, tzinfo=UTC)


class TrackingCounter(InMemoryEventStore):
    """Counts the records that move a tracking position and nothing else, and where each read starts."""

    def __init__(self) -> None:
        super().__init__()
        self.tracking_only = 0
        self.reads_after: list[int] = []

    async def append(self, events, tracking=None):
        self.tracking_only += not events and tracking is not None
        return await super().append(events, tracking)

    async def read_all(self, after=0, limit=1000, topics=()):
        self.reads_after.append(after)
        return await super().read_all(after, limit, topics)


async def record_verdicts(store: InMemoryEventStore, members: range) -> None:
    """Decisions about members: records the sweeper has nothing to do with."""
    for member in members:
        verdict = mv.MembershipVerdict(chat_id=1, member_id=member, timestamp=T)
        verdict.verify([5], "message", T)
        await store.append(verdict.collect_events())


async def test_the_sweeper_moves_its_position_past_records_it_need_not_sweep_now_and_then_only(monkeypatch) -> None:
    """Passes over records with nothing to sweep record no position (a transaction each, on every pass, before);
    the next pass reads on from where this one stopped all the same, and once IDLE_STEP positions lie behind,
    the position is recorded, so a restart does not read them again."""
    monkeypatch.setattr(sweeping, "IDLE_STEP", 10)
    store = TrackingCounter()
    sweeper = sweeping.Sweeper(store, ctx=None)
    await record_verdicts(store, range(3))
    assert await sweeper.catch_up() == 0
    first_end = await store.last_position()
    await record_verdicts(store, range(3, 5))
    assert await sweeper.catch_up() == 0
    assert store.tracking_only == 0 and await store.tracking_position(sweeping.NAME) == 0
    assert store.reads_after[-1] == first_end  # the second pass did not read the first one's records again
    await record_verdicts(store, range(5, 12))
    await sweeper.catch_up()
    assert store.tracking_only == 1
    assert await store.tracking_position(sweeping.NAME) == await store.last_position()
