"""The lease contract on a PostgreSQL advisory lock (a throwaway database, a table name per test)."""

from collections.abc import AsyncIterator

import asyncpg
import pytest
from lease_contract import LeaseContract, LeaseFactory

from adapters.postgres.lease import PostgresLease


class TestPostgresLease(LeaseContract):
    @pytest.fixture
    async def make_lease(self, pg_dsn: str, log_name: str) -> AsyncIterator[LeaseFactory]:
        made: list[PostgresLease] = []

        async def make(store: str = "events") -> PostgresLease:
            made.append(PostgresLease(pg_dsn, name=f"{log_name}_{store}", check_every=0.1))
            return made[-1]

        self.dsn = pg_dsn
        yield make
        for lease in made:
            await lease.release()

    async def die(self, lease: PostgresLease) -> None:
        lease._connection.terminate()  # the socket closes with no goodbye, as when a process is killed

    async def take_away(self, lease: PostgresLease) -> None:
        admin = await asyncpg.connect(self.dsn)
        try:
            pid = lease._connection.get_server_pid()
            assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
        finally:
            await admin.close()
