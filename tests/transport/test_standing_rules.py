"""Telegram's rules for a participant's standing, held identically by both simulated Telegrams.

Every test runs once through the direct gateway and once through the Telethon adapter over TL (the `sim`
fixture): both change a standing only through World.edit_banned, and both must tell the bot the same.
"""

from datetime import UTC, datetime, timedelta

import pytest
from simulators import ADMIN, ALICE, BLOG, BOB, BOT, CAROL, GROUP, OWNER

from adapters.simulated_telegram.model import Participant as Standing
from adapters.simulated_telegram.model import Sender
from adapters.simulated_telegram.world import WorldError
from application.commands import MemberJoined, MemberLeft, MemberStandingChanged
from application.ports.telegram import Participant, TelegramError
from domain import rights
from domain import subscription as sub

NO_PHOTOS = frozenset({"send_photos"})
DAY = 24 * 3600


async def refused(call) -> str:
    with pytest.raises(TelegramError) as failure:
        await call
    return failure.value.kind


async def test_an_admin_or_the_creator_cannot_be_restricted(sim) -> None:
    for target in (ADMIN, OWNER):
        assert await refused(sim.gateway.restrict(GROUP, target, rights.MUTE)) == TelegramError.TARGET_IS_ADMIN
    assert sim.world.participant(GROUP, ADMIN) == Standing(sub.ADMIN)
    assert sim.telegram.calls["edit_banned"] == 2


async def test_restricting_someone_never_in_the_group_is_refused_and_adds_no_one(sim) -> None:
    assert await refused(sim.gateway.restrict(GROUP, CAROL, rights.MUTE)) == TelegramError.NOT_PARTICIPANT
    assert await refused(sim.gateway.kick(GROUP, CAROL)) == TelegramError.NOT_PARTICIPANT
    assert sim.world.participant(GROUP, CAROL) is None
    assert (await sim.gateway.get_participant(GROUP, CAROL)).status == sub.NONE
    assert sim.world.outbox == []


async def test_rights_given_replace_the_rights_held(sim) -> None:
    await sim.gateway.restrict(GROUP, ALICE, NO_PHOTOS)
    await sim.gateway.restrict(GROUP, ALICE, frozenset({"send_voices"}))
    assert await sim.gateway.get_participant(GROUP, ALICE) == Participant(sub.RESTRICTED, frozenset({"send_voices"}))
    assert sim.world.can_write(GROUP, ALICE, "photo")
    await sim.gateway.restrict(GROUP, ALICE, frozenset())  # empty: the group's defaults, never "all rights"
    assert await sim.gateway.get_participant(GROUP, ALICE) == Participant(sub.MEMBER)


async def test_empty_rights_on_a_banned_member_unban_them_and_they_may_join_again(sim) -> None:
    sim.world.ban(GROUP, ALICE, by=ADMIN)
    with pytest.raises(WorldError):
        sim.world.join(GROUP, ALICE)  # banned: cannot come back
    await sim.gateway.restrict(GROUP, ALICE, frozenset())
    assert (await sim.gateway.get_participant(GROUP, ALICE)).status == sub.NONE
    assert not sim.world.can_write(GROUP, ALICE)  # unbanned is still out
    sim.world.join(GROUP, ALICE)
    assert sim.world.participant(GROUP, ALICE) == Standing(sub.MEMBER)


async def test_other_rights_on_a_banned_member_leave_them_out_holding_those_rights(sim) -> None:
    sim.world.ban(GROUP, ALICE, by=ADMIN)
    await sim.gateway.restrict(GROUP, ALICE, NO_PHOTOS)
    assert await sim.gateway.get_participant(GROUP, ALICE) == Participant(sub.LEFT, NO_PHOTOS)
    assert not sim.world.can_write(GROUP, ALICE)
    sim.world.join(GROUP, ALICE)  # no longer banned: they may come back, restricted
    assert sim.world.participant(GROUP, ALICE) == Standing(sub.RESTRICTED, NO_PHOTOS)


async def test_restricting_a_leaver_keeps_them_out_and_the_restriction_comes_back_with_them(sim) -> None:
    sim.world.restrict_by(GROUP, ALICE, ADMIN, NO_PHOTOS)
    sim.world.leave(GROUP, ALICE)
    await sim.gateway.restrict(GROUP, ALICE, rights.muted(NO_PHOTOS))
    assert await sim.gateway.get_participant(GROUP, ALICE) == Participant(sub.LEFT, rights.muted(NO_PHOTOS))
    assert not sim.world.participant(GROUP, ALICE).inside
    sim.world.join(GROUP, ALICE)
    assert not sim.world.can_write(GROUP, ALICE)


async def test_a_plain_leaver_is_as_good_as_never_there(sim) -> None:
    sim.world.leave(GROUP, BOB)
    assert await refused(sim.gateway.restrict(GROUP, BOB, rights.MUTE)) == TelegramError.NOT_PARTICIPANT


async def test_the_bots_kick_leaves_the_person_out_and_free_to_rejoin(sim) -> None:
    await sim.gateway.kick(GROUP, ALICE)
    assert (await sim.gateway.get_participant(GROUP, ALICE)).status == sub.NONE
    assert sim.telegram.calls["edit_banned"] == 2
    sim.world.join(GROUP, ALICE)
    assert sim.world.can_write(GROUP, ALICE)


