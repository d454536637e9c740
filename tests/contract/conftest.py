"""A throwaway PostgreSQL database per test run, so runs never share or leave state behind."""

import asyncio
import os
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit
from uuid import uuid4

import pytest

from adapters.postgres.migrations import drop_database, ensure_database

SERVER = os.environ.get("CHANWARDEN_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def pg_dsn() -> Iterator[str]:
    dsn = urlunsplit(urlsplit(SERVER)._replace(path=f"/chanwarden_test_{uuid4().hex[:12]}"))
    asyncio.run(ensure_database(dsn))
    yield dsn
    asyncio.run(drop_database(dsn))


@pytest.fixture
def log_name() -> str:
    """Fresh table names for one test inside the run's database."""
    return f"t{uuid4().hex[:12]}"
