"""Telegram calls counted per chat and UTC day, where the port's calls pass, by the methods table's chat."""

from datetime import UTC, datetime, timedelta

import pytest

from application.call_counts import CallCounts, CountingGateway
from application.ports.telegram import OutgoingMessage, TelegramError

GROUP, CHANNEL, OTHER = -1001, -1002, -1003


class Clock:
    def __init__(self) -> None:
        self.at = datetime(2026, 1, 1, 23, 58, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at

    def time(self) -> float:
        return self.at.timestamp()


class Inner:
    bot_id = 999

    async def get_participant(self, chat_id: int, user_id: int) -> str:
        return "member"

    async def restrict(self, chat_id: int, user_id: int, *args, **kwargs) -> None:
        raise TelegramError(TelegramError.NOT_ADMIN)

    async def send_message(self, chat_id: int, message: OutgoingMessage) -> int:
        return 7

    async def send_private(self, user_id: int, text: str) -> int:
        return 8

    def simulator_extra(self) -> str:
        return "extra"


@pytest.fixture
def clock() -> Clock:
    return Clock()


async def test_each_call_counts_against_the_chat_its_method_names(clock: Clock) -> None:
    counts = CallCounts(clock)
    gateway = CountingGateway(Inner(), counts)
    assert await gateway.get_participant(CHANNEL, 5) == "member"
    await gateway.get_participant(chat_id=GROUP, user_id=5)  # by keyword too
    await gateway.send_message(GROUP, OutgoingMessage("hi"))
    await gateway.send_private(5, "hi")  # no chat's: not counted
    assert (counts.today(GROUP), counts.today(CHANNEL), counts.today(OTHER)) == (2, 1, 0)
    assert counts.today(GROUP, CHANNEL) == 3
    assert gateway.simulator_extra() == "extra" and gateway.bot_id == 999


async def test_a_refused_call_is_counted_too(clock: Clock) -> None:
    counts = CallCounts(clock)
    with pytest.raises(TelegramError):
        await CountingGateway(Inner(), counts).restrict(GROUP, 5)
    assert counts.today(GROUP) == 1


async def test_counts_start_again_when_the_utc_day_changes(clock: Clock) -> None:
    counts = CallCounts(clock)
    gateway = CountingGateway(Inner(), counts)
    await gateway.get_participant(GROUP, 5)
    await gateway.get_participant(GROUP, 6)
    clock.at += timedelta(minutes=1)
    assert counts.today(GROUP) == 2  # 23:59, still the same day
    clock.at += timedelta(minutes=2)
    assert counts.today(GROUP) == 0  # 00:01 the next day
    await gateway.get_participant(GROUP, 5)
    assert counts.today(GROUP) == 1
