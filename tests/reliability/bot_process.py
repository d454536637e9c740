"""`chanwarden run` as a real process, bound to a remote world server, that a test can SIGKILL."""

import asyncio
import os
import signal
import time
from pathlib import Path

from tests.offline_bot import CHANWARDEN

TOKEN = "123456:AAH-reliability-bot-token"
API_HASH = "0123456789abcdef0123456789abcdef"
CALLBACK_SECRET = "reliability-callback-secret"


def bot_env(folder: Path, address: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "TELEGRAM_API_ID": "1",
        "TELEGRAM_API_HASH": API_HASH,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "CHANWARDEN_REMOTE_WORLD": address,
        "CHANWARDEN_EVENT_STORE": "sqlite",
        "CHANWARDEN_SQLITE_PATH": str(folder / "events.db"),
        "CHANWARDEN_SESSION_PATH": str(folder / "bot.session"),
        "CHANWARDEN_CALLBACK_SECRET": CALLBACK_SECRET,
        "CHANWARDEN_METRICS_PORT": "0",  # several bots in a row (and other tests) must not fight for a port
        "CHANWARDEN_PUMP_INTERVAL": "1",
        "COLUMNS": "200",
        **extra,
    }


def confirmed(folder: Path) -> int:
    """The last update number the bot of `folder` confirmed to the remote world (remote-world.position)."""
    state = folder / "remote-world.position"
    return int(state.read_text() or 0) if state.exists() else 0


async def until(condition, deadline: float, step: float = 0.1) -> bool:
    """Wait until `condition()` holds or the monotonic clock passes `deadline`; whether it held."""
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(step)
    return True


class BotProcess:
    def __init__(self, folder: Path, env: dict[str, str], name: str = "bot") -> None:
        self._folder = folder
        self._env = env
        self._process: asyncio.subprocess.Process | None = None
        self.starts = 0
        self.kills = 0
        self.log = folder / f"{name}.log"  # a name of its own, so two processes can share a folder

    async def start(self) -> None:
        self.starts += 1
        with self.log.open("ab") as out:
            out.write(f"\n--- start {self.starts} at {time.time():.3f}\n".encode())
            out.flush()
            self._process = await asyncio.create_subprocess_exec(
                str(CHANWARDEN), "run", env=self._env, cwd=self._folder, stdout=out, stderr=asyncio.subprocess.STDOUT
            )

    async def kill(self) -> None:
        """SIGKILL: no handler runs, nothing is flushed or settled, exactly like a crash."""
        assert self._process is not None
        self._process.send_signal(signal.SIGKILL)
        await self._process.wait()
        self.kills += 1

    async def stop(self, timeout: float = 30.0) -> int:
        assert self._process is not None
        self._process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self._process.wait(), timeout)

    async def exited(self, timeout: float) -> int:
        """The exit code, once the process ends by itself within `timeout` seconds."""
        assert self._process is not None
        return await asyncio.wait_for(self._process.wait(), timeout)

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

    def output(self) -> str:
        return self.log.read_text(errors="replace")
