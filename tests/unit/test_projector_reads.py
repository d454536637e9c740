"""The projector reads the log in batches and stops at the end without asking once more."""

from adapters.memory.event_store import InMemoryEventStore
from adapters.memory.read_models import InMemoryReadModels
from application.projector import Projector
from domain.membership_verdict import MembershipVerdict


class ReadCountingStore(InMemoryEventStore):
    def __init__(self) -> None:
        super().__init__()
        self.reads: list[int] = []  # how many records each read_all returned

    async def read_all(self, after=0, limit=1000, topics=()):
        records = await super().read_all(after, limit, topics)
        self.reads.append(len(records))
        return records


async def verdicts(store: InMemoryEventStore, members: range) -> None:
    for member in members:
        verdict = MembershipVerdict(chat_id=-100, member_id=member, timestamp=0.0)
        verdict.verify([-200], "message", 0.0)
        await store.append(verdict.collect_events())


async def test_a_short_batch_is_the_end_of_the_log() -> None:
    store, models = ReadCountingStore(), InMemoryReadModels()
    await verdicts(store, range(5))  # 10 events
    projector = Projector(store, models, batch=4)
    assert await projector.catch_up() == 10
    assert store.reads == [4, 4, 2]  # no fourth read to find nothing
    assert await models.position() == 10 and len([m for m in range(5) if await models.verdict(-100, m)]) == 5


async def test_a_full_last_batch_needs_one_more_read_to_know_it_was_the_last() -> None:
    store, models = ReadCountingStore(), InMemoryReadModels()
    await verdicts(store, range(4))  # 8 events
    assert await Projector(store, models, batch=4).catch_up() == 8
    assert store.reads == [4, 4, 0]
