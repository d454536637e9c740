"""A forger who knows the documented formulas but not CHANWARDEN_AUDIT_KEY: what an unkeyed chain cannot show,
a keyed one does; a wrong key is told apart from a forgery; the key itself is never written or shown."""

import json
import logging
from pathlib import Path

from audit_support import Played, audit, open_store
from eventsourcing.persistence import StoredEvent
from pydantic import SecretStr

from domain.ids import verdict_stream_id
from entrypoints.audit.chain_check import UNKEYED
from entrypoints.audit.verify import verify_store
from infrastructure.event_hashing import event_hash
from infrastructure.log_chain import Head, Linker, LoggedRow

TIMED = Path(__file__).parent / "timed.yaml"
KEY = "the-audit-key-of-these-tests-4f9c"
BOB = verdict_stream_id(2001, 2)


async def forge(played: Played, keyed_by: bytes | None, move_head: bool = True) -> LoggedRow:
    """Append Bob's restriction once more, every hash and link recomputed from the documented formulas, as
    someone with write access but without the key would: the link is plain SHA-256, marked `keyed_by`."""
    rows = await played.rows()
    bob = (await played.streams())[BOB]
    restricted = next(r for r in bob if r.event.topic.endswith("MemberRestricted")).event
    event = StoredEvent(BOB, bob[-1].event.originator_version + 1, restricted.topic, restricted.state)
    stream_hash = event_hash(bob[-1].stream_hash, event)
    link = Linker().link(rows[-1].link, stream_hash)
    forged = LoggedRow(rows[-1].position + 1, event, stream_hash, link, keyed_by)
    await played.insert(forged)
    if move_head:
        await played.set_head(Head(forged.position, link, keyed_by, None if keyed_by is None else bytes(32)))
    return forged


def kinds(result) -> list[tuple[int, str]]:
    return [(p.position, p.kind) for p in result.problems]


async def test_an_unkeyed_chain_cannot_show_an_appended_forgery_and_verify_says_so(play) -> None:
    played = await play(TIMED)
    forged = await forge(played, keyed_by=None, move_head=False)
    # Forgetting the head gives it away: a linked row the head does not name was put in around the writer.
    assert kinds(await verify_store(played.run.store)) == [(forged.position, "head")]

    await played.set_head(Head(forged.position, forged.link, None, None))
    result = await verify_store(played.run.store)
    assert result.ok() and UNKEYED in result.notes
    shown = await audit(played.settings, "verify")
    assert shown.exit_code == 0, shown.output
    assert "unkeyed" in shown.output and "recomputed the hashes, links and head" in shown.output
    assert "CHANWARDEN_AUDIT_KEY" in shown.output


async def test_on_a_keyed_log_a_forgery_made_without_the_key_is_caught(play) -> None:
    played = await play(TIMED, audit_key=KEY)
    linker = Linker(KEY)
    clean = await verify_store(played.run.store, linker)
    assert clean.ok() and clean.keyed == clean.linked == clean.events and clean.unchecked == 0

    forged = await forge(played, keyed_by=linker.fingerprint)  # passed off as keyed
    caught = await verify_store(played.run.store, linker)
    assert kinds(caught) == [(forged.position, "link"), (forged.position, "head")]
    assert "seal does not match" in caught.problems[1].detail

    # Without the key the keyed links cannot be checked: verify says so rather than vouching for them.
    unchecked = await verify_store(played.run.store)
    assert unchecked.ok() and unchecked.unchecked == clean.events + 1  # and the forged one
    without_key = await audit(played.settings.model_copy(update={"audit_key": None}), "verify")
    assert without_key.exit_code == 0, without_key.output
    assert "no key was given" in without_key.output and "were not checked" in without_key.output
    assert "but for its keyed links, which need the key" in without_key.output
    with_key = await audit(played.settings, "verify")
    assert with_key.exit_code == 1 and "does not link to the row before it" in with_key.output


async def test_an_unkeyed_link_after_keyed_ones_shows_even_without_the_key(play) -> None:
    played = await play(TIMED, audit_key=KEY)
    forged = await forge(played, keyed_by=None)
    for key in (Linker(KEY), None):
        result = await verify_store(played.run.store, key)
        assert (forged.position, "link") in kinds(result) and (forged.position, "head") in kinds(result)
        assert "unkeyed link after keyed ones" in result.problems[0].detail


async def test_a_cut_tail_with_its_head_moved_back_is_caught_by_the_seal(play) -> None:
    played = await play(TIMED, audit_key=KEY)
    rows = await played.rows()
    await played.delete(rows[-1].position)
    await played.execute("DELETE FROM {tracking}")  # and the reactor's position, which would tell too
    keep = rows[-2]
    await played.set_head(Head(keep.position, keep.link, keep.keyed_by, bytes(32)))
    assert kinds(await verify_store(played.run.store, Linker(KEY))) == [(keep.position, "head")]


async def test_a_wrong_key_is_told_apart_from_a_forgery(play) -> None:
    played = await play(TIMED, audit_key=KEY)
    other = played.settings.model_copy(update={"audit_key": SecretStr("another-key-0123456789")})
    shown = await audit(other, "verify", "--json")
    assert shown.exit_code == 1
    report = json.loads(shown.stdout)
    assert [p["kind"] for p in report["problems"]] == ["key"]
    assert "wrong key" in report["problems"][0]["detail"] and Linker(KEY).fingerprint.hex() in shown.stdout


async def test_the_key_never_appears_in_the_log_the_outputs_or_the_logs(play, empty_settings, tmp_path, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    played = await play(TIMED, audit_key=KEY)
    settings = played.settings
    outputs = [await audit(settings, *args) for args in (
        ("verify",), ("verify", "--json"), ("explain", "--group", "2001", "--user", "2"),
        ("explain", "--group", "2001", "--user", "2", "--json"), ("timeline", "--group", "2001"),
        ("export", "--out", str(tmp_path / "log.jsonl")),
    )]
    assert all(o.exit_code == 0 for o in outputs), [o.output for o in outputs]
    assert "checked with the audit key" in outputs[2].output

    copy_settings = empty_settings().model_copy(update={"audit_key": settings.audit_key})
    imported = await audit(copy_settings, "import", str(tmp_path / "log.jsonl"))
    assert imported.exit_code == 0, imported.output
    assert f"keyed, key fingerprint {Linker(KEY).fingerprint.hex()}" in imported.output
    assert "links are new" in imported.output

    copy = await open_store(copy_settings)
    try:
        stored = b""
        for store in (played.run.store, copy):
            head = await store.log_head()
            stored += b"".join(bytes(r.event.state) + r.event.topic.encode() + r.stream_hash + r.link + r.keyed_by
                               for r in await store.read_log(0, 10_000))
            stored += head.link + head.seal + str(await store.tracking_positions()).encode()
    finally:
        await copy.close()
    said = "".join(o.output for o in [*outputs, imported]) + (tmp_path / "log.jsonl").read_text() + caplog.text
    assert KEY.encode() not in stored and KEY not in said


async def test_a_key_too_short_is_refused_politely_without_echoing_it(play) -> None:
    played = await play("channel_leave.yaml")
    short = played.settings.model_copy(update={"audit_key": SecretStr("sesame")})
    shown = await audit(short, "verify")
    assert shown.exit_code == 2 and "too short" in shown.output
    assert "sesame" not in shown.output and "Traceback" not in shown.output
