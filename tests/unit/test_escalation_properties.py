"""Escalation and grace held to their invariants, over whatever Hypothesis makes up.

- No accepted duration is under Telegram's 30-second floor (below it a restriction has no end) or over
  366 days; refused values raise a SettingProblem (a clear answer, nothing changed).
- A kick (or any sanction) reaches only someone `decide` restricts: never an admin, never a non-member.
- Grace never restricts: a member in grace is only warned.
- A timed mute carries its end only over an empty admins' layer (the admins' restriction stays as it is),
  is never sent less than 30 seconds from its end, and the bot's own end date seen back is not taken for
  an admin's restriction.
"""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import decision as rules
from domain import escalation as esc
from domain import membership_verdict as mv
from domain.effects import plan
from domain.rights import ALL_RIGHTS, MUTE
from domain.settings import GroupSettings, SettingProblem
from domain.standing import SHORTEST_END, Hold, Layer, after_observing, timed_mute_layer
from domain.subscription import ALL_STATUSES, MEMBER
from tests.reliability.profiles import FAST

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
CHANNELS = [1001, 1002, 1003]
UNITS = ["", "s", "m", "h", "d", "w"]

durations = st.tuples(st.integers(0, 10**6), st.sampled_from(UNITS)).map(lambda t: f"{t[0]}{t[1]}")
steps = st.lists(
    st.sampled_from(["warn", "kick", "mute"]) | durations.map(lambda d: f"mute:{d}"), min_size=1, max_size=12
).map(",".join)


@FAST
@given(durations)
def test_an_accepted_duration_is_never_under_30_seconds_nor_over_366_days(raw: str) -> None:
    try:
        seconds = esc.parse_duration(raw)
    except esc.EscalationProblem:
        return
    assert esc.SHORTEST <= seconds <= esc.LONGEST


@FAST
@given(steps)
def test_accepted_steps_never_hold_a_mute_under_the_floor_and_refusals_change_nothing(raw: str) -> None:
    before = GroupSettings(action="escalate")
    try:
        after = before.with_value("escalate", raw)
    except SettingProblem as problem:
        assert problem.code in ("duration_short", "duration_long", "steps_many", "duration_shape")
        assert before == GroupSettings(action="escalate")
        return
    for step in esc.parse_steps(after.escalate):
        assert step.seconds is None or esc.SHORTEST <= step.seconds <= esc.LONGEST
    assert esc.parse_steps(after.escalate) == esc.parse_steps(raw)  # stored as it reads back


@pytest.mark.parametrize("raw", ["mute:29s", "mute:10", "mute:367d", "ban", "mute:1h,ban", "warn:1h", "", "mute:x"])
def test_bad_steps_are_refused(raw: str) -> None:
    with pytest.raises(SettingProblem):
        GroupSettings().with_value("escalate", raw)


@pytest.mark.parametrize("raw", ["29", "1x", "367d", "-1"])
def test_bad_grace_is_refused(raw: str) -> None:
    with pytest.raises(SettingProblem):
        GroupSettings().with_value("grace", raw)


def test_grace_takes_durations_and_zero() -> None:
    assert GroupSettings().with_value("grace", "2d").grace == 2 * 86400
    assert GroupSettings().with_value("grace", "0").grace == 0


def test_offences_walk_the_steps_and_the_last_repeats() -> None:
    settings = GroupSettings(action="escalate", escalate="warn,mute:1h,kick")
    offences, seen = 0, []
    for _ in range(5):
        what = rules.sanction(settings, offences, True, False, NOW)
        offences = what.offences
        seen.append((what.action, what.until))
    assert seen == [("warn", None), ("mute", NOW + timedelta(hours=1)), ("kick", None), ("kick", None),
                    ("kick", None)]
    # A join (no message) walks nothing: the step reached, or only a warning before any offence.
    assert rules.sanction(settings, 0, False, False, NOW).action == "warn"
    assert rules.sanction(settings, 2, False, False, NOW) == rules.Sanction("mute", 2, NOW + timedelta(hours=1))


@st.composite
def facts(draw) -> rules.Facts:
    return rules.Facts(
        channels=CHANNELS,
        statuses=draw(st.dictionaries(st.sampled_from(CHANNELS), st.sampled_from(sorted(ALL_STATUSES)))),
        failures={},
        settings=GroupSettings(action="escalate", escalate=draw(st.sampled_from(["kick", "warn,kick", "mute:1h"]))),
        standing=draw(st.none() | st.sampled_from(sorted(ALL_STATUSES))),
        is_bot=draw(st.booleans()),
    )


