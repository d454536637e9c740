"""Which update state may be saved: the one that counts no update whose decision is not yet durable.

Telegram resumes a restarted bot from the update state it saved (getDifference from pts/qts, and
getChannelDifference from each channel's pts). Telethon moves that state on as soon as it *receives* an
update, before any handler has run, and saves it every minute and on disconnect: a kill after a save
would then skip updates whose decisions were never recorded. So every batch Telethon takes in is noted
here with the state from which Telegram would hand it out again (its floor), and counts as in flight
until every one of its updates was handled, that is, its decision is in the event store or the spool.
The state worth saving is the floor of the oldest batch still in flight, or the current state when none
is: a kill can then only make Telegram deliver again updates that were already handled (which the
application absorbs), never skip one.
"""

from collections import deque
from dataclasses import dataclass, field
from typing import Any

# (account state: pts, qts, date, seq), {channel id: pts}: the shape of Telethon's MessageBox.session_state().
Snapshot = tuple[dict[str, Any], dict[int, int]]


@dataclass
class Batch:
    floor: Snapshot
    updates: list  # held, so that no id below is reused while the batch waits
    waiting: set[int] = field(default_factory=set)  # ids of its updates not handled yet


class UpdateTracker:
    def __init__(self) -> None:
        self._batches: deque[Batch] = deque()
        self._batch_of: dict[int, Batch] = {}

    def received(self, floor: Snapshot, updates: list) -> None:
        """A batch of updates taken in, and the state Telegram would hand all of them out again from."""
        if not updates:
            return
        batch = Batch(floor, list(updates), {id(u) for u in updates})
        self._batches.append(batch)
        self._batch_of.update((id(u), batch) for u in updates)

    def handled(self, update: Any) -> None:
        """Every handler of `update` returned: its decision is recorded or spooled."""
        batch = self._batch_of.pop(id(update), None)
        if batch is None:
            return  # not taken in through the update state (a test pushing updates by hand)
        batch.waiting.discard(id(update))
        while self._batches and not self._batches[0].waiting:
            self._batches.popleft()

    @property
    def in_flight(self) -> int:
        return len(self._batch_of)

    def durable(self, current: Snapshot) -> Snapshot:
        """The state to save: `current` when nothing is in flight, else the oldest in-flight batch's floor."""
        return self._batches[0].floor if self._batches else current
