"""The lease contract on the flock beside a SQLite store."""

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from lease_contract import LeaseContract, LeaseFactory

from adapters.sqlite.lease import FileLease, lease_file


class TestFileLease(LeaseContract):
    @pytest.fixture
    async def make_lease(self, tmp_path: Path) -> AsyncIterator[LeaseFactory]:
        made: list[FileLease] = []

        async def make(store: str = "events") -> FileLease:
            made.append(FileLease(lease_file(tmp_path / f"{store}.db"), check_every=0.1))
            return made[-1]

        yield make
        for lease in made:
            await lease.release()

    async def die(self, lease: FileLease) -> None:
        os.close(lease._fd)  # what the kernel does for a killed process: its descriptors are closed
        lease._fd = None

    async def take_away(self, lease: FileLease) -> None:
        scratch = lease.path.with_name("replacement")
        scratch.write_text("")
        os.replace(scratch, lease.path)
