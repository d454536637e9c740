"""The log chain and its anchors catch what per-stream hashes cannot: rows removed at a stream's end or whole
streams, rows swapped between streams, a cut tail, readers past the log's end. SQL straight into the tables,
on SQLite and PostgreSQL; the timed scenario interleaves the group's stream and two members' verdicts."""

import json
from pathlib import Path

import pytest
from audit_support import Played, audit
from eventsourcing.persistence import StoredEvent

from adapters.memory.event_store import InMemoryEventStore
from adapters.simulated_telegram.clock import EPOCH
from application.ports.event_store import ConcurrencyConflict
from domain.ids import group_stream_id, verdict_stream_id
from domain.membership_verdict import MembershipVerdict
from domain.protected_group import ProtectedGroup
from entrypoints.audit.verify import verify_store
from infrastructure.event_codec import EventCodec
from infrastructure.event_hashing import event_hash
from infrastructure.log_chain import Head, Linker

TIMED = Path(__file__).parent / "timed.yaml"
GROUP, ALICE, BOB = group_stream_id(2001), verdict_stream_id(2001, 1), verdict_stream_id(2001, 2)


def kinds(result) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for problem in result.problems:
        found.setdefault(problem.position, []).append(problem.kind)
    return found


async def following(played: Played, *removed: int) -> list[int]:
    """The positions of the rows right after each removed one (before it was removed), in the log."""
    positions = [r.position for r in await played.rows()]
    return [positions[positions.index(p) + 1] for p in removed]


async def test_the_untouched_timed_log_verifies_with_its_chain_and_anchors(play) -> None:
    played = await play(TIMED)
    result = await verify_store(played.run.store)
    assert result.ok() and result.problems == []
    assert result.linked == result.events == len(await played.rows()) and result.before_chain == 0
    assert result.readers["reactor"] == result.last_position  # the reactor has caught up
    assert any("unkeyed" in note for note in result.notes)


async def test_a_streams_last_events_removed_break_the_link_of_the_rows_after_them(play) -> None:
    played = await play(TIMED)
    group = (await played.streams())[GROUP]
    removed = [group[-2].position, group[-1].position]  # not the log's last rows: other streams' come after
    after = await following(played, *removed)
    await played.delete(*removed)
    result = await verify_store(played.run.store)
    assert kinds(result) == {position: ["link"] for position in after}  # every stream still looks whole


async def test_a_whole_stream_removed_breaks_the_chain_where_its_rows_were(play) -> None:
    played = await play(TIMED)
    alice = [r.position for r in (await played.streams())[ALICE]]
    runs = [p for i, p in enumerate(alice) if i + 1 == len(alice) or alice[i + 1] != p + 1]  # each run's last row
    after = await following(played, *runs)
    await played.delete(*alice)
    result = await verify_store(played.run.store)
    assert kinds(result) == {position: ["link"] for position in after}
    assert result.streams == 2


async def test_events_of_two_streams_swapped_break_the_chain_though_each_stream_is_in_order(play) -> None:
    played = await play(TIMED)
    rows = await played.rows()
    first = next(i for i in range(len(rows) - 2) if rows[i].event.originator_id != rows[i + 1].event.originator_id)
    a, b, c = (rows[i].position for i in (first, first + 1, first + 2))
    await played.swap(a, b)
    result = await verify_store(played.run.store)
    assert kinds(result) == {a: ["link"], b: ["link"], c: ["link"]}


async def test_a_removed_row_is_seen_where_a_position_burned_by_a_refused_append_is_not(play, backend) -> None:
    played = await play(TIMED)
    store = played.run.store
    bob = (await played.streams())[BOB][-1]  # the log's last row
    if backend == "sqlite":
        # SQLite hands out no number twice, even after a rollback: skip some, as PostgreSQL's bigserial does.
        await played.execute("UPDATE sqlite_sequence SET seq = seq + 3 WHERE name = 'stored_events'")
    else:
        refused = ProtectedGroup(chat_id=-77, title="Refused", timestamp=played.run.clock.now())
        with pytest.raises(ConcurrencyConflict):  # Bob's last version is taken: both rows' positions are burned
            await store.append_stored([EventCodec().encode(refused.collect_events()[0]), bob.event])
    later = ProtectedGroup(chat_id=-78, title="Later", timestamp=played.run.clock.now())
    [fresh] = await store.append(later.collect_events())
    assert fresh > bob.position + 1  # a gap in positions
    clean = await verify_store(store)
    assert clean.ok(), clean.problems

    await played.delete(bob.position)  # Bob's last event: his stream still looks whole
    assert kinds(await verify_store(store)) == {fresh: ["link"]}


