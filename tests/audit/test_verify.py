"""verify passes on a clean log and pinpoints edits, deletions and reordering made directly in SQL."""

from datetime import timedelta
from urllib.parse import urlsplit
from uuid import uuid4

import pytest
from audit_support import Played
from eventsourcing.persistence import StoredEvent

from adapters.postgres import PostgresEventStore
from entrypoints.audit.verify import verify_store
from infrastructure.event_hashing import GENESIS, chain, event_hash


async def verdict_rows(played: Played) -> list[int]:
    """Positions of the member's verdict stream, in version order (position numbers differ by store)."""
    rows = await played.run.store.read_all_stored(0, 1000)
    group_stream = rows[0][1].originator_id
    return [p for p, r, _ in rows if r.originator_id != group_stream]


async def restriction_index(played: Played) -> int:
    """Where the member's restriction (the event whose state says "mute") sits in their verdict stream."""
    rows = {p: r for p, r, _ in await played.run.store.read_all_stored(0, 1000)}
    return next(i for i, p in enumerate(await verdict_rows(played)) if rows[p].topic.endswith(".MemberRestricted"))


def by_position(result) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for problem in result.problems:
        found.setdefault(problem.position, []).append(problem.kind)
    return found


async def test_a_clean_log_verifies_and_every_event_is_hashed(play) -> None:
    played = await play("channel_leave.yaml")
    result = await verify_store(played.run.store)
    assert result.ok() and result.problems == []
    assert (result.events, result.streams, result.hashed) == (13, 2, 13)


async def test_edit_delete_and_reorder_are_pinpointed(play) -> None:
    played = await play("channel_leave.yaml")
    verdict = await verdict_rows(played)  # member 1's verdict, versions 1..n
    at, n = await restriction_index(played), len(verdict)
    edited, deleted, after_deleted = verdict[at], verdict[at + 2], verdict[at + 3]
    first, second = verdict[-2], verdict[-1]
    state = bytes(dict((p, r) for p, r, _ in await played.run.store.read_all_stored(0, 100))[edited].state)
    await played.execute("UPDATE {events} SET state = $1 WHERE notification_id = $2",
                         state.replace(b"mute", b"kick"), edited)
    await played.execute("DELETE FROM {events} WHERE notification_id = $1", deleted)
    # Swap two rows' positions (through a free value, as positions are unique).
    await played.execute("UPDATE {events} SET notification_id = -1 WHERE notification_id = $1", first)
    await played.execute("UPDATE {events} SET notification_id = $1 WHERE notification_id = $2", first, second)
    await played.execute("UPDATE {events} SET notification_id = $1 WHERE notification_id = -1", second)

    result = await verify_store(played.run.store)
    assert not result.ok()
    assert by_position(result) == {
        edited: ["hash"],  # still decodable, but no longer what was hashed
        after_deleted: ["version", "link"],  # the version before it is missing, and the row before it in the log
        first: ["version", "link"],  # now the last version where the one before was due, linked out of order
        second: ["version", "link", "head"],  # the version before the last after the last; the head names it
    }
    details = {p.position: p.detail for p in result.problems if p.kind == "version"}
    assert f"version {at + 3} is missing" in details[after_deleted]
    assert f"version {n - 1} comes after version {n}" in details[second]


async def test_swapped_versions_and_undecodable_states_are_reported(play) -> None:
    played = await play("channel_leave.yaml")
    verdict = await verdict_rows(played)
    await played.execute("UPDATE {events} SET originator_version = -1 WHERE notification_id = $1", verdict[0])
    await played.execute("UPDATE {events} SET originator_version = 1 WHERE notification_id = $1", verdict[1])
    await played.execute("UPDATE {events} SET originator_version = 2 WHERE notification_id = $1", verdict[0])
    # A text literal: SQLite then stores TEXT where a BLOB belongs, which the reader must take in its stride.
    await played.execute("UPDATE {events} SET state = '{not json' WHERE notification_id = $1", verdict[7])

    found = by_position(await verify_store(played.run.store))
    assert found[verdict[0]] == ["version"] and found[verdict[1]] == ["version"]
    assert found[verdict[7]] == ["undecodable", "hash"]


