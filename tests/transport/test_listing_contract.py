"""channels.getParticipants as both simulated Telegrams answer it through the bot's port: filters, pages, caps."""

from datetime import UTC, datetime

import pytest
from simulators import ADMIN, ALICE, BLOG, BOB, BOT, CHANNEL, GROUP, OWNER, Simulator

from adapters.simulated_telegram.model import Participant, Person
from adapters.simulated_telegram.tl.entities import entities
from application.ports.telegram import Listing, TelegramError
from domain import subscription as sub


async def everyone(sim: Simulator, chat: int, listing: Listing, query: str = "") -> tuple[int, list[int], int]:
    """Page through a listing as a bot would: (Telegram's count, who was listed, calls it took)."""
    before, listed, offset = sim.telegram.calls["get_participants"], [], 0
    while True:
        page = await sim.gateway.list_participants(chat, listing, offset, query=query)
        listed += [user for user, _ in page.members]
        if len(page.members) < 200:
            return page.total, listed, sim.telegram.calls["get_participants"] - before
        offset += len(page.members)


def crowd(sim: Simulator, chat: int, first: int, count: int) -> list[int]:
    people = list(range(first, first + count))
    for person in people:
        sim.world.people[person] = Person(person, f"Reader {person}")
        sim.world.chats[chat].participants[person] = Participant(sub.MEMBER)
    if sim.transport == "telethon":  # the client has met them before, as a running bot would have
        sim.telegram.client._mb_entity_cache.extend(*entities(sim.world, people, []))
    return people


async def test_banned_lists_the_restricted_with_their_rights_and_kicked_the_banned(sim: Simulator) -> None:
    end = datetime.fromtimestamp(int(sim.clock.time()) + 3600, UTC)
    sim.world.restrict_by(GROUP, ALICE, ADMIN, frozenset({"send_photos"}), end.timestamp())
    sim.world.ban(GROUP, BOB, ADMIN)
    banned = await sim.gateway.list_participants(GROUP, Listing.BANNED)
    kicked = await sim.gateway.list_participants(GROUP, Listing.KICKED)
    assert [(u, p.status, p.restrictions, p.until) for u, p in banned.members] == [
        (ALICE, sub.RESTRICTED, frozenset({"send_photos"}), end)]
    assert banned.total == 1
    assert [(u, p.status) for u, p in kicked.members] == [(BOB, sub.KICKED)]
    assert sim.telegram.calls["get_participants"] == 2  # one call each


async def test_admins_and_recent_name_their_status(sim: Simulator) -> None:
    admins = await sim.gateway.list_participants(GROUP, Listing.ADMINS)
    assert {u: p.status for u, p in admins.members} == {OWNER: sub.CREATOR, ADMIN: sub.ADMIN, BOT: sub.ADMIN}
    recent = await sim.gateway.list_participants(GROUP, Listing.RECENT)
    assert {u for u, _ in recent.members} == {OWNER, ADMIN, ALICE, BOB, BOT}
    assert recent.total == 5


async def test_search_finds_members_by_name(sim: Simulator) -> None:
    found = await sim.gateway.list_participants(GROUP, Listing.SEARCH, query="ali")
    assert [u for u, _ in found.members] == [ALICE]


async def test_a_broadcast_channel_lists_only_its_200_most_recent_subscribers(sim: Simulator) -> None:
    people = crowd(sim, CHANNEL, 10_000, 450)
    total, listed, calls = await everyone(sim, CHANNEL, Listing.RECENT)
    assert total == 452  # Telegram counts them all (Alice and the bot too) ...
    assert listed == people[::-1][:200]  # ... and lists the newest 200 only, however the bot pages
    assert calls == 2  # a full page, then an empty one


async def test_a_supergroup_lists_its_members_200_per_call(sim: Simulator) -> None:
    people = crowd(sim, GROUP, 10_000, 450)
    total, listed, calls = await everyone(sim, GROUP, Listing.RECENT)
    assert total == 455 and len(listed) == 455 and set(people) <= set(listed)
    assert calls == 3


async def test_only_an_admin_may_list_subscribers(sim: Simulator) -> None:
    with pytest.raises(TelegramError) as refused:
        await sim.gateway.list_participants(BLOG, Listing.RECENT)
    assert refused.value.kind == TelegramError.NOT_ADMIN
    assert sim.telegram.calls["get_participants"] == 1  # a refusal is a call too


async def test_a_restriction_whose_end_passed_is_listed_no_more(sim: Simulator) -> None:
    sim.world.restrict_by(GROUP, ALICE, ADMIN, frozenset({"send_photos"}), sim.clock.time() + 60)
    sim.clock.advance(120)
    assert (await sim.gateway.list_participants(GROUP, Listing.BANNED)).members == ()
