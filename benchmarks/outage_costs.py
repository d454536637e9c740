"""What an outage costs the bot: how long one append to a locked SQLite file stops the event loop, with
sqlite3's own busy wait (what the store did before) and with the guard (what it does now), and how long
keeping one update in the durable spool takes.

    python -m benchmarks.outage_costs
"""

import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from adapters.sqlite.event_store import SqliteEventStore
from adapters.sqlite.guarded import open_guarded
from adapters.sqlite.spool import SqliteSpool
from application.commands import MemberJoined
from domain.protected_group import ProtectedGroup

SQLITE3_DEFAULT_BUSY_MS = 5000  # sqlite3.connect's timeout=5.0, which the store used before
TICK = 0.001
SPOOLED = 200

HOLD_LOCK = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
"""


async def stall_of_one_append(store) -> tuple[float, float, str]:
    """(worst loop stall, the append's duration, how it ended) for one append while the file is locked."""
    loop = asyncio.get_running_loop()
    worst = 0.0

    async def tick() -> None:
        nonlocal worst
        while True:
            before = loop.time()
            await asyncio.sleep(TICK)
            worst = max(worst, loop.time() - before - TICK)

    ticker = loop.create_task(tick())
    await asyncio.sleep(0.05)
    group = ProtectedGroup(chat_id=1, title="bench", timestamp=datetime.now(UTC))
    started = time.perf_counter()
    try:
        await store.append(group.collect_events())
        ended = "written"
    except Exception as error:
        ended = type(error).__name__
    took = time.perf_counter() - started
    await asyncio.sleep(0.05)
    ticker.cancel()
    return worst, took, ended


async def spool_appends(folder: Path) -> list[float]:
    spool = SqliteSpool(folder / "spool.db")
    try:
        took = []
        for member in range(SPOOLED):
            started = time.perf_counter()
            await spool.append(MemberJoined(2001, member))
            took.append(time.perf_counter() - started)
        return took
    finally:
        await spool.close()


async def main() -> None:
    with tempfile.TemporaryDirectory(prefix="chanwarden-outage-") as directory:
        folder = Path(directory)
        path = folder / "events.db"
        await SqliteEventStore(path).close()  # the schema, before anyone locks the file
        holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(path)], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout.readline().strip() == "locked"
            waiting = SqliteEventStore(path)
            waiting._db.execute(f"PRAGMA busy_timeout = {SQLITE3_DEFAULT_BUSY_MS}")
            guarded = open_guarded(path)
            rows = [("sqlite3's busy wait (before)", await stall_of_one_append(waiting)),
                    ("guarded, no busy wait (now)", await stall_of_one_append(guarded))]
            await waiting.close()
            await guarded.close()
        finally:
            holder.communicate("done\n", timeout=10)
        print("one append while another process holds SQLite's write lock:")
        for label, (stall, took, ended) in rows:
            print(f"  {label:30} loop stalled {stall * 1000:8.1f} ms; the append ended after "
                  f"{took * 1000:7.1f} ms ({ended})")
        took = sorted(await spool_appends(folder))
        print(f"keeping an update in the durable spool ({SPOOLED} in a row, each on disk before the next): "
              f"median {statistics.median(took) * 1000:.2f} ms, p95 {took[int(len(took) * 0.95)] * 1000:.2f} ms")


if __name__ == "__main__":
    asyncio.run(main())