async def test_a_cut_tail_is_seen_by_the_head_and_by_the_reactors_position(play) -> None:
    played = await play(TIMED)
    rows = await played.rows()
    await played.delete(*(r.position for r in rows[-3:]))
    result = await verify_store(played.run.store)
    assert [p.kind for p in result.problems] == ["head", "reader", "reader"]  # the reactor and the sweeper
    assert "the log's tail was cut" in result.problems[0].detail

    # Someone who also moves the head back (an unkeyed head needs no key) still has the readers to fool.
    last = rows[-4]
    await played.set_head(Head(last.position, last.link, None, None))
    result = await verify_store(played.run.store)
    assert [p.kind for p in result.problems] == ["reader", "reader"]
    assert any(f"reactor has read up to position {rows[-1].position}" in p.detail for p in result.problems)


async def test_a_tracking_position_beyond_the_log_is_reported(play) -> None:
    played = await play(TIMED)
    last = (await played.rows())[-1].position
    await played.execute("UPDATE {tracking} SET notification_id = $1 WHERE application_name = 'reactor'", last + 5)
    result = await verify_store(played.run.store)
    assert [(p.position, p.kind) for p in result.problems] == [(last + 5, "reader")]
    assert any(f"reactor at {last + 5}" in note for note in result.notes)


async def test_rows_added_around_the_append_function_or_a_removed_head_are_reported(play) -> None:
    played = await play(TIMED)
    await played.execute("DELETE FROM {head}")
    assert [p.kind for p in (await verify_store(played.run.store)).problems] == ["head"]


async def test_a_log_written_before_the_chain_verifies_per_stream_and_new_appends_start_the_chain(play) -> None:
    played = await play(TIMED)
    await played.execute("UPDATE {events} SET link = NULL, keyed_by = NULL")
    await played.execute("DELETE FROM {head}")
    before = await verify_store(played.run.store)
    assert before.ok() and before.linked == 0 and before.before_chain == before.events
    assert any("written before the log chain" in note and "checked per stream only" in note for note in before.notes)

    for chat in (-78, -79):
        later = ProtectedGroup(chat_id=chat, title="Later", timestamp=played.run.clock.now())
        await played.run.store.append(later.collect_events())
    after = await verify_store(played.run.store)
    assert after.ok(), after.problems
    assert (after.before_chain, after.linked) == (before.events, 2)

    # Once the chain has begun, a row without a link is no longer "from before": it was slipped in.
    await played.execute("UPDATE {events} SET link = NULL WHERE notification_id = $1", after.last_position)
    assert [p.kind for p in (await verify_store(played.run.store)).problems] == ["link", "head"]


async def test_the_memory_store_keeps_the_same_evidence_and_is_checked_the_same_way() -> None:
    store = InMemoryEventStore()
    for member in (1, 2, 3):
        verdict = MembershipVerdict(chat_id=-5, member_id=member, timestamp=EPOCH)
        verdict.verify([1], "message", EPOCH)
        await store.append(verdict.collect_events())
    assert (await verify_store(store)).ok()
    for kept in (store._rows, store._hashes, store._links):  # member 2's stream taken out of the list
        del kept[2:4]
    assert kinds(await verify_store(store)) == {3: ["link"], 6: ["head"]}


async def test_a_rewrite_recomputing_every_hash_and_link_passes_but_not_against_an_anchor(play) -> None:
    """The limit of an unkeyed chain, and its remedy: a head noted outside the database before the rewrite."""
    played = await play(TIMED)
    noted = await audit(played.settings, "verify", "--json")
    head = json.loads(noted.stdout)["head"]
    anchor = f"{head['position']}:{head['link']}"

    rows = await played.rows()
    edited = next(r for r in rows if r.event.topic.endswith("MemberRestricted"))
    hashes: dict = {}
    link = None
    for row in rows:  # everything recomputed from the documented formulas, as a forger with write access can
        state = bytes(row.event.state).replace(b"not_subscribed", b"send_as_channel") if row is edited else None
        event = StoredEvent(row.event.originator_id, row.event.originator_version, row.event.topic,
                            state or row.event.state)
        hashes[event.originator_id] = event_hash(hashes.get(event.originator_id), event)
        link = Linker().link(link, hashes[event.originator_id])
        await played.execute("UPDATE {events} SET state = $1, hash = $2, link = $3 WHERE notification_id = $4",
                             bytes(event.state), hashes[event.originator_id], link, row.position)
    await played.set_head(Head(rows[-1].position, link, None, None))

    rewritten = await audit(played.settings, "verify")
    assert rewritten.exit_code == 0, rewritten.output  # nothing in the log can show it
    against = await audit(played.settings, "verify", "--anchor", anchor, "--json")
    assert against.exit_code == 1
    assert [p["kind"] for p in json.loads(against.stdout)["problems"]] == ["anchor"]

    bad = await audit(played.settings, "verify", "--anchor", "twelve:abc")
    assert bad.exit_code == 2 and "POSITION:LINK" in bad.output and "Traceback" not in bad.output
