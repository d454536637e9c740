"""In a scale-out only the worker holding the control partition posts to the log channels, and its calls carry
that partition, so the gateway fences them with the control lease."""

from adapters.memory.event_store import InMemoryEventStore
from application.context import GateContext
from application.ownership import CONTROL, current_partition
from entrypoints.partition_worker import ControlLogPoster


class WatchedStore(InMemoryEventStore):
    """Notes the partition each read of the log poster's position was made under."""

    def __init__(self) -> None:
        super().__init__()
        self.partitions: list[object] = []

    async def tracking_position(self, reader: str) -> int:
        self.partitions.append(current_partition.get())
        return await super().tracking_position(reader)


def poster(store: WatchedStore, owned: set) -> ControlLogPoster:
    return ControlLogPoster(store, GateContext.__new__(GateContext), owned=lambda: owned)


async def test_a_worker_without_the_control_partition_posts_nothing() -> None:
    store = WatchedStore()
    assert await poster(store, {0, 1}).catch_up() == 0
    assert store.partitions == []  # it did not even read where posting stands


async def test_the_control_partition_s_holder_posts_under_that_partition() -> None:
    store = WatchedStore()
    assert await poster(store, {CONTROL}).catch_up() == 0  # an empty log: nothing to post
    assert store.partitions == [CONTROL]
    assert current_partition.get() != CONTROL  # and only while it posts
