"""`audit explain` and `timeline` as an auditor reads them: members and channels named as the log knew them at
each point, codes said in words, the times the events recorded, and a first line that warns when the log would
not verify. On kept scenario logs in SQLite and PostgreSQL."""

import json
from pathlib import Path

from audit_support import audit
from pydantic import SecretStr

from application.sweeper import TRIGGERS as SWEEPER_TRIGGERS
from domain import membership_verdict as mv
from domain.decision import Failure, Reason
from domain.effects import REDECIDING_TRIGGERS
from domain.settings import ACTIONS as SETTING_ACTIONS
from entrypoints.audit.history import timeline
from entrypoints.narration import ACTIONS, FAILURES, REASON_HEADINGS, REASONS, RELEASES, TRIGGERS

TIMED = Path(__file__).parent / "timed.yaml"
WARNING = "Warning: this log does not verify"
KEY = "the-audit-key-of-these-tests-4f9c"


def table_rows(output: str) -> list[list[str]]:
    """The cells of each row of the tables rich printed."""
    return [[cell.strip() for cell in line.split("│")[1:-1]] for line in output.splitlines() if line.startswith("│")]


def test_every_code_the_log_records_has_words() -> None:
    # The gate's own triggers (application/gate.py's Enforcement) and those a change to the group brings.
    recorded = {"message", "join", "channel_left", "channel_joined", "verify"}
    assert recorded | REDECIDING_TRIGGERS | set(SWEEPER_TRIGGERS.values()) <= set(TRIGGERS)
    reasons = {str(r) for r in Reason} | {mv.SEND_AS_CHANNEL}
    assert reasons <= set(REASONS) and reasons <= set(REASON_HEADINGS)
    assert {mv.VERIFY_PRESSED, mv.CHANNEL_JOIN_OBSERVED, mv.BY_ADMIN, mv.PROMOTED, mv.GROUP_UNPROTECTED,
            mv.CHANNEL_UNLINKED, mv.LEFT_GROUP, mv.REDECIDED, mv.EXEMPTED, mv.ADMIN_RELEASED} <= set(RELEASES)
    assert {str(f) for f in Failure} <= set(FAILURES)
    assert set(SETTING_ACTIONS) <= set(ACTIONS)


async def test_names_are_the_ones_the_log_knew_at_each_point(play) -> None:
    played = await play("channel_made_private.yaml")  # @news loses its username after /protect
    entries = await timeline(played.run.store, 2001)
    protected = next(e for e in entries if e.kind == "Protected")
    restricted = next(e for e in entries if e.kind == "MemberRestricted" and e.subject == "user 2")
    assert protected.text == "user 11 protected the group with @news (News)"
    assert "not subscribed to News (id 1001)" in restricted.text  # private by then: no @username to show
    assert restricted.about == "Bob (id 2)"
    opened = next(e for e in entries if e.kind == "Opened" and e.subject == "user 2")
    assert opened.about == "user 2"  # his verdict had not recorded his name yet

    shown = await audit(played.settings, "timeline", "--group", "2001")
    assert shown.exit_code == 0, shown.output
    about = {row[0]: row[2] for row in table_rows(shown.output)}
    assert about[str(restricted.position)] == "Bob (id 2)" and about[str(opened.position)] == "user 2"


async def test_explain_names_says_triggers_in_words_and_shows_the_recorded_times(play) -> None:
    played = await play(TIMED)  # the scenario's clock starts at 2026-01-01T09:00Z; steps ten minutes apart
    explained = await audit(played.settings, "explain", "--group", "2001", "--user", "1")
    assert explained.exit_code == 0, explained.output
    assert explained.output.startswith("Alice (id 1) is released")
    rows = {row[3].split(":")[0]: row for row in table_rows(explained.output)}
    restricted = rows["restricted"]
    assert restricted[1] == "2026-01-01T09:20:00+00:00" and restricted[2] == "Alice (id 1)"
    assert "not subscribed to @news (News), found when they left a required channel; muted" in restricted[3]
    assert rows["released"][1] == "2026-01-01T10:30:00+00:00"
    assert "verified as subscribed, when they wrote in the group" in explained.output
    for code in ("channel_left", "not_subscribed", "channel_join_observed", "(on message"):
        assert code not in explained.output

    shown = await audit(played.settings, "timeline", "--group", "2001")
    assert "found when an admin linked another channel" in shown.output and "channel_linked" not in shown.output
    assert WARNING not in shown.output


async def test_a_tampered_log_opens_with_a_warning_and_still_explains(play) -> None:
    played = await play(TIMED)
    bobs = (await played.rows())[5]  # Bob's standing, read before his restriction: not Alice's history
    await played.execute("UPDATE {events} SET hash = $1 WHERE notification_id = $2", bytes(32), bobs.position)
    assert (await audit(played.settings, "verify")).exit_code == 1  # what the warning stands for

    explained = await audit(played.settings, "explain", "--group", "2001", "--user", "1")
    assert explained.exit_code == 0 and "Traceback" not in explained.output, explained.output
    assert explained.output.startswith(WARNING)
    assert "Alice (id 1) is released" in explained.output and "How it came to this" in explained.output

    shown = await audit(played.settings, "timeline", "--group", "2001")
    assert shown.output.startswith(WARNING) and "Timeline of group 2001" in shown.output

    data = json.loads((await audit(played.settings, "explain", "--group", "2001", "--user", "1", "--json")).stdout)
    assert data["log_verifies"] is False and data["warning"].startswith(WARNING)


async def test_no_warning_when_verify_passes_though_keyed_links_went_unchecked(play) -> None:
    played = await play(TIMED, audit_key=KEY)
    without_key = played.settings.model_copy(update={"audit_key": None})
    assert (await audit(without_key, "verify")).exit_code == 0
    explained = await audit(without_key, "explain", "--group", "2001", "--user", "1")
    assert WARNING not in explained.output and "NOT verified" in explained.output  # said, but as verify says it
    keyed = await audit(played.settings.model_copy(update={"audit_key": SecretStr(KEY)}), "explain", "--group",
                        "2001", "--user", "1", "--json")
    assert json.loads(keyed.stdout)["log_verifies"] is True


async def test_explain_shows_an_exemption_and_who_made_it(play) -> None:
    played = await play("exempt_member.yaml")
    explained = await audit(played.settings, "explain", "--group", "2001", "--user", "3")
    assert explained.exit_code == 0, explained.output
    assert "An admin exempted them (/exempt)" in explained.output.replace("\n", " ")
    entries = await timeline(played.run.store, 2001)
    exempted = [e for e in entries if e.kind == "MemberExempted"]
    # The admin never wrote a message of their own, so the log knows them by id only.
    assert [e.text for e in exempted] == ["Bob (id 2): exempted by user 10: the gate leaves them alone",
                                          "Carol (id 3): exempted by user 10: the gate leaves them alone"]
    released = next(e for e in entries if e.kind == "MemberReleased" and e.subject == "user 3")
    assert "an admin exempted them" in released.text
