"""export -> import reproduces the log row for row, hash for hash, within and across SQLite and PostgreSQL."""

from datetime import timedelta
from pathlib import Path

import pytest
from audit_support import dump, open_store

from adapters.simulated_telegram.clock import EPOCH
from entrypoints.audit.replay import replay_at
from entrypoints.audit.transfer import ImportRefused, export_jsonl, import_jsonl, read_export
from entrypoints.audit.verify import verify_store

TIMED = Path(__file__).parent / "timed.yaml"


async def export_to(store, path: Path) -> int:
    with open(path, "w", encoding="utf-8") as out:
        return await export_jsonl(store, out)


@pytest.mark.parametrize("target", ["sqlite", "postgres"])
async def test_round_trip_gives_identical_rows_hashes_and_state(play, empty_settings, tmp_path, target) -> None:
    played = await play(TIMED)
    source = played.run.store
    path = tmp_path / "log.jsonl"
    exported = await export_to(source, path)
    original = await dump(source)
    assert exported == len(original) >= 20

    copy = await open_store(empty_settings(target))
    try:
        assert (await import_jsonl(copy, path)).count == exported
        assert await dump(copy) == original  # streams, versions, topics, states and hashes, in the same order
        assert (await verify_store(copy)).ok()
        for minutes in (0, 10, 25, 100):
            at = EPOCH + timedelta(minutes=minutes)
            was, now = await replay_at(source, at), await replay_at(copy, at)
            assert (now.groups, now.verdicts) == (was.groups, was.verdicts)

        # A second export of the copy is the same file, but for positions a database may have skipped.
        again = tmp_path / "again.jsonl"
        await export_to(copy, again)
        def strip(file: Path) -> list:
            return [(r.event.originator_id, r.event.originator_version, r.event.topic, bytes(r.event.state),
                     r.stream_hash, r.link) for r in read_export(file)]

        assert strip(again) == strip(path)  # links too: both stores unkeyed, the chain is linked the same
    finally:
        await copy.close()


async def test_import_refuses_a_store_that_is_not_empty(play, tmp_path) -> None:
    played = await play("channel_leave.yaml")
    path = tmp_path / "log.jsonl"
    await export_to(played.run.store, path)
    before = await dump(played.run.store)
    with pytest.raises(ImportRefused, match="already holds events"):
        await import_jsonl(played.run.store, path)
    assert await dump(played.run.store) == before


async def test_import_refuses_a_file_whose_chain_is_broken(play, empty_settings, tmp_path) -> None:
    played = await play("channel_leave.yaml")
    path = tmp_path / "log.jsonl"
    await export_to(played.run.store, path)
    lines = path.read_text().splitlines()
    edited = next(i for i, line in enumerate(lines) if "MemberRestricted" in line)
    lines[edited] = lines[edited].replace("not_subscribed", "send_as_channel")
    path.write_text("\n".join(lines) + "\n")

    copy = await open_store(empty_settings())
    try:
        with pytest.raises(ImportRefused, match="does not verify"):
            await import_jsonl(copy, path)
        assert await copy.last_position() == 0
        bad = tmp_path / "bad.jsonl"
        bad.write_text('{"rows": []}\n')
        with pytest.raises(ImportRefused, match="not a chanwarden log export"):
            await import_jsonl(copy, bad)
    finally:
        await copy.close()


async def test_rows_without_hashes_import_only_when_allowed(play, empty_settings, tmp_path) -> None:
    played = await play("channel_leave.yaml")
    path = tmp_path / "log.jsonl"
    await export_to(played.run.store, path)
    lines = path.read_text().splitlines()
    last = lines[-1]
    lines[-1] = last[: last.index('"hash":')] + '"hash":null}'
    path.write_text("\n".join(lines) + "\n")

    copy = await open_store(empty_settings())
    try:
        with pytest.raises(ImportRefused, match="without a hash"):
            await import_jsonl(copy, path)
        assert (await import_jsonl(copy, path, allow_unhashed=True)).count == 13
        assert (await verify_store(copy)).ok()  # the store hashed the row as it appended it
    finally:
        await copy.close()
