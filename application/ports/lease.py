"""One active bot per event store: the process holding the store's lease acts, any other stands by.

Two bots acting on one log warn and release the same members twice and answer every press twice; the
lease makes a second process a standby that takes over when the first dies, instead of a twin.
"""

from typing import Protocol


class Lease(Protocol):
    async def acquire(self) -> bool:
        """Take the lease if no other process holds it; False at once when one does (True if already ours).

        Raises Unavailable while the service that keeps the lease cannot be reached.
        """

    async def lost(self) -> str:
        """Once held: return when the lease is no longer certainly ours, saying why."""

    async def release(self) -> None:
        """Give the lease up; harmless when it is not held."""
