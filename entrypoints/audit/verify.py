"""Is the log whole and untouched? Versions, order, decoding and the hash chain, row by row."""

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from adapters.memory.read_models import InMemoryReadModels
from application.drift import drift
from application.projector import Projector
from entrypoints.audit.log import decode, raw_rows
from infrastructure.event_codec import EventCodec
from infrastructure.event_hashing import event_hash

UNHASHED = "unhashed"


@dataclass(frozen=True)
class Problem:
    position: int
    stream: str
    version: int
    kind: str  # order | version | undecodable | hash | unhashed
    detail: str


@dataclass
class Verification:
    events: int = 0
    streams: int = 0
    hashed: int = 0
    problems: list[Problem] = field(default_factory=list)
    drift: list[str] = field(default_factory=list)

    def failures(self, allow_unhashed: bool = False) -> list[Problem]:
        return [p for p in self.problems if not (allow_unhashed and p.kind == UNHASHED)]

    def ok(self, allow_unhashed: bool = False) -> bool:
        return not self.failures(allow_unhashed) and not self.drift

    def to_dict(self, allow_unhashed: bool = False) -> dict[str, Any]:
        return {
            "ok": self.ok(allow_unhashed),
            "events": self.events,
            "streams": self.streams,
            "hashed": self.hashed,
            "problems": [asdict(p) for p in self.problems],
            "drift": self.drift,
        }


class Checker:
    """Checks rows fed in position order; memory grows with the number of streams, not of events.

    Each row is checked against the previous row of its stream (the highest version seen so far): its
    version must be the next one, and its hash must be the chain's next link from that row's stored hash.
    Checking links against stored hashes, not recomputed ones, pins an edit on the edited row alone.
    """

    def __init__(self, codec: EventCodec | None = None) -> None:
        self._codec = codec or EventCodec()
        self._last_position = 0
        self._heads: dict[UUID, tuple[int, bytes | None]] = {}  # stream -> (highest version, its stored hash)
        self.result = Verification()

    def feed(self, position: int, row: StoredEvent, stored_hash: bytes | None) -> None:
        result = self.result
        result.events += 1
        stream, version = row.originator_id, row.originator_version

        def problem(kind: str, detail: str) -> None:
            result.problems.append(Problem(position, str(stream), version, kind, detail))

        if position <= self._last_position:
            problem("order", f"position {position} comes after position {self._last_position}")
        self._last_position = max(self._last_position, position)
        if decode(self._codec, row) is None:
            problem("undecodable", f"cannot decode {row.topic}")
        head = self._heads.get(stream)
        if head is None:
            result.streams += 1
        last = head[0] if head else 0
        if version <= last:
            after = f"comes after version {last} (out of order or duplicated)" if head else "is before version 1"
            problem("version", f"version {version} {after}")
            return  # the stream's head stays where it was: later rows are checked against it
        in_sequence = version == last + 1
        if not in_sequence:
            missing = str(last + 1) if version == last + 2 else f"{last + 1}..{version - 1}"
            problem("version", f"version {version} follows version {last}: version {missing} is missing")
        if stored_hash is None:
            problem(UNHASHED, "stored without a hash (by a tool that does not hash), so edits cannot be detected")
        else:
            result.hashed += 1
            # A link can only be checked against the true predecessor; a gap is reported above already.
            if in_sequence and event_hash(head[1] if head else None, row) != stored_hash:
                problem("hash", "does not match its hash chain: this event (or its hash) was altered")
        self._heads[stream] = (version, stored_hash)


async def verify_store(store: Any) -> Verification:
    checker = Checker()
    async for position, row, stored_hash in raw_rows(store):
        checker.feed(position, row, stored_hash)
    return checker.result


def verify_rows(rows: Iterable[tuple[int, StoredEvent, bytes | None]]) -> Verification:
    checker = Checker()
    for position, row, stored_hash in rows:
        checker.feed(position, row, stored_hash)
    return checker.result


async def read_model_drift(store: Any, shared: dict[str, Any]) -> list[str]:
    """Differences between each shared read model (Redis) and a fresh replay of the whole log."""
    fresh = InMemoryReadModels()
    await Projector(store, fresh, name="audit").catch_up()
    problems = []
    for name, models in shared.items():
        behind = await store.last_position() - await models.position()
        found = await drift(fresh.all_groups(), fresh.all_verdicts(), models)
        problems += [f"{name}: {p}" for p in found]
        if found and behind:
            problems.append(f"{name}: its projection is {behind} events behind the log, which may explain the above")
    return problems
