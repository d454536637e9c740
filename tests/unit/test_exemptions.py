"""Exemptions: the group's record of who an admin exempted, and the rule that an exempted member is never gated."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given

from application import messages
from domain import decision as rules
from domain.errors import GateRuleError
from domain.protected_group import ProtectedGroup, linked_channel
from domain.senders import USER, Sender, exemption
from domain.standing import in_group, is_group_admin
from tests.unit.test_decision_properties import facts

T = datetime(2026, 1, 1, tzinfo=UTC)


def protected() -> ProtectedGroup:
    group = ProtectedGroup(chat_id=2001, title="Chat", timestamp=T)
    group.protect([linked_channel(1001, "News", "news")], by=10, timestamp=T)
    return group


def test_an_exemption_is_recorded_with_who_made_it_and_can_be_lifted() -> None:
    group = protected()
    group.exempt_member(2, "Bob", by=10, timestamp=T)
    assert group.exempt_ids == [2]
    assert group.unexempt_member(2, by=11, timestamp=T) == "Bob"
    events = group.collect_events()
    exempted, lifted = events[-2], events[-1]
    assert (type(exempted).__name__, exempted.member_id, exempted.name, exempted.by) == ("MemberExempted", 2, "Bob", 10)
    assert (type(lifted).__name__, lifted.member_id, lifted.by) == ("MemberUnexempted", 2, 11)
    replayed = None
    for event in events:
        replayed = event.mutate(replayed)
    assert replayed.exempt_ids == []


def test_bad_exemptions_change_nothing() -> None:
    group = protected()
    group.exempt_member(2, "Bob", by=10, timestamp=T)
    group.collect_events()
    with pytest.raises(GateRuleError, match="already exempt"):
        group.exempt_member(2, "Bob", by=10, timestamp=T)
    with pytest.raises(GateRuleError, match="not exempt"):
        group.unexempt_member(3, by=10, timestamp=T)
    unprotected = ProtectedGroup(chat_id=2002, title="Other", timestamp=T)
    with pytest.raises(GateRuleError, match="not protected"):
        unprotected.exempt_member(2, "Bob", by=10, timestamp=T)
    assert group.collect_events() == [] and group.exempt_ids == [2]


@given(facts())
def test_an_exempted_member_is_never_restricted(found: rules.Facts) -> None:
    decided = rules.decide(replace(found, exempted=True))
    assert decided.outcome != rules.Outcome.RESTRICT
    if is_group_admin(found.standing):
        assert decided.outcome == rules.Outcome.EXEMPT  # admins were never gated anyway
    elif not in_group(found.standing):
        assert decided.outcome == rules.Outcome.NOT_IN_GROUP  # and nobody out of the group is acted on
    else:
        assert decided.outcome == rules.Outcome.EXEMPTED


def test_an_exempted_members_messages_pass_without_a_check() -> None:
    assert exemption(Sender(USER, 2), frozenset(), frozenset(), frozenset({2})) == "exempted"
    assert exemption(Sender(USER, 3), frozenset(), frozenset(), frozenset({2})) is None


def test_status_lists_who_is_exempt() -> None:
    shown = messages.status("Chat", True, [], 0, [], {}, [messages.person("Bob", 2)])
    assert "Exempt: Bob (id 2)" in shown
    assert "Exempt: nobody" in messages.status("Chat", True, [], 0, [], {})
