"""The Telegram port, with every outbound call passed through the priority scheduler.

Each method's default priority is its urgency in the port's table (application/ports/telegram_methods.py):
answering a callback first (a person is staring at a spinner), enforcement and the reads it depends on next,
posting and editing messages last, since in a raid warnings are the bulk that may lag. A caller that knows
better marks its task (`application.urgency`: a Verify press is USER, re-deciding a group's members BULK), or
takes a view with `with_priority`, which wins over the mark.
"""

from collections.abc import Awaitable, Callable
from typing import TypeVar

from adapters.ratelimit.scheduler import PriorityScheduler
from application import urgency
from application.ports.telegram import TelegramGateway
from application.ports.telegram_methods import GatewayDecorator, Method

T = TypeVar("T")


class RateLimitedGateway(GatewayDecorator):
    def __init__(self, inner: TelegramGateway, scheduler: PriorityScheduler, priority: int | None = None) -> None:
        super().__init__(inner)
        self._scheduler = scheduler
        self._priority = priority

    def with_priority(self, priority: int) -> "RateLimitedGateway":
        """A view on the same inner gateway and scheduler whose calls all run at `priority`, up or down."""
        return RateLimitedGateway(self._inner, self._scheduler, priority)

    async def around(self, method: Method, chat_id: int | None, call: Callable[[], Awaitable[T]]) -> T:
        marked = urgency.current.get()
        priority = self._priority if self._priority is not None else int(marked or method.urgency)
        return await self._scheduler.run(priority, chat_id, method.name, call, method.sends_message)
