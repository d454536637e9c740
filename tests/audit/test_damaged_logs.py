"""The commands that tell the log (timeline, explain, replay, report) on damaged logs: each answers with what it
could read and one section on the damage, never a traceback, and explain says the history is not verified."""

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from audit_support import Played, audit

from domain.ids import group_stream_id, verdict_stream_id
from infrastructure.log_chain import Head

TIMED = Path(__file__).parent / "timed.yaml"
GROUP, ALICE = group_stream_id(2001), verdict_stream_id(2001, 1)


async def undecodable(played: Played) -> None:
    alice = (await played.streams())[ALICE]
    await played.execute("UPDATE {events} SET state = '{not json' WHERE notification_id = $1", alice[3].position)


async def version_gap(played: Played) -> None:
    await played.delete((await played.streams())[ALICE][2].position)


async def fields_missing(played: Played) -> None:
    """Decodes, but the event lacks what its kind has: JSON edited by hand."""
    alice = (await played.streams())[ALICE]
    restricted = next(r for r in alice if r.event.topic.endswith("MemberRestricted"))
    await played.execute("UPDATE {events} SET state = $1 WHERE notification_id = $2",
                         b'{"timestamp": {"_type_": "datetime_iso", "_data_": "2026-01-01T09:20:00+00:00"}}',
                         restricted.position)


async def stream_tail_removed(played: Played) -> None:
    group = (await played.streams())[GROUP]
    await played.delete(group[-2].position, group[-1].position)


async def stream_removed(played: Played) -> None:
    await played.delete(*(r.position for r in (await played.streams())[ALICE]))


async def streams_swapped(played: Played) -> None:
    rows = await played.rows()
    first = next(i for i in range(len(rows) - 1) if rows[i].event.originator_id != rows[i + 1].event.originator_id)
    await played.swap(rows[first].position, rows[first + 1].position)


async def tail_cut(played: Played) -> None:
    rows = await played.rows()
    await played.delete(*(r.position for r in rows[-3:]))
    await played.set_head(Head(rows[-4].position, rows[-4].link, None, None))  # only the reactor can tell now


async def link_altered(played: Played) -> None:
    alice = (await played.streams())[ALICE]
    await played.execute("UPDATE {events} SET link = $1 WHERE notification_id = $2", bytes(32), alice[1].position)


DAMAGES: dict[str, Callable[[Played], Awaitable[None]]] = {
    "undecodable": undecodable, "version gap": version_gap, "fields missing": fields_missing,
    "stream tail removed": stream_tail_removed, "stream removed": stream_removed,
    "streams swapped": streams_swapped, "tail cut": tail_cut, "link altered": link_altered,
}


def told_plainly(result) -> None:
    assert result.exit_code == 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


@pytest.mark.parametrize("damage", DAMAGES)
async def test_explain_and_timeline_report_the_damage_and_what_they_could_read(play, damage: str) -> None:
    played = await play(TIMED)
    await DAMAGES[damage](played)
    settings = played.settings

    explained = await audit(settings, "explain", "--group", "2001", "--user", "1")
    told_plainly(explained)
    assert "This history is NOT verified" in explained.output and "Damage in the log" in explained.output
    assert "Registered" not in explained.output or "How it came to this" in explained.output

    shown = await audit(settings, "timeline", "--group", "2001")
    told_plainly(shown)
    assert "Timeline of group 2001" in shown.output and "Damage in the log" in shown.output

    as_json = await audit(settings, "explain", "--group", "2001", "--user", "1", "--json")
    told_plainly(as_json)
    assert '"verified": false' in as_json.stdout and '"damage": {' in as_json.stdout


@pytest.mark.parametrize("damage", ["undecodable", "fields missing", "version gap", "stream removed"])
async def test_replay_and_report_report_the_damage(play, damage: str, tmp_path) -> None:
    played = await play(TIMED)
    await DAMAGES[damage](played)
    replayed = await audit(played.settings, "replay", "--at", "2026-01-02T00:00:00Z")
    told_plainly(replayed)
    assert "Groups" in replayed.output and "Damage in the log" in replayed.output

    out = tmp_path / "report.html"
    reported = await audit(played.settings, "report", "--group", "2001", "--out", str(out))
    told_plainly(reported)
    assert "Damage in the log" in reported.output and "Damage in the log" in out.read_text()


async def test_explain_on_an_untouched_log_says_the_history_verifies(play) -> None:
    played = await play(TIMED)
    explained = await audit(played.settings, "explain", "--group", "2001", "--user", "1")
    assert explained.exit_code == 0, explained.output
    assert "This history verifies (unkeyed chain" in explained.output and "Damage" not in explained.output
