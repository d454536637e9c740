"""`chanwarden run` before it may act, and when it no longer may.

A store out of reach at start, or a lease another process holds, is one clear line (no traceback), /healthz
"alive" and /readyz 503 with the status and the reason meanwhile, then a normal start once it clears; a
lease lost while running stops the process at once with one line and a non-zero code; a callback secret
that is empty, or the development default outside development, is refused with one line and exit 2.
"""

import asyncio
import json
import os
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from uuid import uuid4

import asyncpg
import pytest
from typer.testing import CliRunner

from adapters.postgres import drop_database
from adapters.sqlite.lease import FileLease, lease_file
from entrypoints.cli import app
from entrypoints.startup import LEASE_LOST_EXIT, STANDBY
from tests.observability.conftest import free_port, get
from tests.offline_bot import READY
from tests.outage.proxy import CuttableProxy
from tests.reliability.bot_process import BotProcess, until

STORY = Path(__file__).parent / "offline_story.yaml"
PG_SERVER = os.environ.get("CHANWARDEN_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
CREDENTIALS = {"TELEGRAM_API_ID": "1", "TELEGRAM_API_HASH": "0123456789abcdef", "TELEGRAM_BOT_TOKEN": "1:start-token"}


def offline_env(folder: Path, **extra: str) -> tuple[dict[str, str], str]:
    """The environment of an offline `chanwarden run` on SQLite in `folder`, and its health address."""
    health = free_port()
    env = {**os.environ, **CREDENTIALS, "COLUMNS": "200", "CHANWARDEN_OFFLINE_SCENARIO": str(STORY),
           "CHANWARDEN_EVENT_STORE": "sqlite", "CHANWARDEN_SQLITE_PATH": str(folder / "events.db"),
           "CHANWARDEN_SESSION_PATH": str(folder / "bot.session"), "CHANWARDEN_METRICS_PORT": str(free_port()),
           "CHANWARDEN_HEALTH_PORT": str(health), "CHANWARDEN_PUMP_INTERVAL": "1", **extra}
    return env, f"http://127.0.0.1:{health}"


async def fetch(url: str) -> tuple[int, str]:
    # On a thread: the proxy in front of PostgreSQL runs on this test's event loop and must keep turning.
    return await asyncio.to_thread(get, url)


async def ready(base: str) -> tuple[int, dict]:
    status, body = await fetch(f"{base}/readyz")
    return status, json.loads(body)


ALIVE = (200, json.dumps({"status": "alive"}))


def soon(seconds: float) -> float:
    return time.monotonic() + seconds


@pytest.fixture
def pg_dsn_for_run():
    dsn = urlunsplit(urlsplit(PG_SERVER)._replace(path=f"/chanwarden_start_{uuid4().hex[:12]}"))
    yield dsn
    asyncio.run(drop_database(dsn))


@pytest.mark.parametrize(("env", "says"), [
    ({"CHANWARDEN_CALLBACK_SECRET": ""}, "is empty"),
    ({"CHANWARDEN_CALLBACK_SECRET": "   ", "CHANWARDEN_ENVIRONMENT": "production"}, "is empty"),
    ({"CHANWARDEN_ENVIRONMENT": "production"}, "development default"),
])
def test_an_empty_or_default_callback_secret_is_refused_in_one_line(monkeypatch, env, says) -> None:
    monkeypatch.delenv("CHANWARDEN_CALLBACK_SECRET", raising=False)
    for name, value in {**CREDENTIALS, **env}.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(app, ["run"])
    assert result.exit_code == 2
    assert says in result.output and len(result.output.strip().splitlines()) == 1, result.output


async def test_a_store_out_of_reach_at_start_is_one_line_and_not_ready_until_it_answers(tmp_path, pg_dsn_for_run):
    proxy = CuttableProxy(5432)
    proxy.port = free_port()  # nothing listens there yet: PostgreSQL is out of reach
    target = urlsplit(pg_dsn_for_run)
    login = target.netloc.rpartition("@")[0]
    dsn = urlunsplit(target._replace(netloc=f"{login}@127.0.0.1:{proxy.port}" if login else f"127.0.0.1:{proxy.port}"))
    env, health = offline_env(tmp_path, CHANWARDEN_EVENT_STORE="postgres", CHANWARDEN_POSTGRES_DSN=dsn)
    bot = BotProcess(tmp_path, env)
    await bot.start()
    try:
        assert await until(lambda: "does not answer" in bot.output(), soon(30)), bot.output()
        assert await fetch(f"{health}/healthz") == ALIVE
        status, body = await ready(health)
        assert status == 503 and body["status"] == "not_ready" and "does not answer" in body["reason"], body
        await asyncio.sleep(2.5)  # a few tries, still one line

        await proxy.start()
        assert await until(lambda: READY in bot.output(), soon(40)), bot.output()
        status, body = await ready(health)
        assert status == 200 and body["status"] == "ready", body
        assert await bot.stop() == 0
    finally:
        if bot.running:
            await bot.kill()
        await proxy.cut()
    output = bot.output()
    assert output.count("does not answer") == 1, output
    assert "Traceback" not in output and "stopped cleanly" in output


async def test_a_second_process_stands_by_without_acting_and_takes_over_when_the_lease_is_free(tmp_path) -> None:
    elsewhere = FileLease(lease_file(tmp_path / "events.db"))
    assert await elsewhere.acquire()  # another process holds the store's lease
    env, health = offline_env(tmp_path)
    bot = BotProcess(tmp_path, env)
    await bot.start()
    try:
        assert await until(lambda: STANDBY in bot.output(), soon(30)), bot.output()
        assert await fetch(f"{health}/healthz") == ALIVE
        status, body = await ready(health)
        assert status == 503 and body["status"] == "standby", body
        await asyncio.sleep(2)  # it keeps standing by
        assert READY not in bot.output() and bot.output().count(STANDBY) == 1
        assert not (tmp_path / "events.db").exists()  # it has not even opened the store

        await elsewhere.release()
        released = time.monotonic()
        assert await until(lambda: READY in bot.output(), soon(20)), bot.output()
        print(f"\nstandby took over {time.monotonic() - released:.1f} s after the lease was released")
        assert await bot.stop() == 0
    finally:
        await elsewhere.release()
        if bot.running:
            await bot.kill()


async def take_away_file_lease(folder: Path, _: str) -> None:
    scratch = folder / "replacement"
    scratch.write_text("")
    os.replace(scratch, lease_file(folder / "events.db"))  # another lock file: someone else may lock it now


async def take_away_postgres_lease(_: Path, dsn: str) -> None:
    admin = await asyncpg.connect(dsn)
    try:
        await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE application_name = 'chanwarden lease' AND datname = current_database()")
    finally:
        await admin.close()


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
async def test_a_lost_lease_stops_the_process_at_once_with_one_line(tmp_path, pg_dsn_for_run, store) -> None:
    on_postgres = {"CHANWARDEN_EVENT_STORE": "postgres", "CHANWARDEN_POSTGRES_DSN": pg_dsn_for_run}
    env, _ = offline_env(tmp_path, **(on_postgres if store == "postgres" else {}))
    bot = BotProcess(tmp_path, env)
    await bot.start()
    try:
        assert await until(lambda: READY in bot.output(), soon(40)), bot.output()
        take_away = take_away_postgres_lease if store == "postgres" else take_away_file_lease
        await take_away(tmp_path, pg_dsn_for_run)
        taken = time.monotonic()
        assert await bot.exited(10) == LEASE_LOST_EXIT
        stopped_after = time.monotonic() - taken
    finally:
        if bot.running:
            await bot.kill()
    lines = [line for line in bot.output().splitlines() if "lost the lease" in line]
    assert len(lines) == 1 and "Traceback" not in bot.output() and "stopped cleanly" not in bot.output()
    assert stopped_after < 3.0, stopped_after
