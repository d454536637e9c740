"""PostgresEventStore behind eventsourcing's synchronous ProcessRecorder interface.

eventsourcing's recorders are called from plain threads; our store lives on asyncio. The facade owns a
private event loop in a background thread and runs every call there, so any number of caller threads
share one asyncpg pool and still write concurrently.
"""

import asyncio
from collections.abc import Coroutine, Sequence
from threading import Thread
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.persistence import (
    IntegrityError,
    ListenNotifySubscription,
    Notification,
    ProcessRecorder,
    StoredEvent,
)
from eventsourcing.persistence import Tracking as LibraryTracking

from adapters.postgres.event_store import PostgresEventStore
from application.ports.event_store import ConcurrencyConflict, Tracking

T = TypeVar("T")


class SyncRecorder(ProcessRecorder):
    def __init__(self, store: PostgresEventStore, loop: asyncio.AbstractEventLoop, thread: Thread) -> None:
        self.store = store
        self._loop = loop
        self._thread = thread

    @classmethod
    def open(cls, dsn: str, name: str = "chanwarden", schema: str | None = None, **options: Any) -> "SyncRecorder":
        loop = asyncio.new_event_loop()
        thread = Thread(target=loop.run_forever, name=f"{name}-recorder", daemon=True)
        thread.start()
        try:
            opening = PostgresEventStore.open(dsn, name, schema=schema, **options)
            store = asyncio.run_coroutine_threadsafe(opening, loop).result()
        except BaseException:
            _stop(loop, thread)
            raise
        return cls(store, loop, thread)

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def close(self) -> None:
        if not self._loop.is_closed():
            self.run(self.store.close())
            _stop(self._loop, self._thread)

    # ApplicationRecorder

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        tracking: LibraryTracking | None = kwargs.get("tracking")
        ours = Tracking(tracking.application_name, tracking.notification_id) if tracking else None
        try:
            return self.run(self.store.append_stored(stored_events, ours))
        except ConcurrencyConflict as conflict:
            raise IntegrityError(str(conflict)) from None

    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        stream_id = originator_id if isinstance(originator_id, UUID) else UUID(originator_id)
        return self.run(self.store.select_stored(stream_id, gt=gt, lte=lte, desc=desc, limit=limit))

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        after = 0 if start is None else start - 1 if inclusive_of_start else start
        return self.run(self.store.notifications(after, limit, stop, topics))

    def max_notification_id(self) -> int | None:
        return self.run(self.store.last_position()) or None  # positions start at 1

    def subscribe(self, gt: int | None = None, topics: Sequence[str] = ()) -> "Subscription":
        return Subscription(self, gt, topics)

    # TrackingRecorder

    def insert_tracking(self, tracking: LibraryTracking) -> None:
        self.insert_events([], tracking=tracking)

    def max_tracking_id(self, application_name: str) -> int | None:
        return self.run(self.store.tracked(application_name))


class Subscription(ListenNotifySubscription[SyncRecorder]):
    """The library's pull-on-notify subscription, woken by our store's LISTEN connection."""

    def __init__(self, recorder: SyncRecorder, gt: int | None = None, topics: Sequence[str] = ()) -> None:
        # Listen before the base class starts its first pull, so no append falls between the two.
        self._seen = recorder.run(recorder.store.notification_count())
        super().__init__(recorder=recorder, gt=gt, topics=topics)
        self._listen_thread = Thread(target=self._listen, daemon=True)
        self._listen_thread.start()

    def __exit__(self, *args: object, **kwargs: Any) -> None:
        try:
            super().__exit__(*args, **kwargs)
        finally:
            self._listen_thread.join()

    def _listen(self) -> None:
        store = self._recorder.store
        try:
            while not self._has_been_stopped and self._thread_error is None:
                # Short waits so that stop() is noticed promptly.
                count = self._recorder.run(_count_after(store, self._seen, timeout=0.1))
                if count != self._seen:
                    self._seen = count
                    self._has_been_notified.set()
        except BaseException as error:
            if self._thread_error is None:
                self._thread_error = error
            self.stop()


async def _count_after(store: PostgresEventStore, seen: int, timeout: float) -> int:
    await store.wait_for_events(timeout, seen)
    return await store.notification_count()


def _stop(loop: asyncio.AbstractEventLoop, thread: Thread) -> None:
    loop.call_soon_threadsafe(loop.stop)
    thread.join()
    loop.close()
