"""The gate's rules held to their invariants, over any facts Hypothesis can make up.

- Someone who is not in the group is never acted on; the group's admins are never gated.
- A check that failed restricts only in strict mode and only when the failure is transient; a channel
  the bot cannot see never restricts anyone.
- The bot's mute sits on top of the admins' restrictions, and a release puts back exactly theirs (or
  nothing, once theirs has ended): never an empty set over a ban, never "every right".
"""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain import decision as rules
from domain import membership_verdict as mv
from domain.effects import plan
from domain.rights import ALL_RIGHTS, MUTE
from domain.settings import GroupSettings
from domain.standing import IN_GROUP, OUT_OF_GROUP, Hold, Layer, after_observing, mute_layer, release_layer
from domain.subscription import ALL_STATUSES, KICKED, is_subscribed
from tests.reliability.profiles import FAST

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
CHANNELS = [1001, 1002, 1003, 1004]
FAILURES = [f.value for f in rules.Failure]

statuses = st.dictionaries(st.sampled_from(CHANNELS), st.sampled_from(sorted(ALL_STATUSES)), max_size=4)
failures = st.dictionaries(st.sampled_from(CHANNELS), st.sampled_from(FAILURES), max_size=4)
standings = st.none() | st.sampled_from(sorted(ALL_STATUSES))
rights_sets = st.frozensets(st.sampled_from(sorted(ALL_RIGHTS)), max_size=6)
ends = st.none() | st.integers(-3600, 30 * 86400).map(lambda s: NOW + timedelta(seconds=s))
layers = st.builds(Layer, rights_sets, ends)


@st.composite
def facts(draw) -> rules.Facts:
    found = draw(statuses)
    failed = {c: f for c, f in draw(failures).items() if c not in found}  # a channel answered or failed
    return rules.Facts(
        channels=CHANNELS,
        statuses=found,
        failures=failed,
        settings=GroupSettings(strict=draw(st.booleans()), gate_bots=draw(st.booleans())),
        blind=draw(st.frozensets(st.sampled_from(CHANNELS), max_size=2)),
        standing=draw(standings),
        is_bot=draw(st.booleans()),
    )


@FAST
@given(facts())
def test_nobody_outside_the_group_is_acted_on_and_admins_are_never_gated(f: rules.Facts) -> None:
    decision = rules.decide(f)
    if f.standing in OUT_OF_GROUP:
        assert decision.outcome == rules.Outcome.NOT_IN_GROUP
    if f.standing in ("admin", "creator"):
        assert decision.outcome == rules.Outcome.EXEMPT
    if decision.outcome == rules.Outcome.RESTRICT:
        assert f.standing is None or f.standing in IN_GROUP


@FAST
@given(facts())
def test_a_restriction_names_only_channels_the_bot_can_see(f: rules.Facts) -> None:
    decision = rules.decide(f)
    if decision.outcome != rules.Outcome.RESTRICT:
        return
    for channel in decision.missing:
        assert f.failures.get(channel) not in ("not_admin", "not_found")
        assert channel not in f.blind or channel in f.statuses  # blind, unless Telegram just answered for it
    if decision.reason == rules.Reason.NOT_SUBSCRIBED:
        assert all(not is_subscribed(f.statuses[c]) for c in decision.missing)


@FAST
@given(facts())
def test_a_failed_check_restricts_only_in_strict_mode_and_only_when_transient(f: rules.Facts) -> None:
    decision = rules.decide(f)
    if decision.reason == rules.Reason.CHECK_FAILED:
        assert f.settings.strict
        assert all(f.failures[c] in rules.TRANSIENT for c in decision.missing)
    if decision.outcome == rules.Outcome.ALLOW_ON_FAILURE:
        assert not f.settings.strict


@FAST
@given(facts())
def test_a_pass_means_every_channel_the_bot_can_see_is_subscribed_or_untold(f: rules.Facts) -> None:
    if rules.decide(f).outcome != rules.Outcome.PASS:
        return
    for channel in CHANNELS:
        if channel in f.statuses:
            assert is_subscribed(f.statuses[channel])
        assert f.failures.get(channel) is None


@FAST
@given(layers)
def test_the_mute_keeps_every_right_the_admins_took_and_never_ends(admins: Layer) -> None:
    muted = mute_layer(admins)
    assert muted.rights >= admins.rights | MUTE and muted.until is None


@FAST
@given(layers)
def test_a_release_puts_back_exactly_the_admins_layer_or_nothing_once_it_ends(admins: Layer) -> None:
    released = release_layer(admins, NOW)
    assert released in (admins, Layer())
    if admins.until is None or admins.until - NOW >= timedelta(seconds=30):
        assert released == admins


@FAST
@given(layers)
def test_the_admins_layer_is_read_back_from_under_the_mute(admins: Layer) -> None:
    bot = MUTE - admins.rights
    seen_with_mute = Layer(admins.rights | bot, None)
    assert after_observing(Hold(Layer(admins.rights), True, bot), "restricted", seen_with_mute).admins == Layer(
        admins.rights
    )


observations = st.tuples(st.sampled_from(sorted(ALL_STATUSES)), st.none() | layers)
outcomes = st.sampled_from(["mute_applied", "mute_lifted", "release", "restrict"])


@FAST
@given(st.lists(st.one_of(observations, outcomes), max_size=12))
def test_no_plan_changes_the_rights_of_someone_out_of_the_group_or_releases_onto_a_ban(steps: list) -> None:
    verdict = mv.MembershipVerdict(chat_id=2001, member_id=7, timestamp=NOW)
    for step in steps:
        if step == "mute_applied":
            verdict.mute_applied(NOW)
        elif step == "mute_lifted":
            verdict.mute_lifted(NOW)
        elif step == "release":
            verdict.release(mv.VERIFY_PRESSED, 7, NOW)
        elif step == "restrict":
            verdict.restrict(mv.NOT_SUBSCRIBED, [1001], "message", "mute", None, None, NOW)
        else:
            verdict.observe(step[0], step[1], 10, "test", NOW)
        step_plan = plan(verdict, GroupSettings(), NOW)
        if verdict.standing in OUT_OF_GROUP:
            assert step_plan.rights is None and not step_plan.kick
        if step_plan.rights is not None and not step_plan.mutes:
            # A release writes back what the admins set, which never holds a ban: a ban means out of the group.
            assert "view_messages" not in step_plan.rights.rights or verdict.standing != KICKED
            assert step_plan.rights.rights <= frozenset(verdict.admin_rights)
