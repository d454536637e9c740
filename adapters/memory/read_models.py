"""Read models held in this process, rebuilt from the log on start."""

from collections.abc import Sequence
from datetime import datetime

from application.ports.read_models import RELEASES_KEPT, GroupView, VerdictView
from domain.membership_verdict import RESTRICTED


class InMemoryReadModels:
    def __init__(self) -> None:
        self._position = 0
        self._groups: dict[int, GroupView] = {}
        self._channel_groups: dict[int, set[int]] = {}
        self._verdicts: dict[tuple[int, int], VerdictView] = {}
        self._restricted: dict[int, set[int]] = {}
        self._restricted_in: dict[int, set[int]] = {}  # member -> chats where they are restricted
        self._warned: set[tuple[int, int]] = set()
        self._checked: dict[int, set[int]] = {}  # chat -> members the gate decided about
        self._released: dict[int, dict[int, datetime]] = {}  # chat -> member -> their latest release

    async def group(self, chat_id: int) -> GroupView | None:
        return self._groups.get(chat_id)

    async def groups_for_channel(self, channel_id: int) -> list[int]:
        return sorted(self._channel_groups.get(channel_id, ()))

    async def verdict(self, chat_id: int, member_id: int) -> VerdictView | None:
        return self._verdicts.get((chat_id, member_id))

    async def restricted(self, chat_id: int) -> list[VerdictView]:
        return [self._verdicts[(chat_id, m)] for m in sorted(self._restricted.get(chat_id, ()))]

    async def restricted_member(self, member_id: int) -> list[VerdictView]:
        return [self._verdicts[(c, member_id)] for c in sorted(self._restricted_in.get(member_id, ()))]

    async def live_warnings(self) -> list[VerdictView]:
        return [self._verdicts[k] for k in sorted(self._warned)]

    async def checked(self, chat_id: int) -> int:
        return len(self._checked.get(chat_id, ()))

    async def released_since(self, chat_id: int, since: datetime) -> int:
        return sum(1 for at in self._released.get(chat_id, {}).values() if at >= since)

    async def position(self) -> int:
        return self._position

    async def apply(self, position: int, groups: Sequence[GroupView], verdicts: Sequence[VerdictView]) -> None:
        for group in groups:
            old = self._groups.get(group.chat_id)
            for channel in old.channel_ids if old else ():
                self._channel_groups.get(channel, set()).discard(group.chat_id)
            if group.protected:
                for channel in group.channel_ids:
                    self._channel_groups.setdefault(channel, set()).add(group.chat_id)
            self._groups[group.chat_id] = group
        for verdict in verdicts:
            self._verdicts[(verdict.chat_id, verdict.member_id)] = verdict
            members = self._restricted.setdefault(verdict.chat_id, set())
            chats = self._restricted_in.setdefault(verdict.member_id, set())
            if verdict.status == RESTRICTED:
                members.add(verdict.member_id)
                chats.add(verdict.chat_id)
            else:
                members.discard(verdict.member_id)
                chats.discard(verdict.chat_id)
            if verdict.decided:
                self._checked.setdefault(verdict.chat_id, set()).add(verdict.member_id)
            if verdict.released_at is not None:
                self._remember_release(verdict.chat_id, verdict.member_id, verdict.released_at)
            key = (verdict.chat_id, verdict.member_id)
            if verdict.warning_id is None:
                self._warned.discard(key)
            else:
                self._warned.add(key)
        self._position = position

    def _remember_release(self, chat_id: int, member_id: int, at: datetime) -> None:
        released = self._released.setdefault(chat_id, {})
        released[member_id] = at
        oldest = max(released.values()) - RELEASES_KEPT
        for member in [m for m, t in released.items() if t < oldest]:
            del released[member]

    def all_groups(self) -> list[GroupView]:
        return [self._groups[c] for c in sorted(self._groups)]

    def all_verdicts(self) -> list[VerdictView]:
        return [self._verdicts[k] for k in sorted(self._verdicts)]

    async def clear(self) -> None:
        self.__init__()
