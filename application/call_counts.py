"""How many Telegram calls each chat cost today (the UTC day), counted where the port's calls pass.

A call is counted against the chat its method's table entry names (application/ports/telegram_methods.py): the
group for a mute or a warning, the channel for a subscription check; calls that name no chat (a private
message, a button's answer) are no chat's. The counts live in this process only: a restart starts them again,
and in a scale-out each process counts its own calls (the gateway's are the ones that reach Telegram). Only
today's are kept, so they stay the size of the chats active today.
"""

from collections.abc import Awaitable, Callable
from datetime import date
from typing import TypeVar

from application.ports.clock import Clock
from application.ports.telegram import TelegramGateway
from application.ports.telegram_methods import GatewayDecorator, Method

T = TypeVar("T")


class CallCounts:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._day: date | None = None
        self._counts: dict[int, int] = {}

    def count(self, chat_id: int) -> None:
        self._roll()
        self._counts[chat_id] = self._counts.get(chat_id, 0) + 1

    def today(self, *chat_ids: int) -> int:
        """The calls these chats cost since the UTC day began."""
        self._roll()
        return sum(self._counts.get(chat, 0) for chat in chat_ids)

    def _roll(self) -> None:
        day = self._clock.now().date()  # the clock is UTC
        if day != self._day:
            self._day = day
            self._counts = {}


class CountingGateway(GatewayDecorator):
    """Counts each call of a listed method against its chat, whether Telegram answers or refuses: a refusal
    costs a call too."""

    def __init__(self, inner: TelegramGateway, counts: CallCounts) -> None:
        super().__init__(inner)
        self._counts = counts

    async def around(self, method: Method, chat_id: int | None, call: Callable[[], Awaitable[T]]) -> T:
        if chat_id is not None:
            self._counts.count(chat_id)
        return await call()
