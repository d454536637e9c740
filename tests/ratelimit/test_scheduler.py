"""The priority scheduler on a fake clock: Telegram's budgets, strict priority, and per-(chat, method) flood waits."""

import asyncio

import pytest

from adapters.ratelimit.scheduler import PriorityScheduler
from application.ports.telegram import TelegramError
from application.urgency import Urgency, urgency
from tests.ratelimit.fakes import MSG, FakeClock, make, until

A, B = -1001, -1002


async def test_a_group_gets_at_most_twenty_messages_a_minute_one_a_second():
    _, inner, _, gateway = make()
    await asyncio.gather(*(gateway.send_message(A, MSG) for _ in range(25)))
    times = inner.times("send_message")
    assert times[:20] == pytest.approx(list(range(20)))
    assert times[20] == pytest.approx(60.0)  # the 21st waits until the first send leaves the minute window
    assert all(later - earlier >= 60 - 1e-6 for earlier, later in zip(times, times[20:], strict=False))


async def test_sends_across_many_chats_keep_to_about_thirty_a_second():
    _, inner, _, gateway = make()
    await asyncio.gather(*(gateway.send_message(-2000 - n, MSG) for n in range(90)))
    times = inner.times("send_message")
    assert all(later - earlier >= 1 - 1e-6 for earlier, later in zip(times, times[30:], strict=False))
    assert times[-1] == pytest.approx(2.0)  # and no slower than the budget allows


async def test_a_user_answer_overtakes_bulk_queued_before_it():
    _, inner, scheduler, gateway = make(calls_per_second=1)
    bulk = [asyncio.create_task(gateway.edit_message(-3000 - n, 1, MSG)) for n in range(50)]
    await until(lambda: inner.calls)  # one bulk call is already running
    await gateway.answer_callback(7, "verified")
    order = [method for method, _, _ in inner.calls]
    assert order.index("answer_callback") == 1
    assert scheduler.queue_depth()[2] == 49
    await asyncio.gather(*bulk)


async def test_bulk_waiting_on_one_chat_blocks_neither_other_chats_nor_better_work_in_that_chat():
    _, inner, _, gateway = make()
    bulk = [asyncio.create_task(gateway.send_message(A, MSG)) for _ in range(3)]
    await until(lambda: inner.calls)
    await asyncio.gather(
        gateway.send_message(B, MSG),
        gateway.restrict(A, 5, frozenset()),
        gateway.answer_callback(7, "ok"),
        gateway.with_priority(0).send_message(A, MSG),
        *bulk,
    )
    assert inner.times("send_message", B) == [0.0]
    assert inner.times("restrict", A) == [0.0]
    assert inner.times("answer_callback") == [0.0]
    # Chat A's one-a-second budget: bulk's first at 0, the P0 message next at 1, the rest of the bulk after it.
    assert inner.times("send_message", A) == pytest.approx([0.0, 1.0, 2.0, 3.0])


async def test_a_flood_wait_holds_only_that_method_in_that_chat_and_the_call_is_retried():
    clock, inner, scheduler, gateway = make()
    inner.flood("send_message", A, 30)
    first = asyncio.create_task(gateway.send_message(A, MSG))
    await until(lambda: inner.calls)
    assert clock.now == 0.0
    second = asyncio.create_task(gateway.send_message(A, MSG))
    await asyncio.gather(gateway.send_message(B, MSG), gateway.get_participant(A, 5))
    assert inner.times("send_message", B) == [0.0]
    assert inner.times("get_participant", A) == [0.0]
    assert scheduler.stats()["flooded"] == 1
    assert isinstance(await first, int)
    await second
    # The flooded call keeps its place: retried at 30, then the later send after chat A's one-second spacing.
    assert inner.times("send_message", A) == pytest.approx([0.0, 30.0, 31.0])


