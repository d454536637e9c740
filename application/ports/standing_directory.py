"""Where a group's standing directory is kept: who has a non-default place in the group, and whether that list
is known to be whole.

The directory holds the people whose place differs from a plain member's (restricted by an admin, with the rights
and end; banned; an admin), filled from Telegram's listings and kept current by the participant updates. It is
complete only between a fill that finished and the next reason to doubt it; while it is not, nobody may conclude
anything from someone's absence from it.
"""

from dataclasses import dataclass
from typing import Protocol

from application.ports.telegram import Participant


@dataclass(frozen=True)
class Listed:
    complete: bool  # the directory is whole and current: someone not in it has a plain member's rights
    participant: Participant | None = None  # as the directory holds them; None: not in it


class StandingStore(Protocol):
    async def lookup(self, chat_id: int, member_id: int) -> Listed: ...

    async def begin_fill(self, chat_id: int, token: str) -> None:
        """A listing starts: the directory is not complete, and changes noted from now on win over the listing."""

    async def finish_fill(self, chat_id: int, token: str, entries: dict[int, Participant]) -> bool:
        """The listing ended: it replaces the directory (but for members noted since `begin_fill`) and makes it
        complete, unless the directory was doubted or filled by another since; False then, nothing changed."""

    async def note(self, chat_id: int, member_id: int, participant: Participant | None) -> None:
        """A participant update: the member's place now (None: a plain member, dropped from the directory)."""

    async def doubt(self, chat_id: int) -> None:
        """Something may have changed unseen (lost rights, a gap in the updates): the directory is not complete."""

    async def doubt_all(self) -> None:
        """A process starts: whatever happened while no one listened is unknown, so no directory is complete."""
