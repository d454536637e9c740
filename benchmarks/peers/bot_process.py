"""A Bot API bot in a process of its own, pointed at the local server: started, stopped, restarted.

`CommandBot` runs any command line with BOT_API_BASE_URL and BOT_TOKEN in its environment, so any bot that
takes its base URL from there can be held to the scenario library (`--bot CMD`).
"""

import asyncio
import contextlib
import os
import shlex
import signal
from abc import ABC, abstractmethod
from pathlib import Path


class BotProcess(ABC):
    """Start/stop of one process; subclasses say what to run and what to prepare and clean up around it."""

    name = "bot"

    def __init__(self) -> None:
        self.process: asyncio.subprocess.Process | None = None
        self.log_path: Path | None = None

    async def prepare(self) -> None:  # noqa: B027 (an optional hook: most bots need nothing)
        """Once per run, before the first start: environments, databases."""

    async def cleanup(self) -> None:  # noqa: B027 (an optional hook)
        """Once per run, after the last stop."""

    @abstractmethod
    def command(self, base_url: str, token: str) -> tuple[list[str], dict[str, str], str | None]:
        """The command line, its extra environment and its folder, for a bot pointed at `base_url`."""

    async def start(self, base_url: str, token: str) -> None:
        argv, env, cwd = self.command(base_url, token)
        log = open(self.log_path, "ab") if self.log_path else asyncio.subprocess.DEVNULL  # noqa: SIM115
        self.process = await asyncio.create_subprocess_exec(
            *argv, env={**os.environ, **env}, cwd=cwd, stdout=log, stderr=asyncio.subprocess.STDOUT,
            start_new_session=True)
        if self.log_path:
            log.close()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, as an operator stops a bot; SIGKILL if it does not end in time."""
        process, self.process = self.process, None
        if process is None or process.returncode is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), timeout)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()


class CommandBot(BotProcess):
    def __init__(self, command_line: str) -> None:
        super().__init__()
        self.argv = shlex.split(command_line)
        self.name = Path(self.argv[0]).name if self.argv else "bot"

    def command(self, base_url: str, token: str) -> tuple[list[str], dict[str, str], str | None]:
        return self.argv, {"BOT_API_BASE_URL": base_url, "BOT_TOKEN": token}, None


def bot_for(spec: str) -> BotProcess:
    """`nezuko` or a command line."""
    if spec == "nezuko":
        from benchmarks.peers.nezuko import Nezuko

        return Nezuko()
    return CommandBot(spec)
