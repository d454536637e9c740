"""The small services that hold what the gate keeps in memory: bounded, and each doing one thing."""

import asyncio
import gc
import inspect
import typing

import pytest

from application.behind import Behind, FirstPasses
from application.commands import Command
from application.member_locks import MemberLocks
from application.messages import UNNAMED_MEMBER
from application.names import Names


def test_names_forget_the_least_recently_used_beyond_their_capacity() -> None:
    names = Names(capacity=3)
    for member, name in ((1, "Ann"), (2, "Bob"), (3, "Cy")):
        names.remember(member, name)
    assert names.get(1) == "Ann"  # read: 1 is now the most recently used
    names.remember(4, "Dee")
    assert len(names) == 3
    assert (names.get(2), names.of(2)) == ("", UNNAMED_MEMBER)  # 2 was the least recently used
    assert [names.of(m) for m in (1, 3, 4)] == ["Ann", "Cy", "Dee"]
    names.remember(3, "Cyril")  # told again: the newer name
    assert names.of(3) == "Cyril" and len(names) == 3


def test_names_need_room() -> None:
    with pytest.raises(ValueError):
        Names(capacity=0)


async def test_a_member_lock_is_one_lock_per_stream_while_held_and_dropped_after() -> None:
    locks = MemberLocks()
    first = locks("stream-a")
    assert locks("stream-a") is first and locks("stream-b") is not first
    async with first:
        assert locks("stream-a").locked()
    del first
    gc.collect()
    assert len(locks) == 0  # nobody holds or waits: nothing kept


async def test_work_behind_its_answer_is_waited_for_including_what_it_starts() -> None:
    behind, done = Behind(), []

    async def later(n: int) -> None:
        await asyncio.sleep(0)
        if n < 3:
            behind.run(later(n + 1))
        done.append(n)

    behind.run(later(1))
    assert len(behind) == 1
    await behind.settled()
    assert sorted(done) == [1, 2, 3] and len(behind) == 0


def test_a_first_pass_is_claimed_once_until_released() -> None:
    passes = FirstPasses()
    assert passes.claim(10, 1) is True
    assert passes.claim(10, 1) is False and (10, 1) in passes
    assert passes.claim(10, 2) is True
    passes.release(10, 1)
    assert (10, 1) not in passes and passes.claim(10, 1) is True


def test_the_gatekeeper_takes_the_command_union_and_handles_each_kind() -> None:
    from application.gatekeeper import Gatekeeper

    hints = typing.get_type_hints(Gatekeeper.handle)
    assert hints["command"] == Command
    source = inspect.getsource(Gatekeeper._dispatch)
    assert all(f"case c.{kind.__name__}()" in source for kind in typing.get_args(Command))
