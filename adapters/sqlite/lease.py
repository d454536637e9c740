"""The lease of an embedded store: an exclusive flock on a file beside the database.

flock rather than fcntl's POSIX record locks: those belong to the process, so a second open of the file in
the same process (a test, a restart in place) would share the lock instead of being refused, and closing
any one descriptor of the file would drop it. The kernel releases a flock when its holder dies, however it
dies. The file is never removed: a process that opened it before the removal would lock an orphaned inode
while another locks the new file, and both would act.
"""

import asyncio
import contextlib
import fcntl
import os
from pathlib import Path

CHECK_EVERY = 1.0  # seconds between looks at whether the lock file is still the one locked


def lease_file(database: Path) -> Path:
    return database.with_name(database.name + ".lease")


class FileLease:
    def __init__(self, path: Path, check_every: float = CHECK_EVERY) -> None:
        self.path = path
        self._check_every = check_every
        self._fd: int | None = None
        self._inode: int | None = None

    async def acquire(self) -> bool:
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd, self._inode = fd, os.fstat(fd).st_ino
        # Who holds it, for an operator wondering why a bot stands by.
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        return True

    async def lost(self) -> str:
        while True:
            await asyncio.sleep(self._check_every)
            try:
                inode = os.stat(self.path).st_ino
            except FileNotFoundError:
                return f"its lock file {self.path.name} was removed"
            if inode != self._inode:
                return f"its lock file {self.path.name} was replaced"

    async def release(self) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = self._inode = None
