"""Timeline, explain and replay read scenario histories as they happened, on SQLite and on PostgreSQL."""

from datetime import timedelta
from pathlib import Path

from adapters.simulated_telegram.clock import EPOCH
from entrypoints.audit.history import explain, timeline
from entrypoints.audit.replay import replay_at

TIMED = Path(__file__).parent / "timed.yaml"


async def test_timeline_tells_the_restriction_its_reason_and_the_release(play) -> None:
    played = await play("channel_leave.yaml")
    entries = await timeline(played.run.store, 2001)

    kinds = [e.kind for e in entries]
    assert kinds[:2] == ["Registered", "Protected"]
    assert kinds.index("MemberRestricted") < kinds.index("MemberReleased")
    texts = {e.kind: e.text for e in entries}
    assert texts["Protected"] == "user 10 protected the group with @news (News)"  # who, by the admin's id
    assert "not subscribed to @news (News)" in texts["MemberRestricted"]  # why, with the channel's name
    assert "found when they left a required channel" in texts["MemberRestricted"]  # the observation that triggered it
    assert texts["MemberReleased"] == "released: the bot saw them join the missing channel"
    assert [e.position for e in entries] == sorted(e.position for e in entries)
    assert all(e.time is not None and e.time.isoformat().startswith("2026-01-01T09:00") for e in entries)
    assert {e.subject for e in entries} == {"group", "user 1"}


async def test_timeline_filters_by_member_and_time(play) -> None:
    played = await play(TIMED)
    store = played.run.store
    everything = await timeline(store, 2001)
    alice = await timeline(store, 2001, user=1)
    assert {e.subject for e in everything} == {"group", "user 1", "user 2"}
    assert {e.subject for e in alice} == {"group", "user 1"}
    assert [e for e in everything if e.subject != "user 2"] == alice

    later = await timeline(store, 2001, since=EPOCH + timedelta(minutes=20), until=EPOCH + timedelta(minutes=30))
    assert {e.time for e in later} == {EPOCH + timedelta(minutes=20), EPOCH + timedelta(minutes=30)}
    assert "ChannelLinked" in [e.kind for e in later] and "Registered" not in [e.kind for e in later]
    linked = next(e for e in later if e.kind == "ChannelLinked")
    assert linked.text == "user 10 linked @jobs (Jobs)"
    assert await timeline(store, 9999) == []


async def test_explain_gives_the_state_and_the_event_that_set_it(play) -> None:
    played = await play(TIMED)
    store = played.run.store

    bob = await explain(store, 2001, 2)  # restricted at 09:10 and released when the group was unprotected
    assert bob.verdict.status == "released"
    assert bob.state.startswith("Bob (id 2) is released")  # the name the verdict recorded
    decisive = next(e for e in bob.chain if e.position == bob.decisive)
    assert decisive.kind == "MemberReleased" and "the group was unprotected" in decisive.text
    assert [e.kind for e in bob.chain if e.subject == "group"][-1] == "Unprotected"

    played_leave = await play("channel_leave.yaml")
    alice = await explain(played_leave.run.store, 2001, 1)
    assert "MemberRestricted" in [e.kind for e in alice.chain]
    assert alice.to_dict()["verdict"]["status"] == "released"
    assert alice.mute_in_force is False

    stranger = await explain(store, 2001, 77)
    assert stranger.verdict is None and stranger.chain[0].kind == "Registered"
    assert "never judged user 77" in stranger.state


async def test_replay_at_each_instant_equals_the_state_the_scenario_had_then(play) -> None:
    played = await play(TIMED)
    store = played.run.store
    # The state at the end of each instant is the one recorded just before the clock moved on.
    last_at_instant = {m.at: m for m in played.moments}
    assert len(last_at_instant) == 6  # 09:00, 09:10, 09:20, 09:30, 10:30, 10:40
    for at, moment in last_at_instant.items():
        past = await replay_at(store, at)
        assert past.groups == moment.groups, at
        assert past.verdicts == moment.verdicts, at
        # Between two instants nothing happened, so the state there is the earlier one.
        between = await replay_at(store, at + timedelta(seconds=59))
        assert (between.groups, between.verdicts) == (moment.groups, moment.verdicts)

    at_0910 = await replay_at(store, EPOCH + timedelta(minutes=10))
    assert [(v.member_id, v.status) for v in at_0910.restricted()] == [(2, "restricted")]
    at_0920 = await replay_at(store, EPOCH + timedelta(minutes=20))
    assert sorted(v.member_id for v in at_0920.restricted()) == [1, 2]
    at_0930 = await replay_at(store, EPOCH + timedelta(minutes=30))
    assert at_0930.groups[0].channel_ids == [1001, 1002] and at_0930.groups[0].settings["quiet"] is True
    assert at_0910.groups[0].channel_ids == [1001] and at_0910.groups[0].settings["quiet"] is False
    final = await replay_at(store, EPOCH + timedelta(days=1))
    assert final.groups[0].protected is False and final.restricted() == []

    before = await replay_at(store, EPOCH - timedelta(seconds=1))
    assert (before.groups, before.verdicts, before.applied) == ([], [], 0)


async def test_explain_tells_the_bots_mute_from_the_admins_restriction_under_it(play) -> None:
    played = await play(Path(__file__).parent / "layers.yaml")
    alice = await explain(played.run.store, 2001, 1)
    assert alice.state.startswith("Alice (id 1) is restricted")
    assert "muted by the bot on top of an admin's restriction (no photos until 2026-01-08 09:00 UTC)" in alice.state
