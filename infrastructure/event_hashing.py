"""Tamper evidence for the log: every stored event carries a hash chained to the one before it in its stream.

hash(v) = sha256(hash(v-1) || originator_id || version || topic || state), with 32 zero bytes standing in
for the hash before a stream's first event. Editing an event's content breaks its own hash; recomputing
that hash breaks the next event's link; deleting an event leaves a gap in versions and a broken link.

The hash lives beside the row (a column the stores fill), not in the domain: aggregates know nothing of it,
and eventsourcing's own tools keep reading and writing the same tables.
"""

from collections.abc import Callable, Sequence
from hashlib import sha256
from uuid import UUID

from eventsourcing.persistence import StoredEvent

GENESIS = bytes(32)

# The stored hash of (stream, version); None when there is no such row or it is unhashed.
Lookup = Callable[[UUID, int], bytes | None]


def stream_of(row: StoredEvent) -> UUID:
    """The row's stream as a UUID (eventsourcing's own callers may pass the id as a string)."""
    oid = row.originator_id
    return oid if isinstance(oid, UUID) else UUID(str(oid))


def event_hash(previous: bytes | None, row: StoredEvent) -> bytes:
    """The hash of `row` chained to `previous` (None: no usable predecessor, so the chain starts afresh).

    Fixed-width fields and a length before the topic make the encoding unambiguous: no two different
    rows feed the same bytes to sha256.
    """
    topic = row.topic.encode()
    digest = sha256(previous or GENESIS)
    digest.update(stream_of(row).bytes)
    digest.update(int(row.originator_version).to_bytes(8, "big", signed=True))
    digest.update(len(topic).to_bytes(4, "big"))
    digest.update(topic)
    digest.update(bytes(row.state))
    return digest.digest()


def predecessors(rows: Sequence[StoredEvent]) -> list[tuple[UUID, int]]:
    """The (stream, version) whose stored hashes a batch needs: the row before each stream's first in the batch."""
    first: dict[UUID, int] = {}
    for row in rows:
        first.setdefault(stream_of(row), row.originator_version)
    return [(stream, version - 1) for stream, version in first.items()]


def chain(rows: Sequence[StoredEvent], stored: Lookup) -> list[bytes]:
    """Hashes for a batch about to be appended in this order.

    A row's predecessor is the row at version - 1 of its stream: earlier in the batch, or already stored
    (found with `stored`). With no predecessor, or an unhashed one (written by a tool that does not hash),
    the chain starts from GENESIS; the auditor reports unhashed rows, so that gap in the evidence shows.
    """
    batch: dict[tuple[UUID, int], bytes] = {}
    hashes = []
    for row in rows:
        stream = stream_of(row)
        key = (stream, row.originator_version - 1)
        previous = batch[key] if key in batch else stored(*key)
        digest = event_hash(previous, row)
        batch[(stream, row.originator_version)] = digest
        hashes.append(digest)
    return hashes