async def test_flood_retries_are_bounded():
    _, inner, _, gateway = make(max_flood_retries=2)
    inner.flood("send_message", A, 5, 5, 5, 5)
    with pytest.raises(TelegramError) as raised:
        await gateway.send_message(A, MSG)
    assert raised.value.kind == TelegramError.FLOOD_WAIT
    assert inner.times("send_message", A) == pytest.approx([0.0, 5.0, 10.0])


async def test_a_flood_wait_beyond_the_threshold_is_raised_not_slept():
    clock, inner, _, gateway = make(flood_sleep_threshold=60)
    inner.flood("send_message", A, 3600)
    with pytest.raises(TelegramError):
        await gateway.send_message(A, MSG)
    with pytest.raises(TelegramError) as raised:  # later calls fail fast instead of queueing for an hour
        await gateway.send_message(A, MSG)
    assert raised.value.retry_after == pytest.approx(3600)
    await gateway.send_message(B, MSG)
    assert clock.now == 0.0
    assert len(inner.times("send_message", A)) == 1


async def test_other_errors_pass_through_untouched():
    _, inner, _, gateway = make()
    inner.fail_with = TelegramError(TelegramError.NOT_ADMIN)
    with pytest.raises(TelegramError) as raised:
        await gateway.kick(A, 5)
    assert raised.value.kind == TelegramError.NOT_ADMIN
    assert len(inner.calls) == 1


async def test_queue_depth_and_last_wait_per_priority():
    _, inner, scheduler, gateway = make(calls_per_second=1)
    tasks = [asyncio.create_task(gateway.edit_message(A, 1, MSG)) for _ in range(3)]
    tasks += [asyncio.create_task(gateway.get_participant(A, n)) for n in range(2)]
    await until(lambda: inner.calls)
    assert scheduler.queue_depth() == {0: 0, 1: 1, 2: 3, 3: 0}  # P1 went first though queued last
    await asyncio.gather(*tasks)
    stats = scheduler.stats()
    assert stats["queue_depth"] == {0: 0, 1: 0, 2: 0, 3: 0}
    assert stats["last_wait"] == {0: 0.0, 1: pytest.approx(1.0), 2: pytest.approx(4.0), 3: 0.0}


async def test_a_cancelled_caller_leaves_the_queue():
    _, inner, scheduler, gateway = make(calls_per_second=1)
    first = asyncio.create_task(gateway.kick(A, 1))
    waiting = asyncio.create_task(gateway.kick(A, 2))
    await until(lambda: inner.calls)
    waiting.cancel()
    await first
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert scheduler.queue_depth() == {0: 0, 1: 0, 2: 0, 3: 0}
    assert len(inner.calls) == 1


async def test_unknown_priorities_are_refused():
    with pytest.raises(ValueError):
        await PriorityScheduler(FakeClock()).run(4, A, "kick", lambda: asyncio.sleep(0), sends_message=False)


async def test_log_channel_posts_go_after_every_other_call_and_their_flood_waits_hold_back_no_gating():
    _, inner, scheduler, gateway = make(messages_per_second=1)
    log_channel = -1009
    inner.flood("send_message", log_channel, 30)
    with urgency(Urgency.BACKGROUND):
        flooded = asyncio.create_task(gateway.send_message(log_channel, MSG))
        await until(lambda: inner.calls)
        queued = [asyncio.create_task(gateway.send_message(log_channel - n, MSG)) for n in range(1, 3)]
    await asyncio.sleep(0)
    assert scheduler.queue_depth()[3] == 3  # the lowest priority (the flooded one waits again)
    # Warnings queued later (bulk) still go first, one a second; a mute goes at once.
    await asyncio.gather(gateway.send_message(A, MSG), gateway.send_message(B, MSG),
                         gateway.restrict(A, 5, frozenset()))
    assert inner.times("restrict", A) == [0.0]
    assert inner.times("send_message", A) + inner.times("send_message", B) == pytest.approx([1.0, 2.0])
    await asyncio.gather(flooded, *queued)
    assert sorted(inner.times("send_message", log_channel - 1) + inner.times("send_message", log_channel - 2)) == \
        pytest.approx([3.0, 4.0])
