"""What every Spool must do, run against each implementation by its own test module.

A subclass provides the `make_spool` fixture: a factory that opens the spool over fresh storage (calling it
again must reopen the same storage, for a durable one) and closes what it opened at teardown.
"""

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from application import commands as c
from application.ports.spool import Spool
from application.ports.telegram import Participant
from domain.senders import USER, Sender

SpoolFactory = Callable[[], Awaitable[Spool]]

COMMANDS = [
    c.GroupMessage(2001, 7, Sender(USER, 5), "text", "héllo ✅", "Bob", "Chat", None, -1001),
    c.MemberJoined(2001, 5, "added", "Bob", Participant("member", frozenset({"send_media", "send_polls"}))),
    c.MemberJoined(2001, 6),
    c.ChannelMembershipChanged(-1001, 5, "left"),
    c.VerifyPressed(2**62, 2001, 5, bytes(range(34))),
    c.BotRightsChanged(-1001, False),
    c.MemberLeft(2001, 9_223_372_036_854_775_807),
]


async def drain(spool: Spool) -> list:
    found = []
    while (command := await spool.oldest()) is not None:
        found.append(command)
        await spool.remove_oldest()
    return found


class SpoolContract:
    @pytest.fixture
    async def spool(self, make_spool: SpoolFactory) -> Spool:
        return await make_spool()

    async def test_an_empty_spool_has_nothing_to_give(self, spool: Spool) -> None:
        assert await spool.count() == 0
        assert await spool.oldest() is None
        await spool.remove_oldest()  # harmless
        assert await spool.count() == 0

    async def test_commands_come_back_equal_and_in_arrival_order(self, spool: Spool) -> None:
        for command in COMMANDS:
            await spool.append(command)
        assert await spool.count() == len(COMMANDS)
        assert await spool.oldest() == COMMANDS[0]
        assert await spool.oldest() == COMMANDS[0]  # looking takes nothing away
        assert await drain(spool) == COMMANDS
        assert await spool.count() == 0

    async def test_appends_made_at_once_keep_the_order_they_were_made_in(self, spool: Spool) -> None:
        sent = [c.MemberJoined(2001, member) for member in range(200)]
        await asyncio.gather(*(spool.append(command) for command in sent))
        assert await spool.count() == len(sent)
        assert await drain(spool) == sent

    async def test_appends_while_draining_wait_behind_the_older_ones(self, spool: Spool) -> None:
        await spool.append(COMMANDS[0])
        await spool.append(COMMANDS[1])
        assert await spool.oldest() == COMMANDS[0]
        await spool.remove_oldest()
        await spool.append(COMMANDS[2])
        assert await drain(spool) == COMMANDS[1:3]


class DurableSpoolContract(SpoolContract):
    async def test_what_was_kept_is_there_after_a_reopen_even_without_a_close(self, make_spool: SpoolFactory) -> None:
        first = await make_spool()
        for command in COMMANDS:
            await first.append(command)
        await first.remove_oldest()
        # The first is never closed: a killed process closes nothing either.
        second = await make_spool()
        assert await second.count() == len(COMMANDS) - 1
        assert await drain(second) == COMMANDS[1:]
