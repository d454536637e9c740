"""The aggregates under any sequence of commands: every rule holds after every step, a refused command
records nothing, and replaying the recorded events (through the store's codec) rebuilds the same state.
"""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain import membership_verdict as mv
from domain.errors import GateRuleError
from domain.protected_group import MAX_CHANNELS, ProtectedGroup, linked_channel
from domain.settings import SETTING_HELP, GroupSettings
from infrastructure.event_codec import EventCodec
from tests.reliability.profiles import FAST

START = datetime(2026, 1, 1, tzinfo=UTC)
CODEC = EventCodec()
channel_ids = st.integers(1, 14)  # a small pool, so duplicates and the limit of 10 are often reached
channels = st.builds(lambda i: linked_channel(i, f"Channel {i}", f"ch{i}" if i % 2 else None), channel_ids)
raw_values = st.sampled_from(["on", "off", "mute", "kick", "delete-only", "300", "0", "604801", "approve", "x", ""])

group_ops = st.one_of(
    st.tuples(st.just("protect"), st.lists(channels, max_size=12), st.integers(1, 5)),
    st.tuples(st.just("link"), channels, st.integers(1, 5)),
    st.tuples(st.just("unlink"), channel_ids, st.integers(1, 5)),
    st.tuples(st.just("change_setting"), st.sampled_from([*SETTING_HELP, "nope"]), raw_values, st.integers(1, 5)),
    st.tuples(st.just("unprotect"), st.integers(1, 5)),
    st.tuples(st.just("bot_rights_changed"), st.sampled_from([2001, 1, 2, 3]), st.booleans()),
    st.tuples(st.just("refuse_command"), st.integers(1, 5), st.sampled_from(["protect", "settings"])),
)
verdict_ops = st.one_of(
    st.tuples(st.just("verify"), st.lists(channel_ids, max_size=3), st.sampled_from(["join", "message", "verify"])),
    st.tuples(st.just("restrict"), st.sampled_from([mv.NOT_SUBSCRIBED, mv.CHECK_FAILED, mv.SEND_AS_CHANNEL]),
              st.lists(channel_ids, max_size=3), st.sampled_from(["join", "message", "channel_left"]),
              st.sampled_from(["mute", "kick", "delete-only"]), st.lists(st.sampled_from(["send_photos"]), max_size=1),
              st.none() | st.integers(1, 99)),
    st.tuples(st.just("release"), st.sampled_from([mv.VERIFY_PRESSED, mv.BY_ADMIN, mv.LEFT_GROUP]), st.none()),
    st.tuples(st.just("check_failed"), st.lists(channel_ids, min_size=1, max_size=2), st.just("timeout"),
              st.booleans()),
    st.tuples(st.just("mute_applied")), st.tuples(st.just("mute_not_applied"), st.just("not_admin")),
    st.tuples(st.just("mute_lifted")), st.tuples(st.just("warning_posted"), st.integers(1, 500)),
    st.tuples(st.just("warning_removed")), st.tuples(st.just("member_removed")),
    st.tuples(st.just("join_request_held"), st.lists(channel_ids, max_size=2)),
    st.tuples(st.just("decide_join_request"), st.booleans(), st.sampled_from(["subscribed", "missing"])),
)


def apply(aggregate, op: tuple, at: datetime, recorded: list) -> None:
    """Run one command; a refusal must leave no event behind."""
    name, *args = op
    try:
        getattr(aggregate, name)(*args, timestamp=at)
    except GateRuleError:
        assert not aggregate.pending_events, f"{name} was refused but recorded {aggregate.pending_events}"
    recorded += aggregate.collect_events()


def replayed(recorded: list):
    aggregate = None
    for event in recorded:
        aggregate = CODEC.decode(CODEC.encode(event)).mutate(aggregate)  # as the store gives it back
    return aggregate


def state(aggregate) -> dict:
    return {k: v for k, v in vars(aggregate).items() if k != "_pending_events"}


def check_group(group: ProtectedGroup) -> None:
    ids = group.channel_ids
    assert len(set(ids)) == len(ids), f"a channel twice: {ids}"
    assert len(ids) <= MAX_CHANNELS
    assert bool(ids) if group.protected else not ids, f"protected={group.protected} with {ids}"
    GroupSettings.from_dict(group.settings_data)  # every stored setting still reads back
    assert len(set(group.blind)) == len(group.blind)


def check_verdict(verdict: mv.MembershipVerdict, recorded: list) -> None:
    names = [type(e).__name__ for e in recorded]
    assert verdict.status in (mv.UNKNOWN, mv.VERIFIED, mv.RESTRICTED, mv.RELEASED)
    if verdict.is_restricted:
        assert verdict.missing or verdict.reason in (mv.CHECK_FAILED, mv.SEND_AS_CHANNEL), (verdict.reason, names)
    mutes = [n for n in names if n in ("MuteApplied", "MuteLifted", "MemberRemoved")]
    assert verdict.mute_in_force == (bool(mutes) and mutes[-1] == "MuteApplied"), names
    warnings = [n for n in names if n in ("WarningPosted", "WarningRemoved")]
    assert (verdict.warning_id is not None) == (bool(warnings) and warnings[-1] == "WarningPosted"), names
    assert not verdict.needs_warning or verdict.is_restricted


@FAST
@given(ops=st.lists(group_ops, max_size=30))
def test_a_protected_group_keeps_its_rules_and_replays_to_the_same_state(ops) -> None:
    group = ProtectedGroup(chat_id=2001, title="Chat", timestamp=START)
    recorded = list(group.collect_events())
    for step, op in enumerate(ops, start=1):
        apply(group, op, START + timedelta(seconds=step), recorded)
        check_group(group)
    assert state(replayed(recorded)) == state(group)


@FAST
@given(ops=st.lists(verdict_ops, max_size=30))
def test_a_verdict_keeps_its_rules_and_replays_to_the_same_state(ops) -> None:
    verdict = mv.MembershipVerdict(chat_id=2001, member_id=7, timestamp=START)
    recorded = list(verdict.collect_events())
    for step, op in enumerate(ops, start=1):
        apply(verdict, op, START + timedelta(seconds=step), recorded)
        check_verdict(verdict, recorded)
    assert state(replayed(recorded)) == state(verdict)
