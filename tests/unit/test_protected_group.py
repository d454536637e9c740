import re
from datetime import UTC, datetime

import pytest

from domain.errors import GateRuleError
from domain.ids import group_stream_id
from domain.protected_group import MAX_CHANNELS, ProtectedGroup, linked_channel

T = datetime(2026, 1, 1, tzinfo=UTC)
NEWS = linked_channel(1001, "News", "news")
PRIVATE = linked_channel(1002, "Private", None, "https://t.me/+x")


def new_group() -> ProtectedGroup:
    return ProtectedGroup(chat_id=2001, title="Chat", timestamp=T)


def replay(group: ProtectedGroup) -> ProtectedGroup:
    rebuilt = None
    for event in group.collect_events():
        rebuilt = event.mutate(rebuilt)
    return rebuilt


def test_same_chat_always_maps_to_the_same_stream() -> None:
    assert new_group().id == group_stream_id(2001) == ProtectedGroup(chat_id=2001, title="", timestamp=T).id
    assert group_stream_id(2001) != group_stream_id(2002)


def test_protect_link_settings_unprotect_and_replay_gives_the_same_state() -> None:
    group = new_group()
    group.protect([NEWS], by=10, timestamp=T)
    group.link(PRIVATE, by=10, timestamp=T)
    group.change_setting("quiet", "on", by=10, timestamp=T)
    group.change_setting("action", "kick", by=10, timestamp=T)
    group.unlink(1001, by=10, timestamp=T)
    rebuilt = replay(group)
    assert rebuilt.protected and rebuilt.channel_ids == [1002] == group.channel_ids
    assert rebuilt.settings == group.settings
    assert rebuilt.settings.quiet and rebuilt.settings.action == "kick"
    assert rebuilt.version == group.version == 6


def test_protect_needs_a_channel_and_refuses_duplicates_and_too_many() -> None:
    with pytest.raises(GateRuleError, match="at least one channel"):
        new_group().protect([], by=10, timestamp=T)
    with pytest.raises(GateRuleError, match="twice"):
        new_group().protect([NEWS, NEWS], by=10, timestamp=T)
    many = [linked_channel(i, f"c{i}", f"chan{i}") for i in range(MAX_CHANNELS + 1)]
    with pytest.raises(GateRuleError, match="at most"):
        new_group().protect(many, by=10, timestamp=T)


def test_the_last_channel_cannot_be_unlinked_and_nothing_is_recorded() -> None:
    group = new_group()
    group.protect([NEWS], by=10, timestamp=T)
    before = group.version
    with pytest.raises(GateRuleError, match="last linked channel"):
        group.unlink(1001, by=10, timestamp=T)
    assert group.version == before and group.channel_ids == [1001]


def test_bad_settings_are_refused_with_the_valid_choices() -> None:
    group = new_group()
    group.protect([NEWS], by=10, timestamp=T)
    with pytest.raises(GateRuleError, match=re.escape("mute | delete-only | kick")):
        group.change_setting("action", "explode", by=10, timestamp=T)
    with pytest.raises(GateRuleError, match="no setting called 'colour'"):
        group.change_setting("colour", "red", by=10, timestamp=T)
    with pytest.raises(GateRuleError, match="seconds from 0"):
        group.change_setting("warning_ttl", "-5", by=10, timestamp=T)
    assert group.version == 2


def test_unchanged_setting_records_nothing() -> None:
    group = new_group()
    group.protect([NEWS], by=10, timestamp=T)
    group.change_setting("strict", "yes", by=10, timestamp=T)
    assert group.version == 2


def test_commands_on_an_unprotected_group_are_refused() -> None:
    with pytest.raises(GateRuleError, match="not protected"):
        new_group().link(NEWS, by=10, timestamp=T)
    group = new_group()
    group.protect([NEWS], by=10, timestamp=T)
    group.unprotect(by=10, timestamp=T)
    assert not group.protected and group.channels == []
    group.protect([PRIVATE], by=10, timestamp=T)
    assert replay(group).channel_ids == [1002]
