"""Is the log whole and untouched? Versions, order, decoding, the streams' hashes and the log chain, row by row;
then the log's end against its head record and the readers' positions (chain_check.py)."""

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any
from uuid import UUID

from adapters.memory.read_models import InMemoryReadModels
from application.drift import drift
from application.projector import Projector
from entrypoints.audit.chain_check import ChainCheck
from entrypoints.audit.log import decode, raw_rows
from infrastructure.event_codec import EventCodec
from infrastructure.event_hashing import event_hash
from infrastructure.log_chain import Head, Linker, LoggedRow

UNHASHED = "unhashed"
CATCH_UPS = 20  # reads after the end of a log still being appended to, before its head is taken as it stands


@dataclass(frozen=True)
class Problem:
    position: int
    stream: str  # empty for problems of the log as a whole (its head, a reader)
    version: int
    kind: str  # order | version | undecodable | hash | unhashed | link | key | head | reader | anchor
    detail: str


@dataclass
class Verification:
    events: int = 0
    streams: int = 0
    hashed: int = 0
    linked: int = 0
    keyed: int = 0
    unchecked: int = 0  # keyed links not checked for want of the key
    before_chain: int = 0  # rows written before the log chain, checked per stream only
    last_position: int = 0
    readers: dict[str, int] = field(default_factory=dict)
    head: dict[str, Any] | None = None  # the last linked row: note it outside the database, to anchor a later check
    problems: list[Problem] = field(default_factory=list)
    drift: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the checks prove here, and what they cannot

    def failures(self, allow_unhashed: bool = False) -> list[Problem]:
        return [p for p in self.problems if not (allow_unhashed and p.kind == UNHASHED)]

    def ok(self, allow_unhashed: bool = False) -> bool:
        return not self.failures(allow_unhashed) and not self.drift

    def to_dict(self, allow_unhashed: bool = False) -> dict[str, Any]:
        return {
            "ok": self.ok(allow_unhashed),
            **{k: v for k, v in asdict(self).items() if k not in ("problems", "drift", "notes")},
            "problems": [asdict(p) for p in self.problems],
            "drift": self.drift,
            "notes": self.notes,
        }


class Checker:
    """Checks rows fed in position order; memory grows with the number of streams, not of events.

    Each row is checked against the previous row of its stream (the highest version seen so far): its
    version must be the next one, and its hash must be the chain's next link from that row's stored hash.
    Checking links against stored hashes, not recomputed ones, pins an edit on the edited row alone. The log
    chain is checked alongside (ChainCheck) with the key in `linker`, if the auditor has one.
    """

    def __init__(
        self,
        linker: Linker | None = None,
        codec: EventCodec | None = None,
        anchor: tuple[int, bytes] | None = None,
        readers: dict[str, int] | None = None,
    ) -> None:
        self._codec = codec or EventCodec()
        self._last_position = 0
        self._heads: dict[UUID, tuple[int, bytes | None]] = {}  # stream -> (highest version, its stored hash)
        self.chain = ChainCheck(linker, anchor)
        self.readers = dict(readers or {})  # the log's readers' positions, read before any row
        self.result = Verification()

    @property
    def last_position(self) -> int:
        return self._last_position

    def feed(self, logged: LoggedRow) -> None:
        result = self.result
        result.events += 1
        position, row, stored_hash = logged.position, logged.event, logged.stream_hash
        stream, version = row.originator_id, row.originator_version

        def problem(kind: str, detail: str) -> None:
            result.problems.append(Problem(position, str(stream), version, kind, detail))

        if position <= self._last_position:
            problem("order", f"position {position} comes after position {self._last_position}")
        self._last_position = max(self._last_position, position)
        if decode(self._codec, row) is None:
            problem("undecodable", f"cannot decode {row.topic}")
        self._stream(row, stored_hash, problem)
        self.chain.feed(logged, problem)

    def _stream(self, row: Any, stored_hash: bytes | None, problem: Any) -> None:
        stream, version = row.originator_id, row.originator_version
        head = self._heads.get(stream)
        if head is None:
            self.result.streams += 1
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
            self.result.hashed += 1
            # A link can only be checked against the true predecessor; a gap is reported above already.
            if in_sequence and event_hash(head[1] if head else None, row) != stored_hash:
                problem("hash", "does not match its hash chain: this event (or its hash) was altered")
        self._heads[stream] = (version, stored_hash)

    def conclude(self, head: Head | None = None, anchored: bool = True) -> Verification:
        """The result, once every row is fed. `anchored`: the rows are a whole log, with its head and readers
        (an export file has neither)."""
        result, chain = self.result, self.chain
        result.last_position = self._last_position
        result.linked, result.keyed, result.unchecked = chain.linked, chain.keyed, chain.unchecked
        result.before_chain = chain.before_chain
        if chain.last is not None:
            result.head = {"position": chain.last.position, "link": chain.last.link.hex()}

        def problem(position: int, kind: str, detail: str) -> None:
            result.problems.append(Problem(position, "", 0, kind, detail))

        chain.keys(problem)
        if anchored:
            result.readers = self.readers
            chain.anchors(head, self._last_position, result.readers, problem)
        result.notes = chain.notes(result.readers if anchored else None, self._last_position)
        return result


async def verify_store(
    store: Any, linker: Linker | None = None, readers: dict[str, int] | None = None,
    anchor: tuple[int, bytes] | None = None,
) -> Verification:
    """The whole log checked, and its end against its head and its readers (the tracking table's and `readers`),
    and against `anchor`, a (position, link) noted earlier outside the database, if given."""
    checker = await store_checker(store, linker, readers, anchor)
    async for row in raw_rows(store):
        checker.feed(row)
    return await conclude(checker, store)


async def store_checker(
    store: Any, linker: Linker | None = None, readers: dict[str, int] | None = None,
    anchor: tuple[int, bytes] | None = None,
) -> Checker:
    """A checker for the whole of `store`, holding its readers' positions. They are read before any row, so
    that on a live log they can only trail the rows read after them, never pass them (`readers`, read by the
    caller, must be read before this call for the same reason)."""
    return Checker(linker, anchor=anchor, readers={**await store.tracking_positions(), **(readers or {})})


async def conclude(checker: Checker, store: Any) -> Verification:
    """The result once the checker has been fed every row of `store`. The head is read after the rows; on a
    live log it may name rows appended since, which are then read too, until it names none beyond them."""
    head = await store.log_head()
    for _ in range(CATCH_UPS):
        if head is None or head.position <= checker.last_position:
            break
        caught_up = False
        async for row in raw_rows(store, after=checker.last_position):
            checker.feed(row)
            caught_up = True
        if not caught_up:
            break  # the head names rows that are not there
        head = await store.log_head()
    return checker.conclude(head)


def verify_rows(rows: Iterable[LoggedRow], linker: Linker | None = None) -> Verification:
    """Rows that are not a whole log (an export file): everything but its head and readers."""
    checker = Checker(linker)
    for row in rows:
        checker.feed(row)
    return checker.conclude(anchored=False)


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