@FAST
@given(facts(), st.integers(0, 20), st.booleans(), st.booleans())
def test_never_a_sanction_on_an_admin_or_a_non_member_and_grace_never_restricts(
    f: rules.Facts, offences: int, offended: bool, grace: bool
) -> None:
    decision = rules.decide(f)
    if decision.outcome != rules.Outcome.RESTRICT:
        # The gate asks for a sanction only on RESTRICT: this is what keeps admins and non-members out.
        assert f.standing in ("admin", "creator", "left", "kicked", "none") or f.is_bot or not decision.missing
        return
    assert f.standing not in ("admin", "creator", "left", "kicked")
    what = rules.sanction(f.settings, offences, offended, grace, NOW)
    if grace:
        assert what.action == esc.WARN and what.until is None


@FAST
@given(st.integers(-3600, 400 * 86400), st.frozensets(st.sampled_from(sorted(ALL_RIGHTS)), max_size=4),
       st.booleans())
def test_a_timed_mute_never_ends_an_admins_restriction_nor_goes_out_under_the_floor(
    seconds: int, admin_rights: frozenset, admin_timed: bool
) -> None:
    until = NOW + timedelta(seconds=seconds)
    admins = Layer(admin_rights, NOW + timedelta(days=3) if admin_timed else None)
    layer = timed_mute_layer(admins, until)
    if admins.rights or admins.until is not None:
        assert layer.until is None and admins.rights <= layer.rights  # the admins' layer kept, no end imposed
    else:
        assert layer == Layer(MUTE, until)
    verdict = mv.MembershipVerdict(chat_id=2001, member_id=7, timestamp=NOW)
    verdict.observe(MEMBER, admins, None, "read", NOW)
    verdict.restrict(mv.NOT_SUBSCRIBED, [1001], "message", "mute", sorted(admin_rights), 5, NOW,
                     prior_until=admins.until, offences=2, until=until)
    rights = plan(verdict, GroupSettings(action="escalate"), NOW).rights
    if rights is not None and rights.until is not None:
        assert rights.until - NOW >= SHORTEST_END
    if until - NOW < SHORTEST_END:
        assert rights is None  # over, or too near its end to be sent: no mute at all


def test_the_bots_own_end_date_seen_back_keeps_its_mute_in_force() -> None:
    until = NOW + timedelta(hours=1)
    hold = Hold(Layer(), True, MUTE, until)
    assert after_observing(hold, MEMBER, Layer(MUTE, until)) == hold
    # An admin's own end date on the set is theirs: the bot's mute is applied again.
    assert not after_observing(hold, MEMBER, Layer(MUTE, until + timedelta(days=1))).mute_in_force


def test_a_timed_mute_that_ended_is_not_lifted_by_an_admin() -> None:
    verdict = mv.MembershipVerdict(chat_id=2001, member_id=7, timestamp=NOW)
    verdict.observe(MEMBER, Layer(), None, "read", NOW)
    until = NOW + timedelta(hours=1)
    verdict.restrict(mv.NOT_SUBSCRIBED, [1001], "message", "mute", [], 5, NOW, offences=2, until=until)
    verdict.mute_applied(NOW, until)
    verdict.observe(MEMBER, Layer(), None, "read", until + timedelta(seconds=5))
    assert verdict.is_restricted  # still held: the next message walks on
    assert plan(verdict, GroupSettings(action="escalate"), until + timedelta(seconds=5)).rights is None


def test_in_grace_only_for_members_from_before_and_only_until_it_ends() -> None:
    assert esc.in_grace(3600, NOW, True, NOW + timedelta(minutes=59))
    assert not esc.in_grace(3600, NOW, True, NOW + timedelta(hours=1))
    assert not esc.in_grace(3600, NOW, False, NOW)
    assert not esc.in_grace(0, NOW, True, NOW)
    assert not esc.in_grace(3600, None, True, NOW)


def test_a_join_after_a_kick_is_warned_not_removed_again() -> None:
    settings = GroupSettings(action="escalate", escalate="warn,kick")
    assert rules.sanction(settings, 2, False, False, NOW).action == "warn"
    assert rules.sanction(settings, 2, True, False, NOW).action == "kick"


def test_a_redecision_keeps_the_step_reached_under_escalate() -> None:
    until = NOW + timedelta(hours=1)
    escalating = GroupSettings(action="escalate")
    assert rules.redecided(escalating, "warn", 1, None) == rules.Sanction("warn", 1, None)
    assert rules.redecided(escalating, "mute", 2, until) == rules.Sanction("mute", 2, until)
    assert rules.redecided(GroupSettings(action="mute"), "warn", 1, None) == rules.Sanction("mute")
