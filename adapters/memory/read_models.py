"""Read models held in this process, rebuilt from the log on start."""

from collections.abc import Sequence

from application.ports.read_models import GroupView, VerdictView
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
            key = (verdict.chat_id, verdict.member_id)
            if verdict.warning_id is None:
                self._warned.discard(key)
            else:
                self._warned.add(key)
        self._position = position

    def all_groups(self) -> list[GroupView]:
        return [self._groups[c] for c in sorted(self._groups)]

    def all_verdicts(self) -> list[VerdictView]:
        return [self._verdicts[k] for k in sorted(self._verdicts)]

    async def clear(self) -> None:
        self.__init__()
