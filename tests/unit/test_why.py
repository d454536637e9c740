"""The "Why?" answer: what the member's own log says, what is missing now, and nothing for anyone else."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from application import messages, narration, why_messages
from application.callback_tokens import CallbackTokens
from domain import membership_verdict as mv
from domain import why
from domain.channel import Channel

T = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


def events_of(act) -> list:
    verdict = mv.MembershipVerdict(chat_id=2001, member_id=7, timestamp=T)
    act(verdict)
    return verdict.collect_events()


def test_the_restriction_in_force_keeps_its_start_and_takes_the_latest_reason() -> None:
    def story(v: mv.MembershipVerdict) -> None:
        v.restrict(mv.NOT_SUBSCRIBED, [1001, 1002], "join", "mute", [], None, T)
        v.mute_applied(T)
        v.restrict(mv.NOT_SUBSCRIBED, [1002], "channel_unlinked", "mute", None, None, T + timedelta(hours=1))

    found = why.restriction_in_force(events_of(story))
    assert found == why.Restriction(T, "join", mv.NOT_SUBSCRIBED, "mute", (1002,))


def test_a_release_ends_the_restriction_and_a_new_one_starts_afresh() -> None:
    later = T + timedelta(days=1)
    verdict = mv.MembershipVerdict(chat_id=2001, member_id=7, timestamp=T)
    verdict.restrict(mv.NOT_SUBSCRIBED, [1001], "join", "mute", [], None, T)
    verdict.release(mv.VERIFY_PRESSED, 7, T)
    released = list(verdict.pending_events)
    verdict.restrict(mv.NOT_SUBSCRIBED, [1002], "channel_left", "mute", [], None, later)
    assert why.restriction_in_force(released) is None
    again = why.restriction_in_force(verdict.collect_events())
    assert again == why.Restriction(later, "channel_left", mv.NOT_SUBSCRIBED, "mute", (1002,))


RESTRICTION = why.Restriction(T, "message", mv.NOT_SUBSCRIBED, "mute", (1001, 1002))


def test_the_member_learns_what_is_missing_now_and_what_frees_them() -> None:
    assert why.explain(7, 7, RESTRICTION, [1002]) == why.WhyAnswer(
        why.Asked.MUTED, RESTRICTION, (1002,), why.NextStep.JOIN_THEN_VERIFY
    )
    assert why.explain(7, 7, RESTRICTION, []).next_step == why.NextStep.PRESS_VERIFY
    assert why.explain(7, 7, None, []).asked == why.Asked.NOT_MUTED


def test_when_telegram_cannot_say_the_logs_channels_are_named() -> None:
    assert why.explain(7, 7, RESTRICTION, None).missing_now == (1001, 1002)
    failed = why.Restriction(T, "message", mv.CHECK_FAILED, "mute", (1001,))
    assert why.explain(7, 7, failed, None).next_step == why.NextStep.TRY_LATER


@given(st.integers(), st.integers(), st.none() | st.just(RESTRICTION), st.none() | st.lists(st.integers()))
def test_nobody_else_learns_anything(presser: int, member: int, restriction, missing) -> None:
    answer = why.explain(presser, member, restriction, missing)
    if presser != member:
        assert answer == why.WhyAnswer(why.Asked.NOT_YOURS)  # the same answer whatever the member's state
    else:
        assert answer.asked != why.Asked.NOT_YOURS


def test_why_buttons_and_verify_buttons_cannot_be_taken_for_each_other() -> None:
    tokens = CallbackTokens(b"secret")
    asked = tokens.issue_why(2001, 7)
    assert tokens.read_why(asked) == (2001, 7) and tokens.read(asked) is None
    assert tokens.read_why(tokens.issue(2001, 7, 5)) is None
    assert CallbackTokens(b"other").read_why(asked) is None
    assert tokens.read_why(asked[:-1] + bytes([asked[-1] ^ 1])) is None
    assert len(asked) <= 64  # Telegram's limit on a button's data


def test_every_trigger_the_log_records_is_told_to_the_member_in_words() -> None:
    assert set(why_messages.WHY_TRIGGERS) == set(narration.TRIGGERS)


def test_the_short_answer_fits_an_alert_however_many_channels() -> None:
    channels = [Channel(-100 - i, f"C{i}", f"a_rather_long_channel_name_{i}") for i in range(10)]
    short = why_messages.why_short(T, "join_then_verify", channels)
    assert len(short) <= messages.ALERT_LIMIT
    assert "@a_rather_long_channel_name_0" in short and "more" in short and "/why" in short


def test_a_private_answer_for_many_groups_fits_one_message() -> None:
    from application.handlers.why import _within_message

    texts = [f"group {i}: " + "x" * 900 for i in range(10)]
    text = _within_message(texts)
    assert len(text) <= messages.MESSAGE_LIMIT and text.startswith("group 0") and "in 6 more group(s)" in text
    assert _within_message(["short"]) == "short"
