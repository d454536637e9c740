"""The log as JSON lines, out of any store and into an empty one, hashes and all.

One line per stored row, in position order, after a header line. The state is written as text when it is
UTF-8 (eventsourcing's JSON always is) so the file reads like the log, and as base64 otherwise.
Positions are kept in the file for reference; an import numbers rows afresh in the same order.
"""

import base64
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from entrypoints.audit.log import PAGE, Row
from entrypoints.audit.verify import UNHASHED, verify_rows

FORMAT = "chanwarden-log"
VERSION = 1
BATCH = 1000


class ImportRefused(Exception):
    """The file or the target store is not fit for an import; nothing was written."""


def to_line(position: int, row: StoredEvent, stored_hash: bytes | None) -> str:
    data: dict[str, Any] = {
        "position": position,
        "stream": str(row.originator_id),
        "version": row.originator_version,
        "topic": row.topic,
    }
    state = bytes(row.state)
    try:
        data["state"] = state.decode("utf-8")
    except UnicodeDecodeError:
        data["state_b64"] = base64.b64encode(state).decode("ascii")
    data["hash"] = None if stored_hash is None else stored_hash.hex()
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def from_line(line: str) -> Row:
    data = json.loads(line)
    state = data["state"].encode("utf-8") if "state" in data else base64.b64decode(data["state_b64"])
    row = StoredEvent(UUID(data["stream"]), int(data["version"]), data["topic"], state)
    return int(data["position"]), row, None if data["hash"] is None else bytes.fromhex(data["hash"])


async def export_jsonl(store: Any, out: TextIO, advance: Callable[[int], None] | None = None) -> int:
    """Write every row to `out`, a page at a time: memory stays flat however long the log. Returns the count."""
    out.write(json.dumps({"format": FORMAT, "version": VERSION}) + "\n")
    count = after = 0
    while rows := await store.read_all_stored(after, PAGE):
        out.write("".join(to_line(*r) + "\n" for r in rows))
        count += len(rows)
        if advance is not None:
            advance(rows[-1][0] - after)  # in positions, to match a bar whose total is the last position
        after = rows[-1][0]
    return count


def read_export(path: Path) -> Iterator[Row]:
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
    store: Any, path: Path, allow_unhashed: bool = False, advance: Callable[[int], None] | None = None
) -> int:
    """Copy an export into an empty store, after checking the file's own hash chain. Returns the count.

    The store hashes each row as it appends it; on a file whose chain verifies, that recomputes exactly the
    hashes the file holds, so the copy carries the same evidence. Rows the file has without a hash are
    refused unless `allow_unhashed` (they then get a hash of their own). Undecodable rows are copied as they
    are: an import reproduces the log, it does not judge it.
    """
    held = await store.last_position()
    if held:
        raise ImportRefused(f"the target store already holds events (up to position {held}); "
                            "import only into an empty store, so nothing is mixed or overwritten")
    checked = verify_rows(read_export(path))
    ignored = {"undecodable"} | ({UNHASHED} if allow_unhashed else set())
    failures = [p for p in checked.problems if p.kind not in ignored]
    if failures:
        first = failures[0]
        raise ImportRefused(f"the file does not verify: {len(failures)} problem(s), the first at position "
                            f"{first.position}: {first.detail}")
    batch: list[StoredEvent] = []
    count = 0
    for _, row, _ in read_export(path):
        batch.append(row)
        if len(batch) == BATCH:
            count += await _append(store, batch, advance)
    return count + await _append(store, batch, advance)


async def _append(store: Any, batch: list[StoredEvent], advance: Callable[[int], None] | None) -> int:
    if not batch:
        return 0
    await store.append_stored(batch)
    done = len(batch)
    batch.clear()
    if advance is not None:
        advance(done)
    return done
