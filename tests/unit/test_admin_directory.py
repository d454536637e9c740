"""The admin list of a group: one call to Telegram renews it, and nobody waits for a renewal."""

import asyncio

from adapters.simulated_telegram.clock import SimulatedClock
from application.admin_directory import ADMIN_LIST_TTL, AdminDirectory
from application.ports.telegram import TelegramError


class Admins:
    """Telegram's answer to get_admins, held until `answer` (or failed with `error`)."""

    def __init__(self) -> None:
        self.calls = 0
        self.current = frozenset({10})
        self.error: TelegramError | None = None
        self._answer = asyncio.Event()

    async def get_admins(self, chat_id: int) -> frozenset[int]:
        self.calls += 1
        await self._answer.wait()
        self._answer.clear()
        if self.error is not None:
            raise self.error
        return self.current

    def answer(self) -> None:
        self._answer.set()


async def expired_list() -> tuple[Admins, AdminDirectory]:
    """A directory that learnt group -1's admins ({10}) and whose list has since expired."""
    telegram, clock = Admins(), SimulatedClock()
    directory = AdminDirectory(telegram, clock)
    first = asyncio.create_task(directory.admins(-1))
    await asyncio.sleep(0)
    telegram.answer()
    await first
    clock.advance(ADMIN_LIST_TTL + 1)
    return telegram, directory


async def test_a_group_never_asked_about_waits_for_one_call_shared_by_all() -> None:
    telegram = Admins()
    directory = AdminDirectory(telegram, SimulatedClock())
    waiting = [asyncio.create_task(directory.admins(-1)) for _ in range(20)]
    await asyncio.sleep(0.01)
    assert telegram.calls == 1 and not any(task.done() for task in waiting)
    telegram.answer()
    assert await asyncio.gather(*waiting) == [frozenset({10})] * 20


async def test_an_expired_list_is_renewed_by_one_call_while_messages_go_on_with_the_last_one() -> None:
    telegram, directory = await expired_list()
    telegram.current = frozenset({10, 11})  # a new admin
    for _ in range(20):
        assert await asyncio.wait_for(directory.admins(-1), 0.1) == frozenset({10})  # no wait
    assert telegram.calls == 2
    telegram.answer()
    await asyncio.sleep(0.01)
    assert await directory.admins(-1) == frozenset({10, 11}) and telegram.calls == 2


async def test_a_failed_renewal_keeps_the_last_list_and_the_next_message_asks_again() -> None:
    telegram, directory = await expired_list()
    telegram.error = TelegramError(TelegramError.INTERNAL, "timeout")
    assert await directory.admins(-1) == frozenset({10})
    telegram.answer()
    await asyncio.sleep(0.01)
    assert await directory.admins(-1) == frozenset({10})  # expired still: asked again
    await asyncio.sleep(0)
    assert telegram.calls == 3
    telegram.error = None
    telegram.answer()
    await asyncio.sleep(0.01)
    assert await directory.admins(-1) == frozenset({10}) and telegram.calls == 3
