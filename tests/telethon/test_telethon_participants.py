"""Telegram participant objects onto subscription statuses, and rights sets onto ChatBannedRights."""

from datetime import UTC, datetime

import pytest
from telethon import types
from tg_world import NOW, USER

from adapters.telethon.participants import RIGHT_FLAGS, banned_rights, restrictions_of, status_of, to_participant
from application.ports.telegram import Participant
from domain.rights import ALL_RIGHTS, MUTE

ADMIN_RIGHTS = types.ChatAdminRights(ban_users=True)
MUTED = types.ChatBannedRights(NOW, send_messages=True, send_media=True)
KICKED = types.ChatBannedRights(None, view_messages=True)


@pytest.mark.parametrize(
    ("participant", "status"),
    [
        (types.ChannelParticipant(USER, NOW), "member"),
        (types.ChannelParticipantSelf(USER, 1, NOW), "member"),
        (types.ChannelParticipantAdmin(USER, 1, NOW, ADMIN_RIGHTS), "admin"),
        (types.ChannelParticipantCreator(USER, ADMIN_RIGHTS), "creator"),
        (types.ChannelParticipantBanned(types.PeerUser(USER), 1, NOW, MUTED), "restricted"),
        (types.ChannelParticipantBanned(types.PeerUser(USER), 1, NOW, KICKED, left=True), "kicked"),
        (types.ChannelParticipantBanned(types.PeerUser(USER), 1, NOW, MUTED, left=True), "left"),
        (types.ChannelParticipantLeft(types.PeerUser(USER)), "left"),
        (None, "none"),
        (types.ChannelParticipantsAdmins(), "none"),  # not a participant at all
        (object(), "none"),
    ],
)
def test_status_of(participant, status):
    assert status_of(participant) == status


def test_restricted_member_keeps_its_restrictions_and_their_end():
    banned = types.ChannelParticipantBanned(types.PeerUser(USER), 1, NOW, MUTED)
    assert to_participant(banned) == Participant("restricted", frozenset({"send_messages", "send_media"}), NOW)
    assert to_participant(None) == Participant("none")


@pytest.mark.parametrize("until", [None, datetime(1970, 1, 1, tzinfo=UTC), datetime(2038, 1, 19, tzinfo=UTC)])
def test_restrictions_without_an_end_read_as_none(until):
    rights = types.ChatBannedRights(until, send_messages=True)
    assert to_participant(types.ChannelParticipantBanned(types.PeerUser(USER), 1, NOW, rights)).until is None


def test_a_leaver_keeps_the_restrictions_telegram_keeps():
    left = types.ChannelParticipantBanned(types.PeerUser(USER), 1, NOW, MUTED, left=True)
    assert to_participant(left) == Participant("left", frozenset({"send_messages", "send_media"}), NOW)


def test_every_domain_right_is_a_telegram_flag():
    assert set(ALL_RIGHTS) <= set(RIGHT_FLAGS)


@pytest.mark.parametrize("rights", [MUTE, ALL_RIGHTS, frozenset({"send_photos"}), frozenset()])
def test_rights_round_trip(rights):
    built = banned_rights(rights)
    assert restrictions_of(built) == rights
    assert built.until_date is None
    assert all(getattr(built, name) is (name in rights) for name in RIGHT_FLAGS)


def test_empty_set_is_all_false_on_the_wire():
    assert bytes(banned_rights(frozenset())) == bytes(types.ChatBannedRights(None))


def test_unknown_right_is_refused():
    with pytest.raises(ValueError):
        banned_rights(frozenset({"send_everything"}))
