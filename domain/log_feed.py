"""What one log channel is owed: the batches of lines planned for it, which of them Telegram has, and whether
the bot may post there.

A batch is planned (with its idempotency key and the log position its lines reach) before it is sent, so a
process killed anywhere sends again exactly the batches planned and not confirmed, with the same key, and a
second process that read the same records plans nothing twice (`through` says which records are in a batch).
"""

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.ids import log_feed_stream_id


class LogFeed(Aggregate):
    @staticmethod
    def create_id(channel_id: int) -> UUID:
        return log_feed_stream_id(channel_id)

    @event("Opened")
    def __init__(self, channel_id: int, timestamp: datetime) -> None:
        self.channel_id = channel_id
        self.through = 0  # the log position the planned lines reach: records up to it are in a batch
        self.pending: list[dict[str, Any]] = []  # planned, not yet confirmed: {"key", "text", "lines"}
        self.lines_posted = 0
        self.blocked: str | None = None  # why the bot may not post here (an error kind), until it may again

    def covers(self, position: int) -> bool:
        return position <= self.through

    def plan(self, key: int, text: str, lines: int, through: int, timestamp: datetime) -> None:
        self._planned(key=key, text=text, lines=lines, through=through, timestamp=timestamp)

    def posted(self, key: int, message_id: int, timestamp: datetime) -> None:
        if any(batch["key"] == key for batch in self.pending):
            self._posted(key=key, message_id=message_id, timestamp=timestamp)

    def refuse(self, error: str, timestamp: datetime) -> bool:
        """Telegram refused the bot a post here: recorded once, until posting is set up again."""
        if self.blocked is not None:
            return False
        self._refused(error=error, timestamp=timestamp)
        return True

    def resume(self, timestamp: datetime) -> None:
        if self.blocked is not None:
            self._resumed(timestamp=timestamp)

    @event("BatchPlanned")
    def _planned(self, key: int, text: str, lines: int, through: int, timestamp: datetime) -> None:
        self.through = max(self.through, through)
        if key:
            self.pending = [*self.pending, {"key": key, "text": text, "lines": lines}]

    @event("BatchPosted")
    def _posted(self, key: int, message_id: int, timestamp: datetime) -> None:
        done = [batch for batch in self.pending if batch["key"] == key]
        self.pending = [batch for batch in self.pending if batch["key"] != key]
        self.lines_posted += sum(batch["lines"] for batch in done)

    @event("PostingRefused")
    def _refused(self, error: str, timestamp: datetime) -> None:
        self.blocked = error

    @event("PostingResumed")
    def _resumed(self, timestamp: datetime) -> None:
        self.blocked = None
