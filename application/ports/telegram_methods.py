"""The Telegram port's methods in one table, and the one way to decorate a gateway around them.

Decorators (the rate limiter, the instrumentation) each need, per method, the same few facts: how urgent
its calls are by default, which argument names the chat whose budgets it spends, and whether it posts a
message. Listed once here, a decorator is one `around` function instead of a hand-written copy of every
method, and a method added to the port is decorated everywhere the moment it is listed.
"""

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from application.ports.telegram import TelegramGateway
from application.urgency import Urgency

T = TypeVar("T")


@dataclass(frozen=True)
class Method:
    name: str
    urgency: Urgency  # the default; a caller's mark (application.urgency) may raise or lower it
    chat: str | None  # the argument naming the chat whose budget the call spends; None: no chat's
    sends_message: bool = False  # counts against a chat's message limits


METHODS: tuple[Method, ...] = (
    Method("get_participant", Urgency.ENFORCE, "chat_id"),
    Method("get_admins", Urgency.ENFORCE, "chat_id"),
    # Filling a group's standing directory and warming the cache: worth doing, never worth making anyone wait.
    Method("list_participants", Urgency.BULK, "chat_id"),
    Method("my_rights", Urgency.ENFORCE, "chat_id"),
    Method("resolve_channel", Urgency.ENFORCE, "ref"),  # a chat only when named by id
    Method("resolve_user", Urgency.ENFORCE, None),  # an admin's /exempt @name
    Method("export_invite_link", Urgency.ENFORCE, "channel_id"),
    # A release cannot be told from a mute by the call alone: both are enforcement, unless marked.
    Method("restrict", Urgency.ENFORCE, "chat_id"),
    Method("kick", Urgency.ENFORCE, "chat_id"),
    # In a raid warnings are the bulk that may lag behind enforcement.
    Method("send_message", Urgency.BULK, "chat_id", sends_message=True),
    Method("send_private", Urgency.BULK, None),  # no group's message budget, only the global one
    Method("edit_message", Urgency.BULK, "chat_id"),
    Method("delete_messages", Urgency.ENFORCE, "chat_id"),
    Method("answer_callback", Urgency.USER, None),  # a person is staring at a spinner
    Method("decide_join_request", Urgency.ENFORCE, "chat_id"),
    Method("set_commands", Urgency.BULK, None),  # the command menu, once at start
)

Around = Callable[[Method, int | None, Callable[[], Awaitable[Any]]], Awaitable[Any]]


class GatewayDecorator:
    """A TelegramGateway that passes each call of a listed method through `around(method, chat, call)`;
    anything else (bot_id, a simulator's extras) is the inner gateway's own."""

    def __init__(self, inner: TelegramGateway) -> None:
        self._inner = inner
        for method in METHODS:
            setattr(self, method.name, self._decorated(method))

    @property
    def bot_id(self) -> int:
        return self._inner.bot_id

    async def around(self, method: Method, chat_id: int | None, call: Callable[[], Awaitable[T]]) -> T:
        return await call()

    def _decorated(self, method: Method) -> Callable[..., Awaitable[Any]]:
        position = _position(method)
        name = method.name

        async def decorated(*args: Any, **kwargs: Any) -> Any:
            chat = kwargs.get(method.chat) if method.chat in kwargs else (
                args[position] if position is not None and position < len(args) else None
            )
            chat_id = chat if isinstance(chat, int) else None  # a channel named by @username is no chat yet
            # Looked up at each call, as a hand-written decorator would: the inner gateway's method may be swapped.
            return await self.around(method, chat_id, lambda: getattr(self._inner, name)(*args, **kwargs))

        decorated.__name__ = method.name
        return decorated

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _position(method: Method) -> int | None:
    """Where the chat argument sits among the port method's positional parameters (self excluded)."""
    if method.chat is None:
        return None
    parameters = list(inspect.signature(getattr(TelegramGateway, method.name)).parameters)[1:]
    return parameters.index(method.chat)
