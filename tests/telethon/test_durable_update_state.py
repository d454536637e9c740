"""The update state Telethon saves covers only updates whose handling finished, on a real TelegramClient's
MessageBox; and a difference's qts updates (participant changes, join requests) reach the handlers."""

import asyncio
from datetime import UTC, datetime

from telethon import functions, types
from telethon._updates import SessionState
from telethon._updates.messagebox import ENTRY_ACCOUNT, State

from adapters.simulated_telegram.tl.transport import offline_client
from adapters.telethon.durable_updates import DurableUpdates

NOW = datetime(2026, 12, 1, tzinfo=UTC)
GROUP = 2001


def client_with_state(pts: int = 10, qts: int = 5, seq: int = 1):
    client = offline_client(None, 999)  # a sender is never asked: updates are fed to the box directly
    updates = DurableUpdates(client)
    client._message_box.load(SessionState(0, 0, False, pts, qts, int(NOW.timestamp()), seq, None), [])
    return client, updates


def participant(qts: int) -> types.UpdateChannelParticipant:
    joined = types.ChannelParticipant(100 + qts, NOW)
    return types.UpdateChannelParticipant(GROUP, NOW, 1, 100 + qts, qts, new_participant=joined)


def taken(client, *updates) -> list:
    found: list = []
    client._message_box.process_updates(types.Updates(list(updates), [], [], NOW, 0), client._mb_entity_cache, found)
    return found


async def test_the_state_saved_stops_before_the_oldest_update_still_in_flight() -> None:
    client, updates = client_with_state(qts=5)
    first, second = taken(client, participant(6)), taken(client, participant(7))
    box = client._message_box
    assert box.current_state()[0]["qts"] == 7
    assert box.session_state()[0]["qts"] == 5  # nothing handled yet: Telegram must hand out both again
    updates.tracker.handled(second[0])
    assert box.session_state()[0]["qts"] == 5  # the later one is done, the earlier one is not
    updates.tracker.handled(first[0])
    assert box.session_state()[0]["qts"] == 7 and updates.tracker.in_flight == 0


async def test_a_channel_first_heard_of_in_flight_is_saved_just_before_its_first_update() -> None:
    client, updates = client_with_state()
    message = types.Message(5, types.PeerChannel(GROUP), NOW, "hi", from_id=types.PeerUser(1))
    (update,) = taken(client, types.UpdateNewChannelMessage(message, 5, 1))
    assert client._message_box.session_state()[1] == {GROUP: 4}
    updates.tracker.handled(update)
    assert client._message_box.session_state()[1] == {GROUP: 5}


async def test_a_dispatch_cancelled_by_a_shutdown_leaves_its_update_in_flight() -> None:
    client, updates = client_with_state(qts=5)
    started = asyncio.Event()

    async def slow(update) -> None:
        started.set()
        await asyncio.Event().wait()

    updates._dispatch = slow
    updates.open()
    (update,) = taken(client, participant(6))
    task = asyncio.create_task(client._dispatch_update(update))
    await started.wait()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert updates.tracker.in_flight == 1 and client._message_box.session_state()[0]["qts"] == 5


async def test_the_qts_updates_of_a_difference_are_handed_out_not_dropped() -> None:
    client, _ = client_with_state(qts=5)
    box = client._message_box
    box.getting_diff_for.add(ENTRY_ACCOUNT)  # as a catch-up at start asks for the difference
    state = types.updates.State(10, 7, NOW, 1, 0)
    diff = types.updates.Difference([], [], [participant(6), participant(7)], [], [], state)
    found, _, _ = box.apply_difference(diff, client._mb_entity_cache)
    assert [u.qts for u in found] == [6, 7]  # Telethon 1.45's own order of work would have dropped both
    assert box.current_state()[0]["qts"] == 7


def test_a_catch_up_telegram_answers_too_long_is_told_as_lost() -> None:
    client, _ = client_with_state()
    box, lost = client._message_box, []
    box.on_lost = lost.append
    box.getting_diff_for.add(ENTRY_ACCOUNT)
    box.apply_difference(types.updates.DifferenceTooLong(pts=40), client._mb_entity_cache)
    assert lost == [None]  # the account's updates (participant changes in any group) are gone

    box.map[GROUP] = State(pts=3, deadline=0)
    box.getting_diff_for.add(GROUP)
    dialog = types.Dialog(types.PeerChannel(GROUP), 0, 0, 0, 0, 0, 0, 0, types.PeerNotifySettings(), pts=9)
    too_long = types.updates.ChannelDifferenceTooLong(dialog, [], [], [], final=True)
    request = functions.updates.GetChannelDifferenceRequest(
        types.InputChannel(GROUP, 0), types.ChannelMessagesFilterEmpty(), 3, 100)
    box.apply_channel_difference(request, too_long, client._mb_entity_cache)
    assert lost == [None, GROUP]  # that group's changes are gone
