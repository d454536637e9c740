"""One log line per decision, and lines packed into messages Telegram accepts.

A line names the group, the member and the channels as the log knows them (the member's name from their
verdict, the channels from the group's), in the group's language.
"""

from collections import OrderedDict
from typing import Any
from uuid import UUID

from application import log_messages as texts
from application import messages
from application.needs import UsesNames, UsesRepository
from domain.ids import group_stream_id
from domain.membership_verdict import MembershipVerdict
from domain.protected_group import ProtectedGroup

MESSAGE_LIMIT = messages.MESSAGE_LIMIT
KNOWN_VERDICTS = 100_000  # which group each member's stream belongs to, remembered (a bounded cache)


class Needs(UsesRepository, UsesNames):
    """What making lines uses of the context."""


def pack(lines: list[str], limit: int = MESSAGE_LIMIT) -> list[tuple[str, int]]:
    """Lines joined into as few messages as fit `limit` characters each, in order: (text, lines in it)."""
    batches: list[tuple[str, int]] = []
    text, count = "", 0
    for line in (line[:limit] for line in lines):
        if count and len(text) + 1 + len(line) > limit:
            batches.append((text, count))
            text, count = "", 0
        text, count = (f"{text}\n{line}" if count else line), count + 1
    if count:
        batches.append((text, count))
    return batches


class LineMaker:
    def __init__(self, ctx: Needs) -> None:
        self._ctx = ctx
        self._groups: OrderedDict[UUID, UUID] = OrderedDict()  # a member's stream -> their group's

    async def of(self, event: Any, routes: dict[UUID, int]) -> tuple[int, str] | None:
        """The log channel and the line this event makes; None when its group has no log channel."""
        if not routes:
            return None
        verdict = None
        if isinstance(event, MembershipVerdict.Event):
            group_stream = await self._group_of(event.originator_id)
            if group_stream not in routes:
                return None
            verdict = await self._ctx.repository.get(event.originator_id)
        else:
            group_stream = event.originator_id
        channel = routes.get(group_stream)
        group = await self._ctx.repository.get(group_stream) if channel is not None else None
        if group is None or channel is None:
            return None
        with messages.speaking(messages.group_language(group.settings_data)):
            line = self._line(event, group, verdict)
        return (channel, line) if line else None

    async def _group_of(self, verdict_stream: UUID) -> UUID | None:
        if verdict_stream not in self._groups:
            verdict = await self._ctx.repository.get(verdict_stream)
            if verdict is None:
                return None
            self._groups[verdict_stream] = group_stream_id(verdict.chat_id)
            if len(self._groups) > KNOWN_VERDICTS:
                self._groups.popitem(last=False)
        return self._groups[verdict_stream]

    def _line(self, event: Any, group: ProtectedGroup, verdict: MembershipVerdict | None) -> str | None:
        name = type(event).__name__
        at, title = event.timestamp, group.title or messages.person(messages.UNTITLED_GROUP, group.chat_id)
        if verdict is not None:
            member = messages.person(getattr(verdict, "name", None) or messages.UNNAMED_MEMBER, verdict.member_id)
            if name == "MemberRestricted":
                return texts.line(texts.RESTRICTED, at, title, member=member, action=texts.words(texts.ACTIONS,
                                  event.action), channels=_channels(group, event.missing))
            return texts.line(texts.RELEASED, at, title, member=member, why=texts.words(texts.RELEASES, event.how))
        if name in ("BotRightsLost", "BotRightsRegained"):
            where = texts.text(texts.THIS_GROUP_CHAT) if event.chat_id == group.chat_id else _channels(
                group, [event.chat_id])
            template = texts.RIGHTS_LOST if name == "BotRightsLost" else texts.RIGHTS_REGAINED
            return texts.line(template, at, title, chat=where)
        if name == "CommandRefused":
            return texts.line(texts.REFUSED, at, title, command=f"/{event.command}", member=self._person(event.by))
        if name == "MemberExempted":
            return texts.line(texts.EXEMPTED, at, title, member=messages.person(event.name, event.member_id),
                              admin=self._person(event.by))
        if name == "MemberUnexempted":
            return texts.line(texts.UNEXEMPTED, at, title, member=self._person(event.member_id),
                              admin=self._person(event.by))
        if name == "SettingChanged":
            return texts.line(texts.SETTING, at, title, admin=self._person(event.by), key=event.key,
                              value=messages.show_value(event.value))
        if name == "LogChannelSet" and event.channel is not None:
            return texts.line(texts.LOG_CHANNEL_SET, at, title, admin=self._person(event.by))
        return None

    def _person(self, peer_id: int | None) -> str:
        if peer_id is None:
            return texts.text(texts.SOMEONE)
        return messages.person(self._ctx.names.get(peer_id) or texts.text(texts.SOMEONE), peer_id)


def _channels(group: ProtectedGroup, ids: list[int]) -> str:
    known = {c.id: c.name for c in group.linked}
    return ", ".join(known.get(c) or messages.UNLINKED_CHANNEL.format(channel_id=c) for c in ids)