async def test_a_rewritten_hash_breaks_the_next_link(play) -> None:
    """Recomputing an edited event's own hash does not hide the edit: its log link, which covers that hash,
    breaks, and so does the next event's link in its stream."""
    played = await play("channel_leave.yaml")
    store = played.run.store
    rows = {p: (r, h) for p, r, h in await store.read_all_stored(0, 100)}
    verdict = await verdict_rows(played)
    at = await restriction_index(played)
    row, _ = rows[verdict[at]]
    state = bytes(row.state).replace(b"mute", b"kick")
    forged = StoredEvent(row.originator_id, row.originator_version, row.topic, state)
    forged_hash = event_hash(rows[verdict[at - 1]][1], forged)
    await played.execute("UPDATE {events} SET state = $1, hash = $2 WHERE notification_id = $3",
                         forged.state, forged_hash, verdict[at])
    assert by_position(await verify_store(store)) == {verdict[at]: ["link"], verdict[at + 1]: ["hash"]}


async def test_rows_without_a_hash_are_reported_as_unhashed(play) -> None:
    played = await play("channel_leave.yaml")
    verdict = await verdict_rows(played)
    await played.execute("UPDATE {events} SET hash = NULL WHERE notification_id = $1", verdict[-1])
    result = await verify_store(played.run.store)
    # Still linked: written by chanwarden, so its hash was removed, which --allow-unhashed does not excuse.
    assert by_position(result) == {verdict[-1]: ["unhashed", "link"]}
    assert not result.ok(allow_unhashed=True)


def test_the_chain_starts_from_zeros_and_links_each_version_to_the_one_before() -> None:
    stream = uuid4()
    rows = [StoredEvent(stream, v, "t", b"{}") for v in (1, 2)]
    first, second = chain(rows, lambda *_: None)
    assert first == event_hash(GENESIS, rows[0]) == event_hash(None, rows[0])
    assert second == event_hash(first, rows[1]) != event_hash(GENESIS, rows[1])
    # The topic's length is hashed too, so moving bytes between topic and state changes the hash.
    assert event_hash(None, StoredEvent(rows[0].originator_id, 1, "ab", b"c")) != event_hash(
        None, StoredEvent(rows[0].originator_id, 1, "a", b"bc")
    )


async def test_rows_written_by_eventsourcing_itself_are_unhashed_not_fatal(play, backend: str) -> None:
    """eventsourcing's own recorder writes no hash; the rows after it chain from zeros again."""
    if backend != "postgres":
        pytest.skip("eventsourcing's recorder writing into our tables is a PostgreSQL arrangement")
    from eventsourcing.application import Application

    played = await play("channel_leave.yaml")
    dsn = played.settings.postgres_dsn.get_secret_value()
    group_id = (await played.run.store.read_all_stored(0, 1))[0][1].originator_id
    env = {"PERSISTENCE_MODULE": "eventsourcing.postgres"}
    parts = urlsplit(dsn)
    env.update({"POSTGRES_DBNAME": parts.path.lstrip("/"), "POSTGRES_HOST": parts.hostname or "127.0.0.1",
                "POSTGRES_PORT": str(parts.port or 5432), "POSTGRES_USER": parts.username or "postgres",
                "POSTGRES_PASSWORD": parts.password or ""})
    app = type("ChanwardenApp", (Application,), {"name": "chanwarden"})(env=env)
    try:
        group = app.repository.get(group_id)
        group.change_setting("quiet", "on", by=10, timestamp=group.modified_on + timedelta(minutes=1))
        app.save(group)
    finally:
        app.close()
    store = await PostgresEventStore.open(dsn)
    try:
        group.change_setting("quiet", "off", by=10, timestamp=group.modified_on + timedelta(minutes=2))
        await store.append(group.collect_events())
        result = await verify_store(store)
    finally:
        await store.close()
    assert [(p.version, p.kind) for p in result.problems] == [(3, "unhashed")]
    assert result.ok(allow_unhashed=True) and result.hashed == result.events - 1  # all but eventsourcing's own
