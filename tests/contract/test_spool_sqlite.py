"""The spool contract on the SQLite file, and a kill -9 right after an append returned."""

import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from spool_contract import COMMANDS, DurableSpoolContract, SpoolFactory, drain

from adapters.sqlite.spool import SqliteSpool


class TestSqliteSpool(DurableSpoolContract):
    @pytest.fixture
    async def make_spool(self, tmp_path: Path) -> AsyncIterator[SpoolFactory]:
        opened: list[SqliteSpool] = []

        async def open_spool() -> SqliteSpool:
            opened.append(SqliteSpool(tmp_path / "state" / "spool.db"))
            return opened[-1]

        yield open_spool
        for spool in opened:
            await spool.close()


KEEP_THEN_WAIT = textwrap.dedent("""
    import asyncio, sys
    from adapters.sqlite.spool import SqliteSpool
    from application.commands import MemberJoined

    async def main():
        spool = SqliteSpool(sys.argv[1])
        for member in range(int(sys.argv[2])):
            await spool.append(MemberJoined(2001, member))
        print("kept", flush=True)
        await asyncio.sleep(60)

    asyncio.run(main())
""")


async def test_a_command_kept_survives_a_kill_9_of_its_process(tmp_path: Path) -> None:
    path = tmp_path / "spool.db"
    process = subprocess.Popen([sys.executable, "-c", KEEP_THEN_WAIT, str(path), "25"], stdout=subprocess.PIPE,
                               text=True, cwd=Path(__file__).resolve().parents[2])
    try:
        assert process.stdout.readline().strip() == "kept"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    spool = SqliteSpool(path)
    try:
        assert [command.user_id for command in await drain(spool)] == list(range(25))
    finally:
        await spool.close()


async def test_a_row_this_version_cannot_read_is_dropped_not_blocking_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "spool.db"
    spool = SqliteSpool(path)
    await spool.append(COMMANDS[0])
    await spool.close()
    with sqlite3.connect(path) as other:  # as a newer version, with a command type this one never heard of
        other.execute("INSERT INTO spool (command) VALUES (?)", ('{"$type": "Gone", "fields": {}}',))
    spool = SqliteSpool(path)
    try:
        await spool.append(COMMANDS[1])
        assert await spool.count() == 3
        assert await drain(spool) == COMMANDS[:2]
        assert await spool.count() == 0
    finally:
        await spool.close()
