"""One function builds the application: nothing but infrastructure/bootstrap.py constructs the container."""

import re
from pathlib import Path

from infrastructure.bootstrap import bootstrap
from infrastructure.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SKIPPED = {".venv", ".git", "build", "node_modules", "__pycache__"}
# `Container(` as a call, not the class statement that defines it.
CONSTRUCTS = re.compile(r"(?<![\w.])Container\s*\(")
DEFINES = re.compile(r"^\s*class\s+Container\s*\(")


def python_files() -> list[Path]:
    this = Path(__file__).resolve()  # its own examples below are strings, not constructions
    return [p for p in ROOT.rglob("*.py") if not SKIPPED & set(p.relative_to(ROOT).parts) and p != this]


def constructions(text: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), 1) if CONSTRUCTS.search(line) and not DEFINES.match(line)]


def test_only_bootstrap_constructs_the_container() -> None:
    found = {}
    for path in python_files():
        lines = constructions(path.read_text(encoding="utf-8"))
        if lines:
            found[str(path.relative_to(ROOT))] = lines
    assert found == {"infrastructure/bootstrap.py": found.get("infrastructure/bootstrap.py", [])}, found
    assert found.get("infrastructure/bootstrap.py"), "bootstrap.py no longer builds the container"


def test_the_search_sees_a_construction_and_not_the_definition() -> None:
    # The grep above must be able to fail: it finds the call in its usual spellings.
    assert constructions("c = Container()\nx = containers.Container (a)\n") == [1]
    assert constructions("class Container(containers.DeclarativeContainer):\n") == []
    assert constructions("    container = Container(settings=providers.Object(s))\n") == [1]


def test_the_old_selector_is_gone() -> None:
    text = (ROOT / "infrastructure" / "container.py").read_text(encoding="utf-8")
    assert "Selector" not in text


async def test_bootstrap_opens_the_settings_store_as_a_resource_and_closes_it(tmp_path: Path) -> None:
    settings = Settings(event_store="sqlite", sqlite_path=tmp_path / "events.db", instrument=False)
    application = bootstrap(settings, gateway=object())
    backends = await application.open()
    assert await backends.store.last_position() == 0
    gatekeeper = await application.start()
    assert gatekeeper.spool is not None and application.health is not None
    await application.close()
    assert (tmp_path / "events.db").exists()


async def test_a_given_store_is_used_and_left_open_for_its_owner() -> None:
    from adapters.memory.event_store import InMemoryEventStore

    store = InMemoryEventStore()
    application = bootstrap(Settings(event_store="memory", instrument=False), gateway=object(), store=store)
    await application.start()
    assert (await application.open()).store is store
    await application.close()  # nothing of its own to close
    assert await store.last_position() == 0


async def test_the_postgres_pool_is_the_containers_resource_and_closing_leaves_no_connection() -> None:
    import os
    from urllib.parse import urlsplit, urlunsplit
    from uuid import uuid4

    import asyncpg

    from adapters.postgres.migrations import drop_database, ensure_database

    server = os.environ.get("CHANWARDEN_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"chanwarden_test_{uuid4().hex[:12]}"
    dsn = urlunsplit(urlsplit(server)._replace(path=f"/{name}"))
    await ensure_database(dsn)

    async def connections() -> int:
        admin = await asyncpg.connect(server)
        try:
            return await admin.fetchval("SELECT count(*) FROM pg_stat_activity WHERE datname = $1", name)
        finally:
            await admin.close()

    try:
        settings = Settings(event_store="postgres", postgres_dsn=dsn, instrument=False)
        application = bootstrap(settings, gateway=object())
        await application.start()
        assert await connections() > 0
        await application.close()
        assert await connections() == 0  # the pool closed with the application, not by dropping the database
    finally:
        await drop_database(dsn)
