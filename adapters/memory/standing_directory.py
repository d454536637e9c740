"""The groups' standing directories in this process (one process, or a test)."""

from dataclasses import dataclass, field

from application.ports.standing_directory import Listed
from application.ports.telegram import Participant

COMPLETE = "complete"


@dataclass
class _Directory:
    entries: dict[int, Participant] = field(default_factory=dict)
    state: str = ""  # COMPLETE, the token of a fill under way, or "" (in doubt)
    noted: set[int] = field(default_factory=set)  # members noted since the fill under way began


class InMemoryStandingStore:
    def __init__(self) -> None:
        self._groups: dict[int, _Directory] = {}

    def _of(self, chat_id: int) -> _Directory:
        return self._groups.setdefault(chat_id, _Directory())

    async def lookup(self, chat_id: int, member_id: int) -> Listed:
        found = self._groups.get(chat_id)
        if found is None:
            return Listed(False)
        return Listed(found.state == COMPLETE, found.entries.get(member_id))

    async def begin_fill(self, chat_id: int, token: str) -> None:
        directory = self._of(chat_id)
        directory.state, directory.noted = token, set()

    async def finish_fill(self, chat_id: int, token: str, entries: dict[int, Participant]) -> bool:
        directory = self._of(chat_id)
        if directory.state != token:
            return False
        kept = {m: directory.entries[m] for m in directory.noted if m in directory.entries}
        directory.entries = {m: p for m, p in entries.items() if m not in directory.noted} | kept
        directory.state, directory.noted = COMPLETE, set()
        return True

    async def note(self, chat_id: int, member_id: int, participant: Participant | None) -> None:
        directory = self._of(chat_id)
        if directory.state not in ("", COMPLETE):  # a fill is under way: this change is newer than its listing
            directory.noted.add(member_id)
        if participant is None:
            directory.entries.pop(member_id, None)
        else:
            directory.entries[member_id] = participant

    async def doubt(self, chat_id: int) -> None:
        self._of(chat_id).state = ""

    async def doubt_all(self) -> None:
        for directory in self._groups.values():
            directory.state = ""
