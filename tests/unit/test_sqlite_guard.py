"""Which SQLite failures the guard takes for the store being away (the gate spools) and which it leaves alone
(a wrong request is a bug: spooling it would only fail again later)."""

import sqlite3
from pathlib import Path

import pytest

from adapters.guarded_store import StoreUnavailable
from adapters.sqlite.guarded import open_guarded


async def test_a_busy_file_is_waited_for_briefly_then_reported_unavailable(tmp_path: Path) -> None:
    store = open_guarded(tmp_path / "events.db")
    other = sqlite3.connect(tmp_path / "events.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    tries = 0

    async def write() -> None:
        nonlocal tries
        tries += 1
        store.inner._db.execute("BEGIN IMMEDIATE")

    try:
        with pytest.raises(StoreUnavailable, match="locked"):
            await store._guard(write, "append")
        assert tries > 1  # retried, by awaiting, before giving up
    finally:
        other.close()
        await store.close()


async def test_a_wrong_request_is_not_an_outage(tmp_path: Path) -> None:
    store = open_guarded(tmp_path / "events.db")

    async def wrong() -> None:
        store.inner._db.execute("SELEC 1")

    try:
        with pytest.raises(sqlite3.OperationalError, match="syntax"):
            await store._guard(wrong, "read")
    finally:
        await store.close()


def test_a_file_that_cannot_be_opened_is_unavailable(tmp_path: Path) -> None:
    (tmp_path / "events.db").mkdir()  # a folder where the file should be
    with pytest.raises(StoreUnavailable):
        open_guarded(tmp_path / "events.db")
