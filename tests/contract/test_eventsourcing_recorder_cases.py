"""eventsourcing's own recorder test cases, run against our store through the synchronous facade."""

from typing import ClassVar
from uuid import uuid4

import pytest
from eventsourcing.tests import persistence  # a module, so its abstract cases are not collected here

from tests.contract.sync_recorder import SyncRecorder


@pytest.fixture(scope="class", autouse=True)
def _database(request: pytest.FixtureRequest, pg_dsn: str) -> None:
    request.cls.dsn = pg_dsn


class OnOurStore:
    """Each library test gets fresh tables, as the library's own suite drops its tables between tests."""

    dsn: ClassVar[str]

    def create_recorder(self) -> SyncRecorder:
        # The library's concurrency cases run 12 threads against one recorder.
        recorder = SyncRecorder.open(self.dsn, f"es{uuid4().hex[:12]}", pool_size=12)
        self.addCleanup(recorder.close)
        return recorder


class TestApplicationRecorder(OnOurStore, persistence.ApplicationRecorderTestCase[SyncRecorder]):
    def test_insert_subscribe(self) -> None:
        self.optional_test_insert_subscribe()


class TestTrackingRecorder(OnOurStore, persistence.TrackingRecorderTestCase):
    pass


class TestProcessRecorder(OnOurStore, persistence.ProcessRecorderTestCase):
    pass


class TestNonInterleavingNotificationIDs(OnOurStore, persistence.NonInterleavingNotificationIDsBaseCase):
    def test_many_races(self) -> None:
        # Without the table lock this case fails most runs; one pass proves little.
        for _ in range(10):
            self.test()
