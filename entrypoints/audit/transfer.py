"""The log as JSON lines, out of any store and into an empty one, hashes and all.

One line per stored row, in position order, after a header line. The state is written as text when it is
UTF-8 (eventsourcing's JSON always is) so the file reads like the log, and as base64 otherwise. Each line
keeps the row's stream hash and its log link (with its key's fingerprint), so the file's chains can be
checked; files written before the log chain simply have no link. Positions are kept in the file for
reference; an import numbers rows afresh in the same order, and the target store links them afresh (with
its own key, if it has one).
"""

import base64
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from entrypoints.audit.log import PAGE
from entrypoints.audit.verify import UNHASHED, verify_rows
from infrastructure.log_chain import Linker, LoggedRow

FORMAT = "chanwarden-log"
VERSION = 1
BATCH = 1000


class ImportRefused(Exception):
    """The file or the target store is not fit for an import; nothing was written."""


@dataclass
class Imported:
    count: int
    unchecked: list[str] = field(default_factory=list)  # what the check of the file could not cover, in words


def _hex(value: bytes | None) -> str | None:
    return None if value is None else value.hex()


def _bytes(value: str | None) -> bytes | None:
    return None if value is None else bytes.fromhex(value)


def to_line(logged: LoggedRow) -> str:
    row = logged.event
    data: dict[str, Any] = {
        "position": logged.position,
        "stream": str(row.originator_id),
        "version": row.originator_version,
        "topic": row.topic,
    }
    state = bytes(row.state)
    try:
        data["state"] = state.decode("utf-8")
    except UnicodeDecodeError:
        data["state_b64"] = base64.b64encode(state).decode("ascii")
    data["hash"] = _hex(logged.stream_hash)
    if logged.link is not None:
        data["link"], data["keyed_by"] = logged.link.hex(), _hex(logged.keyed_by)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def from_line(line: str) -> LoggedRow:
    data = json.loads(line)
    state = data["state"].encode("utf-8") if "state" in data else base64.b64decode(data["state_b64"])
    row = StoredEvent(UUID(data["stream"]), int(data["version"]), data["topic"], state)
    return LoggedRow(int(data["position"]), row, _bytes(data["hash"]), _bytes(data.get("link")),
                     _bytes(data.get("keyed_by")))


async def export_jsonl(store: Any, out: TextIO, advance: Callable[[int], None] | None = None) -> int:
    """Write every row to `out`, a page at a time: memory stays flat however long the log. Returns the count."""
    out.write(json.dumps({"format": FORMAT, "version": VERSION}) + "\n")
    count = after = 0
    while rows := await store.read_log(after, PAGE):
        out.write("".join(to_line(r) + "\n" for r in rows))
        count += len(rows)
        if advance is not None:
            advance(rows[-1].position - after)  # in positions, to match a bar whose total is the last position
        after = rows[-1].position
    return count


def read_export(path: Path) -> Iterator[LoggedRow]:
    """The rows of an export file, one at a time."""
    with open(path, encoding="utf-8") as lines:
        try:
            header = json.loads(lines.readline() or "null")
        except json.JSONDecodeError:
            header = None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise ImportRefused(f"{path} is not a chanwarden log export (its first line names no {FORMAT!r})")
        if header.get("version") != VERSION:
            raise ImportRefused(f"{path} is export version {header.get('version')}; this tool reads {VERSION}")
        for number, line in enumerate(lines, start=2):
            if not line.strip():
                continue
            try:
                yield from_line(line)
            except (ValueError, KeyError, TypeError) as error:
                raise ImportRefused(f"line {number} of {path} is not a stored event: {error}") from None


async def import_jsonl(
    store: Any,
    path: Path,
    allow_unhashed: bool = False,
    advance: Callable[[int], None] | None = None,
    linker: Linker | None = None,
) -> Imported:
    """Copy an export into an empty store, after checking the file's hash chains and its log chain.

    The store hashes each row as it appends it; on a file whose chains verify, that recomputes exactly the
    hashes the file holds, so the copy carries the same evidence. The log chain is linked afresh by the store
    (with its own key, if it has one). Keyed links in the file are checked with `linker`'s key; without that
    key they cannot be, and the result's notes say so. Rows the file has without a hash are refused unless
    `allow_unhashed` (they then get a hash of their own). Undecodable rows are copied as they are: an import
    reproduces the log, it does not judge it.
    """
    held = await store.last_position()
    if held:
        raise ImportRefused(f"the target store already holds events (up to position {held}); "
                            "import only into an empty store, so nothing is mixed or overwritten")
    checked = verify_rows(read_export(path), linker)
    # Undecodable rows are copied as they are; "key" problems say which key the checker holds, not the file.
    ignored = {"undecodable", "key"} | ({UNHASHED} if allow_unhashed else set())
    failures = [p for p in checked.problems if p.kind not in ignored]
    if failures:
        first = failures[0]
        raise ImportRefused(f"the file does not verify: {len(failures)} problem(s), the first at position "
                            f"{first.position}: {first.detail}")
    batch: list[StoredEvent] = []
    count = 0
    for logged in read_export(path):
        batch.append(logged.event)
        if len(batch) == BATCH:
            count += await _append(store, batch, advance)
    count += await _append(store, batch, advance)
    notes = [p.detail for p in checked.problems if p.kind == "key"]
    if checked.unchecked:
        notes.append(f"the file's {checked.unchecked} keyed links were not checked: no key was given "
                     "(CHANWARDEN_AUDIT_KEY)")
    return Imported(count, notes)


async def _append(store: Any, batch: list[StoredEvent], advance: Callable[[int], None] | None) -> int:
    if not batch:
        return 0
    await store.append_stored(batch)
    done = len(batch)
    batch.clear()
    if advance is not None:
        advance(done)
    return done
