from datetime import UTC, datetime

from domain import membership_verdict as mv
from domain.ids import verdict_stream_id

T = datetime(2026, 1, 1, tzinfo=UTC)


def new_verdict() -> mv.MembershipVerdict:
    return mv.MembershipVerdict(chat_id=2001, member_id=7, timestamp=T)


def replay(events: list) -> mv.MembershipVerdict:
    rebuilt = None
    for event in events:
        rebuilt = event.mutate(rebuilt)
    return rebuilt


def test_stream_id_is_deterministic_per_group_and_member() -> None:
    assert new_verdict().id == verdict_stream_id(2001, 7)
    assert verdict_stream_id(2001, 7) != verdict_stream_id(2001, 8) != verdict_stream_id(2002, 7)


def test_restrict_mute_release_lift_and_replay() -> None:
    verdict = new_verdict()
    assert verdict.restrict(mv.NOT_SUBSCRIBED, [1001], "message", "mute", ["send_photos"], 55, T)
    assert verdict.is_restricted and verdict.needs_warning and not verdict.mute_in_force
    verdict.mute_applied(T)
    verdict.warning_posted(9, T)
    assert verdict.mute_in_force and not verdict.needs_warning
    assert verdict.release(mv.VERIFY_PRESSED, 7, T)
    assert not verdict.is_restricted and verdict.mute_in_force  # lifting is the reactor's job
    verdict.mute_lifted(T)
    verdict.warning_removed(T)
    events = verdict.collect_events()
    rebuilt = replay(events)
    assert [type(e).__name__ for e in events] == [
        "Opened", "MemberRestricted", "MuteApplied", "WarningPosted", "MemberReleased", "MuteLifted", "WarningRemoved",
    ]
    assert vars(rebuilt) == vars(verdict)
    assert events[5].restored == ["send_photos"]  # the admin's own restriction comes back, nothing more


def test_a_repeated_restriction_for_the_same_channels_records_nothing() -> None:
    verdict = new_verdict()
    verdict.restrict(mv.NOT_SUBSCRIBED, [1001], "join", "mute", [], None, T)
    assert not verdict.restrict(mv.NOT_SUBSCRIBED, [1001], "join", "mute", [], None, T)
    assert verdict.restrict(mv.NOT_SUBSCRIBED, [1001, 1002], "channel_left", "mute", [], None, T)


def test_prior_restrictions_are_those_from_before_the_bots_own_mute() -> None:
    verdict = new_verdict()
    verdict.restrict(mv.NOT_SUBSCRIBED, [1001], "join", "mute", ["send_gifs"], None, T)
    verdict.mute_applied(T)
    # A second look reads the member while muted by the bot; that must not become "what to restore".
    verdict.restrict(mv.NOT_SUBSCRIBED, [1001, 1002], "channel_left", "mute", ["send_messages", "send_gifs"], None, T)
    assert verdict.prior_restrictions == ["send_gifs"]


def test_release_of_a_member_who_is_not_restricted_records_nothing() -> None:
    verdict = new_verdict()
    assert not verdict.release(mv.BY_ADMIN, 10, T)
    assert verdict.verify([1001], "message", T)
    assert not verdict.verify([1001], "message", T)
    assert verdict.version == 2


def test_each_new_restriction_needs_its_own_warning() -> None:
    verdict = new_verdict()
    verdict.restrict(mv.NOT_SUBSCRIBED, [1001], "join", "mute", [], None, T)
    verdict.warning_posted(3, T)
    assert not verdict.needs_warning
    verdict.restrict(mv.NOT_SUBSCRIBED, [1001], "message", "mute", [], 44, T)
    assert verdict.needs_warning


def test_join_requests_are_decided_once() -> None:
    verdict = new_verdict()
    verdict.join_request_held([1001], T)
    assert verdict.join_request == "pending"
    assert verdict.decide_join_request(True, "subscribed", T)
    assert not verdict.decide_join_request(False, "not_subscribed", T)
    assert replay(verdict.collect_events()).join_request == "approved"
