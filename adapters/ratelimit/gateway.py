"""The Telegram port, with every outbound call passed through the priority scheduler.

Default priorities: answering a callback is P0 (a person is staring at a spinner); enforcement and the reads it
depends on are P1; posting and editing messages are P2, since in a raid warnings are the bulk that may lag. A caller
that knows better marks its task (`application.urgency`: a Verify press is USER, re-deciding a group's members BULK),
or takes a view with `with_priority`, which wins over the mark.
"""

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

from adapters.ratelimit.scheduler import P0_USER, P1_ENFORCE, P2_BULK, PriorityScheduler
from application import urgency
from application.ports.telegram import ChannelInfo, OutgoingMessage, Participant, TelegramGateway

T = TypeVar("T")


class RateLimitedGateway:
    def __init__(self, inner: TelegramGateway, scheduler: PriorityScheduler, priority: int | None = None) -> None:
        self._inner = inner
        self._scheduler = scheduler
        self._priority = priority

    def with_priority(self, priority: int) -> "RateLimitedGateway":
        """A view on the same inner gateway and scheduler whose calls all run at `priority`, up or down."""
        return RateLimitedGateway(self._inner, self._scheduler, priority)

    @property
    def bot_id(self) -> int:
        return self._inner.bot_id

    async def _run(
        self,
        default: int,
        chat_id: int | None,
        method: str,
        call: Callable[[], Awaitable[T]],
        sends_message: bool = False,
    ) -> T:
        marked = urgency.current.get()
        priority = self._priority if self._priority is not None else (default if marked is None else int(marked))
        return await self._scheduler.run(priority, chat_id, method, call, sends_message)

    async def get_participant(self, chat_id: int, user_id: int) -> Participant:
        return await self._run(
            P1_ENFORCE, chat_id, "get_participant", lambda: self._inner.get_participant(chat_id, user_id)
        )

    async def get_admins(self, chat_id: int) -> frozenset[int]:
        return await self._run(P1_ENFORCE, chat_id, "get_admins", lambda: self._inner.get_admins(chat_id))

    async def resolve_channel(self, ref: str | int) -> ChannelInfo:
        chat_id = ref if isinstance(ref, int) else None
        return await self._run(P1_ENFORCE, chat_id, "resolve_channel", lambda: self._inner.resolve_channel(ref))

    async def export_invite_link(self, channel_id: int) -> str:
        return await self._run(
            P1_ENFORCE, channel_id, "export_invite_link", lambda: self._inner.export_invite_link(channel_id)
        )

    async def restrict(
        self, chat_id: int, member_id: int, restrictions: frozenset[str], until: datetime | None = None
    ) -> None:
        # A release cannot be told from a mute here with certainty, so restrict stays P1; Verify uses a P0 view.
        await self._run(
            P1_ENFORCE, chat_id, "restrict", lambda: self._inner.restrict(chat_id, member_id, restrictions, until)
        )

    async def kick(self, chat_id: int, member_id: int) -> None:
        await self._run(P1_ENFORCE, chat_id, "kick", lambda: self._inner.kick(chat_id, member_id))

    async def send_message(self, chat_id: int, message: OutgoingMessage, key: int | None = None) -> int:
        return await self._run(
            P2_BULK, chat_id, "send_message", lambda: self._inner.send_message(chat_id, message, key),
            sends_message=True,
        )

    async def send_private(self, user_id: int, text: str, key: int | None = None) -> None:
        # A direct message is not a message in any group: only the global budget applies.
        await self._run(P2_BULK, None, "send_private", lambda: self._inner.send_private(user_id, text, key))

    async def edit_message(self, chat_id: int, message_id: int, message: OutgoingMessage) -> None:
        await self._run(
            P2_BULK, chat_id, "edit_message", lambda: self._inner.edit_message(chat_id, message_id, message)
        )

    async def delete_messages(self, chat_id: int, message_ids: list[int]) -> None:
        await self._run(
            P1_ENFORCE, chat_id, "delete_messages", lambda: self._inner.delete_messages(chat_id, message_ids)
        )

    async def answer_callback(self, query_id: int, text: str, alert: bool = False) -> None:
        # Not a message in any group, so it takes no per-chat budget and no group's flood wait can hold it.
        await self._run(P0_USER, None, "answer_callback", lambda: self._inner.answer_callback(query_id, text, alert))

    async def decide_join_request(self, chat_id: int, user_id: int, approve: bool) -> None:
        await self._run(
            P1_ENFORCE,
            chat_id,
            "decide_join_request",
            lambda: self._inner.decide_join_request(chat_id, user_id, approve),
        )
