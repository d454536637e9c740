"""LogWindow: work started in log order, finished in any order; the position covers only finished records."""

import asyncio
from functools import partial

from application.log_window import LogWindow


def held(window: LogWindow, position: int) -> asyncio.Event:
    """Read the record at `position` with work that runs until the returned event is set."""
    done = asyncio.Event()
    window.passed(position, window.start(position, done.wait))
    return done


async def test_the_position_moves_over_the_finished_prefix_only() -> None:
    """Record 3 finishing first moves nothing; the position reaches 3 only once 1 and 2 are done too."""
    window = LogWindow(position=0, limit=10)
    first, second, third = (held(window, p) for p in (1, 2, 3))
    third.set()
    await window.wait()
    assert not window.advance() and window.position == 0
    first.set()
    await window.wait()
    assert window.advance() and window.position == 1
    second.set()
    await window.wait()
    assert window.advance() and window.position == 3 and window.idle


async def test_records_without_work_pass_at_once_but_not_ahead_of_unfinished_work() -> None:
    """A record with no work is done when read, yet never lets the position skip earlier unfinished work."""
    window = LogWindow(position=4, limit=10)
    window.passed(5)
    window.passed(6)
    assert window.advance() and window.position == 6
    busy = held(window, 7)
    window.passed(8)
    assert not window.advance() and window.position == 6
    busy.set()
    await window.wait()
    assert window.advance() and window.position == 8


async def test_a_failed_record_stops_the_position_and_reports_why() -> None:
    """The position stops just before a failed record, for good, and `failure` is that record's exception."""
    error = RuntimeError("telegram said no")

    async def fail() -> None:
        raise error

    window = LogWindow(position=0, limit=10)
    window.passed(1, window.start("a", partial(asyncio.sleep, 0)))
    window.passed(2, window.start("b", fail))
    window.passed(3, window.start("c", partial(asyncio.sleep, 0)))
    await window.settle()
    assert window.advance() and window.position == 1
    assert window.failure is error
    assert not window.advance() and window.position == 1


async def test_work_for_one_key_runs_in_turn_while_other_keys_overlap() -> None:
    """Same key: strictly one after another in start order, even if an earlier one fails; other keys run alongside."""
    log: list[tuple[str, str]] = []

    async def job(name: str, seconds: float, fails: bool = False) -> None:
        log.append(("start", name))
        await asyncio.sleep(seconds)
        log.append(("end", name))
        if fails:
            raise RuntimeError(name)

    window = LogWindow(position=0, limit=10)
    tasks = [
        window.start("member", partial(job, "m1", 0.02, fails=True)),
        window.start("member", partial(job, "m2", 0.0)),
        window.start("member", partial(job, "m3", 0.0)),
        window.start("other", partial(job, "o1", 0.01)),
    ]
    await asyncio.gather(*tasks, return_exceptions=True)
    mine = [entry for entry in log if entry[1].startswith("m")]
    assert mine == [("start", "m1"), ("end", "m1"), ("start", "m2"), ("end", "m2"), ("start", "m3"), ("end", "m3")]
    assert log.index(("start", "o1")) < log.index(("end", "m1"))  # did not wait for the other key


async def test_the_window_is_full_once_limit_records_are_pending() -> None:
    """`full` counts read records not yet passed over, with work or without; advancing frees the room."""
    window = LogWindow(position=0, limit=3)
    busy = held(window, 1)
    window.passed(2)
    assert not window.full
    window.passed(3)
    assert window.full
    busy.set()
    await window.wait()
    window.advance()
    assert not window.full and window.idle


async def test_cancel_cancels_the_running_work() -> None:
    """After `cancel` the running work is cancelled, the position stays, and `failure` says it was cancelled."""
    window = LogWindow(position=0, limit=10)
    running = [window.start(p, asyncio.Event().wait) for p in (1, 2)]
    for position, task in enumerate(running, start=1):
        window.passed(position, task)
    window.cancel()
    await asyncio.wait(running, timeout=1)
    assert running and all(task.cancelled() for task in running)
    assert not window.advance() and window.position == 0
    assert isinstance(window.failure, asyncio.CancelledError)


async def test_an_empty_window_is_idle_and_returns_at_once() -> None:
    """Nothing read: idle, not full, `wait` and `settle` return at once, and the position stays."""
    window = LogWindow(position=9, limit=1)
    await window.wait()
    await window.settle()
    assert window.idle and not window.full and not window.advance() and window.position == 9


async def test_waiting_returns_at_once_when_the_first_records_work_finished_before_the_wait() -> None:
    """Work can finish while the follower records its position; waiting then for news that never comes
    would leave that work's record unacknowledged for good."""
    window = LogWindow(position=0, limit=10)
    first = held(window, 1)
    first.set()
    await asyncio.sleep(0)  # the work finishes before the follower waits again
    await asyncio.wait_for(window.wait(asyncio.Event()), timeout=1)
    assert window.advance() and window.position == 1


async def test_joining_work_stands_for_later_work_of_its_key_until_it_begins() -> None:
    """While m1 runs, m2 waits for its turn and m3 and m4 join it: three records, two runs, and the joined
    records are done only when m2 is. Once m2 has begun, m5 runs after it again."""
    runs: list[str] = []
    release = asyncio.Event()

    async def job(name: str) -> None:
        runs.append(name)
        await release.wait()

    window = LogWindow(position=0, limit=10)
    first = window.start("member", partial(job, "m1"), join=True)
    await asyncio.sleep(0)
    second = window.start("member", partial(job, "m2"), join=True)
    assert window.start("member", partial(job, "m3"), join=True) is second
    assert window.start("member", partial(job, "m4"), join=True) is second
    alone = window.start("member", partial(job, "m4-in-turn"))  # without join: a run of its own
    for position, task in enumerate((first, second, second, second, alone), start=1):
        window.passed(position, task)
    release.set()
    await window.settle()
    await window.settle()
    assert runs == ["m1", "m2", "m4-in-turn"]
    assert window.advance() and window.position == 5
    late = window.start("member", partial(job, "m5"), join=True)
    await late
    assert runs[-1] == "m5"


async def test_gathered_records_are_taken_together_by_the_work_that_has_not_begun() -> None:
    """While a member's first message is decided, the next three queue into one run (they fit), a fourth that
    does not fit starts a run of its own, and work started without gathering is never joined: five runs in
    all, in order, each record done when its run is."""
    runs: list[list[str]] = []
    release = asyncio.Event()

    async def decide(items: list[str]) -> None:
        runs.append(list(items))
        await release.wait()

    def fits(items: list[str], item: str) -> bool:
        return not item.startswith("/") and not items[-1].startswith("/")

    window = LogWindow(position=0, limit=10)
    first = window.gather("member", "hi", decide, fits)
    await asyncio.sleep(0)  # begun: it takes nothing more
    second = window.gather("member", "a", decide, fits)
    assert window.gather("member", "b", decide, fits) is second
    assert window.gather("member", "c", decide, fits) is second
    command = window.gather("member", "/status", decide, fits)
    assert command is not second
    verify = window.start("member", partial(decide, ["verify"]))
    after = window.gather("member", "d", decide, fits)
    assert after is not verify
    for position, task in enumerate((first, second, second, second, command, verify, after), start=1):
        window.passed(position, task)
    assert not window.advance()
    release.set()
    await window.settle()
    await window.settle()
    await window.settle()
    assert runs == [["hi"], ["a", "b", "c"], ["/status"], ["verify"], ["d"]]
    assert window.advance() and window.position == 7
