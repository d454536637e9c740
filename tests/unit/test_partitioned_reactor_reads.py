"""A worker's reactor reads only the records it routes, yet its partitions' positions pass over all the others.

Every worker follows the whole log; decoding records it then passed over as done was a cost each worker paid for
every update. Here the reactor's store is watched: it must never be handed a record outside `ROUTED`, and still
carry out a member's mute and move every owned partition to the end of the log.
"""

from functools import partial

from adapters.memory.event_store import InMemoryEventStore
from adapters.simulated_telegram.clock import SimulatedClock
from adapters.simulated_telegram.gateway import SimulatedTelegram
from application.ownership import CONTROL
from application.partitioned_reactor import ROUTED, PartitionedReactor, tracking_name
from infrastructure.bootstrap import bootstrap
from infrastructure.settings import Settings
from tests.unit.test_handlers import make_world, message, protect

PARTITIONS = 4


class ReadsSeen:
    """The store, with every record `read_all` hands out kept aside."""

    def __init__(self, store) -> None:
        self._store = store
        self.handed: list = []

    def __getattr__(self, name):
        return getattr(self._store, name)

    async def read_all(self, after=0, limit=1000, topics=()):
        records = await self._store.read_all(after, limit, topics)
        self.handed += records
        return records


async def test_the_reactor_is_handed_only_routed_records_and_its_positions_still_reach_the_end():
    world, clock, store = make_world(), SimulatedClock(), InMemoryEventStore()
    telegram = SimulatedTelegram(world, clock)
    seen: list[ReadsSeen] = []

    def reactor(store, ctx):
        watched = ReadsSeen(store)
        seen.append(watched)
        return PartitionedReactor(watched, ctx, partitions=PARTITIONS, owned=lambda: {*range(PARTITIONS), CONTROL})

    gate = await bootstrap(Settings(event_store="memory"), clock=clock, gateway=telegram, store=store,
                           reactor=partial(reactor)).start()
    await protect(gate)
    assert await gate.handle(message(1, message_id=60)) == "passed"  # Alice, subscribed
    assert await gate.handle(message(2, message_id=61)) == "restricted"  # Bob, not subscribed
    await gate.settle()

    assert world.chats[2001].participants[2].status == "restricted"  # Bob's mute was carried out
    watched = seen[0]
    routed = {topic.rsplit("#", 1)[-1].rsplit(".", 1)[-1] for topic in ROUTED}
    handed = [type(r.event).__name__ for r in watched.handed]
    assert "MemberRestricted" in handed
    assert set(handed) <= routed, f"read records it only passes over: {set(handed) - routed}"
    everything = [type(r.event).__name__ for r in await store.read_all(0, 10_000)]
    assert {"Protected", "MuteApplied"} <= set(everything)  # recorded, and never handed to the reactor
    end = await store.last_position()
    for partition in (*range(PARTITIONS), CONTROL):
        assert await store.tracking_position(tracking_name(partition)) == end
