"""Telegram participant objects onto subscription statuses, and rights sets onto ChatBannedRights."""

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


def test_restricted_member_keeps_its_restrictions_without_until_date():
    banned = types.ChannelParticipantBanned(types.PeerUser(USER), 1, NOW, MUTED)
    assert to_participant(banned) == Participant("restricted", frozenset({"send_messages", "send_media"}))
    assert to_participant(None) == Participant("none")


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