async def test_an_end_date_survives_a_read_and_the_restriction_lapses_with_the_clock(sim) -> None:
    end = sim.clock.now() + timedelta(days=7)
    await sim.gateway.restrict(GROUP, ALICE, NO_PHOTOS, until=end)
    assert await sim.gateway.get_participant(GROUP, ALICE) == Participant(sub.RESTRICTED, NO_PHOTOS, end)
    assert not sim.world.can_write(GROUP, ALICE, "photo")
    sim.clock.advance(7 * DAY - 1)
    assert not sim.world.can_write(GROUP, ALICE, "photo")
    sim.clock.advance(1)
    assert sim.world.can_write(GROUP, ALICE, "photo")
    assert await sim.gateway.get_participant(GROUP, ALICE) == Participant(sub.MEMBER)
    assert await sim.deliver() == []  # Telegram tells no one that a restriction ran out


@pytest.mark.parametrize("seconds", [0, 29, 366 * DAY + 1, -60])
async def test_an_end_under_30_seconds_or_over_366_days_away_means_forever(sim, seconds: int) -> None:
    await sim.gateway.restrict(GROUP, ALICE, NO_PHOTOS, until=sim.clock.now() + timedelta(seconds=seconds))
    assert (await sim.gateway.get_participant(GROUP, ALICE)).until is None
    sim.clock.advance(400 * DAY)
    assert not sim.world.can_write(GROUP, ALICE, "photo")


async def test_a_timed_ban_ends_and_the_person_may_join_again(sim) -> None:
    sim.world.ban(GROUP, ALICE, by=ADMIN, until=sim.clock.time() + DAY)
    assert (await sim.gateway.get_participant(GROUP, ALICE)).status == sub.KICKED
    sim.clock.advance(DAY)
    assert (await sim.gateway.get_participant(GROUP, ALICE)).status == sub.NONE
    sim.world.join(GROUP, ALICE)
    assert sim.world.can_write(GROUP, ALICE)


async def test_a_rejoin_carries_the_restrictions_and_their_end_held_from_before(sim) -> None:
    end = sim.clock.time() + 3 * DAY
    sim.world.restrict_by(GROUP, ALICE, ADMIN, NO_PHOTOS, until=end)
    sim.world.leave(GROUP, ALICE)
    sim.world.outbox.clear()
    sim.world.join(GROUP, ALICE)
    joined = Participant(sub.RESTRICTED, NO_PHOTOS, datetime.fromtimestamp(end, UTC))
    assert await sim.deliver() == [MemberJoined(GROUP, ALICE, "link", "Alice", joined)]


async def test_every_change_is_told_and_the_bots_own_standing_changes_become_no_command(sim) -> None:
    await sim.gateway.restrict(GROUP, ALICE, rights.MUTE)
    await sim.gateway.restrict(GROUP, ALICE, frozenset())
    assert [(u.actor_id, u.current.status) for u in sim.world.outbox] == [(BOT, sub.RESTRICTED), (BOT, sub.MEMBER)]
    assert await sim.deliver() == []
    sim.world.restrict_by(GROUP, ALICE, ADMIN, NO_PHOTOS)
    sim.world.promote(GROUP, BOB, by=OWNER)
    sim.world.demote(GROUP, BOB, by=OWNER)
    assert await sim.deliver() == [
        MemberStandingChanged(GROUP, ALICE, ADMIN, Participant(sub.RESTRICTED, NO_PHOTOS)),
        MemberStandingChanged(GROUP, BOB, OWNER, Participant(sub.ADMIN)),
        MemberStandingChanged(GROUP, BOB, OWNER, Participant(sub.MEMBER)),
    ]


async def test_leaves_kicks_and_bans_are_told_with_who_did_them_the_bot_included(sim) -> None:
    sim.world.leave(GROUP, ALICE)
    await sim.gateway.kick(GROUP, BOB)
    banned = Participant(sub.KICKED, frozenset({"view_messages"}))
    assert await sim.deliver() == [
        MemberLeft(GROUP, ALICE, kicked=False, actor_id=ALICE, participant=Participant(sub.NONE)),
        MemberLeft(GROUP, BOB, kicked=True, actor_id=BOT, participant=banned),  # the unban after it is no news
    ]


async def test_a_promoted_member_loses_the_restrictions_they_had(sim) -> None:
    sim.world.restrict_by(GROUP, ALICE, ADMIN, rights.MUTE)
    sim.world.promote(GROUP, ALICE, by=OWNER)
    assert sim.world.can_write(GROUP, ALICE)
    assert await sim.gateway.get_participant(GROUP, ALICE) == Participant(sub.ADMIN)


async def test_a_send_as_channel_may_be_restricted_without_joining_and_its_posts_are_then_refused(sim) -> None:
    sim.world.post(GROUP, Sender("channel", BLOG), "text", "buy now")
    await sim.gateway.restrict(GROUP, BLOG, rights.MUTE)
    with pytest.raises(WorldError):
        sim.world.post(GROUP, Sender("channel", BLOG), "text", "buy more")
    assert not sim.world.can_write(GROUP, BLOG)  # never a member of the group
    assert [type(c).__name__ for c in await sim.deliver()] == ["GroupMessage"]  # no join, no standing change
