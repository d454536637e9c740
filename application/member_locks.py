"""One lock per member stream in this process.

Reading a member's rights on Telegram and recording a decision about them must not interleave with the
reactor muting them, or the bot's own mute could be taken for restrictions to restore. Locks are held weakly:
one nobody holds or waits for is dropped, so the table is as large as the work in hand, not as the groups.
"""

import asyncio
import weakref
from typing import Any


class MemberLocks:
    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[Any, asyncio.Lock] = weakref.WeakValueDictionary()

    def __call__(self, stream_id: Any) -> asyncio.Lock:
        lock = self._locks.get(stream_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[stream_id] = lock
        return lock

    def __len__(self) -> int:
        return len(self._locks)
