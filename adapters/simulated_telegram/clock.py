"""A clock that only moves when told to, so a scenario's hour passes in an instant."""

from datetime import UTC, datetime, timedelta

EPOCH = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


class SimulatedClock:
    def __init__(self, start: datetime = EPOCH) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def time(self) -> float:
        return self._now.timestamp()

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)
