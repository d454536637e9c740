"""One table of the Telegram port's methods: every method is in it, and every decorator built on it sees
each call with the chat it spends budget in."""

import inspect

import pytest

from application.ports.telegram import OutgoingMessage, TelegramGateway
from application.ports.telegram_methods import METHODS, GatewayDecorator, Method
from application.urgency import Urgency


def port_methods() -> set[str]:
    return {name for name, member in inspect.getmembers(TelegramGateway) if inspect.iscoroutinefunction(member)}


def test_every_method_of_the_port_is_in_the_table_once() -> None:
    names = [m.name for m in METHODS]
    assert sorted(names) == sorted(port_methods()) and len(names) == len(set(names))


class Recording(GatewayDecorator):
    def __init__(self, inner) -> None:
        super().__init__(inner)
        self.seen: list[tuple[str, int | None]] = []

    async def around(self, method: Method, chat_id, call):
        self.seen.append((method.name, chat_id))
        return await call()


class Inner:
    bot_id = 999

    def __getattr__(self, name: str):
        async def answer(*args, **kwargs):
            return name

        return answer


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda g: g.get_participant(2001, 5), ("get_participant", 2001)),
        (lambda g: g.restrict(chat_id=2001, member_id=5, restrictions=frozenset()), ("restrict", 2001)),
        (lambda g: g.resolve_channel("news"), ("resolve_channel", None)),  # a username names no chat yet
        (lambda g: g.resolve_channel(1001), ("resolve_channel", 1001)),
        (lambda g: g.send_message(2001, OutgoingMessage("hi"), 7), ("send_message", 2001)),
        (lambda g: g.send_private(5, "hi"), ("send_private", None)),
        (lambda g: g.answer_callback(1, "ok"), ("answer_callback", None)),
    ],
)
async def test_a_decorator_sees_each_call_and_its_chat(call, expected) -> None:
    decorated = Recording(Inner())
    assert await call(decorated) == expected[0]  # the inner gateway's answer comes back untouched
    assert decorated.seen == [expected]
    assert decorated.bot_id == 999


def test_only_answering_a_press_is_urgent_by_default_and_only_posts_count_as_messages() -> None:
    assert [m.name for m in METHODS if m.urgency == Urgency.USER] == ["answer_callback"]
    assert [m.name for m in METHODS if m.sends_message] == ["send_message"]
