"""The update bus, the partition leases and the remote Telegram calls, on the real Redis."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from adapters.redis.partition_lease import PartitionLeases
from adapters.redis.telegram_calls import CallDesk, RemoteTelegram
from adapters.redis.update_streams import UpdateStreams
from adapters.simulated_telegram.clock import SimulatedClock
from adapters.simulated_telegram.gateway import SimulatedTelegram
from adapters.simulated_telegram.model import Chat, Participant, Person
from adapters.simulated_telegram.world import World
from application import commands as c
from application.ownership import CONTROL, PARTITIONS, assignment, current_partition, partition_of, route
from application.ports import telegram as ports
from application.ports.telegram import Listing, OutgoingMessage, ParticipantPage, TelegramError
from domain import subscription as sub
from domain.senders import USER, Sender
from tests.contract.redis_fixtures import REDIS_URL, redis_namespace


def test_a_members_updates_share_a_partition_and_group_updates_go_to_control() -> None:
    message = c.GroupMessage(chat_id=-1, message_id=5, sender=Sender(USER, 42))
    leave = c.ChannelMembershipChanged(channel_id=-7, user_id=42, status="left")
    assert route(message) == route(leave) == partition_of(42)
    assert route(c.BotRightsChanged(chat_id=-1, is_admin=False)) == CONTROL
    spread = {partition_of(member) for member in range(1000)}
    assert spread == set(range(PARTITIONS))


def test_every_partition_has_one_owner_and_shares_differ_by_at_most_one() -> None:
    owned = assignment(["b", "a", "c"])
    flat = [p for ps in owned.values() for p in ps]
    assert len(flat) == len(set(flat)) == PARTITIONS + 1
    assert max(map(len, owned.values())) - min(map(len, owned.values())) <= 1
    assert assignment(["c", "a", "b"]) == owned


async def test_an_acknowledgement_under_a_lost_lease_moves_nothing() -> None:
    async with redis_namespace() as (client, prefix):
        bus = UpdateStreams(client, prefix, 4)
        first = PartitionLeases(client, prefix, "w1", 4, lease_seconds=0.3)
        command = c.GroupMessage(chat_id=-1, message_id=1, sender=Sender(USER, 9))
        partition, entry = await bus.publish(command)
        assert [cmd for _, cmd in await bus.read(partition, "0-0")] == [command]
        held = await first.claim(partition)
        assert held is not None and await first.claim(partition) == held  # renewing keeps the epoch
        await asyncio.sleep(0.4)  # w1 died: its lease ran out
        second = PartitionLeases(client, prefix, "w2", 4)
        taken = await second.claim(partition)
        assert taken is not None and taken.epoch == held.epoch + 1
        assert not await bus.acknowledge(partition, entry, first.lease_key(partition), held.token)
        assert await bus.offset(partition) == "0-0"
        assert await bus.acknowledge(partition, entry, second.lease_key(partition), taken.token)
        assert await bus.offset(partition) == entry and await bus.read(partition, entry) == []
        assert (await bus.lag())[str(partition)] == 0


async def test_workers_rebalance_when_one_joins_and_when_one_leaves() -> None:
    async with redis_namespace() as (client, prefix):
        a, b = PartitionLeases(client, prefix, "a", 4), PartitionLeases(client, prefix, "b", 4)
        for p in await a.wanted():
            await a.claim(p)
        assert len(a.held) == 5
        wanted_b = await b.wanted()
        for p in [p for p in a.held if p not in await a.wanted()]:
            await a.release(p)
        for p in wanted_b:
            assert await b.claim(p) is not None
        assert set(a.held) | set(b.held) == {0, 1, 2, 3, CONTROL} and not set(a.held) & set(b.held)
        await b.leave()
        for p in await a.wanted():
            await a.claim(p)
        assert len(a.held) == 5


async def test_a_partition_the_renewing_thread_finds_lost_loses_only_itself_and_only_once() -> None:
    """Every partition a worker first claims has epoch 1, so all its tokens read "w1|1": a lease lost (here
    deleted, as a release racing the thread's renewal does) must take only its own partition away, and taking
    it back must hold. Before, the lost token took every partition with it, at every beat, for good."""
    async with redis_namespace() as (client, prefix):
        leases = PartitionLeases(client, prefix, "w1", 4)
        kept, lost = await leases.claim(0), await leases.claim(1)
        assert kept is not None and lost is not None and kept.token == lost.token
        leases.renew_in_thread(REDIS_URL, every=0.05)
        try:
            await client.delete(leases.lease_key(1))
            await asyncio.sleep(0.3)
            assert await leases.renew() == [1] and set(leases.held) == {0}
            again = await leases.claim(1)
            assert again is not None and again.epoch == 2
            await asyncio.sleep(0.3)
            assert await leases.renew() == [] and set(leases.held) == {0, 1}
        finally:
            leases.stop_renewing()


async def test_a_call_is_carried_out_once_and_refused_under_a_stale_lease() -> None:
    async with redis_namespace() as (client, prefix):
        world = World(bot_id=1)
        world.people[9] = Person(9, "Nine")
        world.chats[-100] = Chat(-100, "group", "g")
        telegram = SimulatedTelegram(world, SimulatedClock())
        leases = PartitionLeases(client, prefix, "w1", 4)
        desk = CallDesk(client, prefix, telegram, epoch=1)
        stop = asyncio.Event()
        served = asyncio.get_running_loop().create_task(desk.serve(stop))
        remote = RemoteTelegram(client, prefix, "w1", 1,
                                lambda p: leases.held[p].token if p in leases.held else None, answer_seconds=2)
        remote.start()
        try:
            held = await leases.claim(0)
            token = current_partition.set(0)
            try:
                await remote.send_private(9, "hi", key=77)
                try:  # asked again under the same random_id: Telegram refuses, nothing is posted twice
                    await remote.send_private(9, "hi", key=77)
                    raise AssertionError("a repeated random_id was posted")
                except TelegramError as error:
                    assert error.kind == TelegramError.DUPLICATE
                assert world.private_messages[9] == ["hi"]
                # The partition moves to another worker while w1 still holds its old token.
                await client.set(leases.lease_key(0), "w2|99")
                leases.held[0] = held
                try:
                    await remote.send_message(-100, OutgoingMessage("late"))
                    raise AssertionError("a call under a stale lease was carried out")
                except TelegramError as error:
                    assert "fenced" in str(error)
            finally:
                current_partition.reset(token)
            assert desk.refused == 1
        finally:
            stop.set()
            await served
            await remote.stop()


async def test_a_worker_lists_participants_through_the_gateway() -> None:
    """A worker fills its groups' standing directories through the gateway: the page comes back whole."""
    async with redis_namespace() as (client, prefix):
        world = World(bot_id=1)
        world.people[9] = Person(9, "Nine")
        world.chats[100] = Chat(100, "group", "g", participants={
            1: Participant(sub.ADMIN), 9: Participant(sub.RESTRICTED, frozenset({"send_photos"}))})
        telegram = SimulatedTelegram(world, SimulatedClock())
        async with desk_and_remote(client, prefix, telegram) as (_desk, remote):
            page = await remote.list_participants(100, Listing.BANNED)
            assert page == ParticipantPage(1, ((9, ports.Participant(sub.RESTRICTED, frozenset({"send_photos"}))),))
            assert telegram.calls["get_participants"] == 1


async def test_calls_asked_together_share_round_trips_and_each_is_answered_as_its_own() -> None:
    async with redis_namespace() as (client, prefix):
        world = World(bot_id=1)
        for person in range(10, 60):
            world.people[person] = Person(person, f"P{person}")
        telegram = SimulatedTelegram(world, SimulatedClock())
        async with desk_and_remote(client, prefix, telegram) as (desk, remote):
            await asyncio.gather(*(remote.send_private(p, f"hi {p}", key=p) for p in range(10, 60)))
            assert {p: world.private_messages[p] for p in range(10, 60)} == {p: [f"hi {p}"] for p in range(10, 60)}
            assert remote._commands.round_trips == 1  # fifty calls, one send to the stream
            assert desk._commands.round_trips < 50  # admissions and ends shared too
            assert desk.carried_out == 50
            assert await client.xlen(f"{prefix}calls") == 0  # every call acknowledged and deleted


@asynccontextmanager
async def desk_and_remote(
    client: object, prefix: str, telegram: object
) -> AsyncIterator[tuple[CallDesk, RemoteTelegram]]:
    """A gateway's call desk serving on `telegram`, and a worker's remote port asking it (no partition)."""
    desk = CallDesk(client, prefix, telegram, epoch=1)
    stop = asyncio.Event()
    served = asyncio.get_running_loop().create_task(desk.serve(stop))
    remote = RemoteTelegram(client, prefix, "w1", 1, lambda p: None, answer_seconds=2)
    remote.start()
    try:
        yield desk, remote
    finally:
        stop.set()
        await served
        await remote.stop()
