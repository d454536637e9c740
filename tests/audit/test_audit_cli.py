"""`chanwarden audit ...` as an auditor runs it, against kept scenario logs in SQLite and PostgreSQL."""

import json
from pathlib import Path

from audit_support import audit, dump, open_store
from redis.asyncio import Redis

from adapters.redis import unlink_under
from adapters.redis.read_models import RedisReadModels
from application.ports.read_models import VerdictView

TIMED = Path(__file__).parent / "timed.yaml"


async def test_timeline_and_explain_in_tables_and_json(play) -> None:
    played = await play("channel_leave.yaml")
    settings = played.settings

    shown = await audit(settings, "timeline", "--group", "2001")
    assert shown.exit_code == 0, shown.output
    assert "restricted: not subscribed to @news (News)" in shown.output
    assert "released: the bot saw them join the missing channel" in shown.output
    assert "2026-01-01T09:00:00+00:00" in shown.output

    as_json = await audit(settings, "timeline", "--group", "2001", "--user", "1", "--json")
    entries = json.loads(as_json.stdout)
    kinds = [e["kind"] for e in entries]
    assert kinds[0] == "Registered" and kinds.index("MemberRestricted") < kinds.index("MemberReleased")
    restricted = next(e for e in entries if e["kind"] == "MemberRestricted")
    assert restricted["time"] == "2026-01-01T09:00:00+00:00" and restricted["subject"] == "user 1"

    explained = await audit(settings, "explain", "--group", "2001", "--user", "1")
    assert explained.exit_code == 0, explained.output
    assert "Alice (id 1) is released" in explained.output and "◀ current state" in explained.output
    data = json.loads((await audit(settings, "explain", "--group", "2001", "--user", "1", "--json")).stdout)
    assert data["verdict"]["status"] == "released"
    assert data["decisive_position"] in [e["position"] for e in data["chain"]]

    bad = await audit(settings, "timeline", "--group", "2001", "--since", "yesterday")
    assert bad.exit_code == 2 and "ISO 8601" in bad.output


async def test_replay_prints_the_past(play) -> None:
    played = await play(TIMED)
    at_0920 = await audit(played.settings, "replay", "--at", "2026-01-01T09:20:00Z", "--json")
    assert at_0920.exit_code == 0, at_0920.output
    past = json.loads(at_0920.stdout)
    assert sorted(v["member_id"] for v in past["restricted"]) == [1, 2]
    assert past["groups"][0]["channels"][0]["title"] == "News" and len(past["groups"][0]["channels"]) == 1
    shown = await audit(played.settings, "replay", "--at", "2026-01-01T09:30:00+00:00")
    assert "Restricted members" in shown.output and "Jobs (1002)" in shown.output and "quiet=True" in shown.output


async def test_verify_exit_codes_and_the_position_of_a_tampered_event(play) -> None:
    played = await play("channel_leave.yaml")
    clean = await audit(played.settings, "verify")
    assert clean.exit_code == 0, clean.output
    assert "13 events in 2 streams; 13 hashed" in clean.output and "The log verifies" in clean.output

    rows = await played.run.store.read_all_stored(0, 100)
    position, following = rows[4][0], rows[5][0]  # two events of the member's verdict, one after the other
    await played.execute("UPDATE {events} SET hash = $1 WHERE notification_id = $2", bytes(32), position)
    tampered = await audit(played.settings, "verify", "--json")
    assert tampered.exit_code == 1
    report = json.loads(tampered.stdout)
    # The forged hash fails its own check and its log link (which covers it); the next event's link to it fails too.
    assert report["ok"] is False
    assert [(p["position"], p["kind"]) for p in report["problems"]] == [
        (position, "hash"), (position, "link"), (following, "hash")
    ]


async def test_export_then_import_into_an_empty_store_and_refuse_a_full_one(play, empty_settings, tmp_path) -> None:
    played = await play("channel_leave.yaml")
    path = tmp_path / "log.jsonl"
    exported = await audit(played.settings, "export", "--format", "jsonl", "--out", str(path))
    assert exported.exit_code == 0, exported.output
    assert len(path.read_text().splitlines()) == 14  # the header and thirteen events

    to_stdout = await audit(played.settings, "export")
    assert to_stdout.stdout == path.read_text()

    target = empty_settings()
    imported = await audit(target, "import", str(path))
    assert imported.exit_code == 0, imported.output
    assert "13 events imported" in imported.output and "a log chain of its own (unkeyed)" in imported.output
    again = await audit(target, "import", str(path))
    assert again.exit_code == 1 and "already holds events" in again.output
    copy = await open_store(target)
    try:
        assert await dump(copy) == await dump(played.run.store)
    finally:
        await copy.close()


async def test_report_is_one_self_contained_html_file(play, tmp_path) -> None:
    played = await play(TIMED)
    out = tmp_path / "report.html"
    made = await audit(played.settings, "report", "--group", "2001", "--out", str(out))
    assert made.exit_code == 0, made.output
    html = out.read_text()
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html and "<rect" in html
    assert "<script" not in html and "<link" not in html and "src=" not in html
    assert "not subscribed: @news (News)" in html  # the top reason
    assert "the group was unprotected" in html  # how members were released
    assert "3 restrictions and 2 releases" in html  # Bob restricted again when @jobs was linked


async def test_verify_compares_redis_read_models_with_a_replay(play) -> None:
    played = await play("channel_leave.yaml", cache="redis")
    settings = played.settings
    client = Redis.from_url(settings.redis_url.get_secret_value())
    try:
        clean = await audit(settings, "verify")
        assert clean.exit_code == 0, clean.output

        models = RedisReadModels(client, settings.redis_prefix)
        wrong = VerdictView(chat_id=2001, member_id=1, status="restricted", reason="not_subscribed", missing=[1001])
        await models.apply(await models.position() + 1, [], [wrong])  # as if a bad writer got there
        drifted = await audit(settings, "verify", "--json")
        assert drifted.exit_code == 1
        found = json.loads(drifted.stdout)
        assert any("verdict 2001/1" in line for line in found["drift"])
        # The bad writer also claimed a position past the log's end: Redis's readers' position is checked too.
        assert [p["detail"].split(" has ")[0] for p in found["problems"] if p["kind"] == "reader"] == [
            "redis read models"
        ]
    finally:
        await unlink_under(client, settings.redis_prefix, 5)
        await client.aclose()
