"""Time, so the simulator can run a day in a second."""

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Timezone-aware UTC now."""

    def time(self) -> float:
        """Seconds since the epoch, for expiry arithmetic."""
