"""Redis commands asked for in the same turn of the event loop go out together, in one pipeline.

Under load hundreds of updates are in flight, and each cache lookup or store was a round trip of its own:
a connection taken from the pool, a send, a read, a reply parsed, mostly in Python. Gathered, many
callers share one send and one read. A caller waits at most for the turn of the loop in which it asked,
plus the round trip; nothing is written later than it would have been.

Announcements ride along: what the batch's callers ask to publish on one pub/sub channel goes out as one
message (their lines joined by newlines) after every command of the batch, so a listener hears of a
batch once, and only after all of its writes.
"""

import asyncio
from collections import deque
from collections.abc import Sequence
from typing import Any

from adapters.redis.errors import RedisUnavailable, bounded

Command = tuple[Any, ...]  # a command name and its arguments, as execute_command takes them
Announcement = tuple[str, str]  # (pub/sub channel, one line: no newline inside)
_Entry = tuple[Sequence[Command], Announcement | None, "asyncio.Future[list[Any]]"]
MAX_COMMANDS = 1_000  # per pipeline: a bound on the reply one read has to parse


class BatchedCommands:
    def __init__(self, client: Any, timeout: float) -> None:
        self._client = client
        self._timeout = timeout
        self._queue: deque[_Entry] = deque()
        self._scheduled = False
        self._sending: set[asyncio.Task] = set()  # held here: the loop keeps only weak references to tasks
        self.round_trips = 0  # pipelines sent, for the tests and the curious

    async def run(self, commands: Sequence[Command], what: str, announce: Announcement | None = None) -> list[Any]:
        """The replies to `commands`, in order, once they and `announce` are done. Fails as `bounded` does
        when Redis is away, or with the error Redis answered one of these commands (or the publish) with."""
        if announce is not None and "\n" in announce[1]:
            raise ValueError("an announcement is one line")
        future: asyncio.Future[list[Any]] = asyncio.get_running_loop().create_future()
        self._queue.append((commands, announce, future))
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self._flush_soon)
        try:
            return await future
        except RedisUnavailable as error:
            raise RedisUnavailable(f"{what}: {error}") from error  # says which of the batch's callers this was

    def _flush_soon(self) -> None:
        self._scheduled = False
        while self._queue:
            taken, count = [], 0
            while self._queue and (not taken or count + len(self._queue[0][0]) <= MAX_COMMANDS):
                entry = self._queue.popleft()
                taken.append(entry)
                count += len(entry[0])
            task = asyncio.get_running_loop().create_task(self._send(taken))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)

    async def _send(self, taken: list[_Entry]) -> None:
        pipe = self._client.pipeline(transaction=False)
        lines: dict[str, list[str]] = {}
        for commands, announce, _ in taken:
            for command in commands:
                pipe.execute_command(*command)
            if announce is not None:
                lines.setdefault(announce[0], []).append(announce[1])
        published = list(lines)
        for channel in published:
            pipe.execute_command("PUBLISH", channel, "\n".join(lines[channel]))
        self.round_trips += 1
        try:
            replies = await bounded(pipe.execute(raise_on_error=False), self._timeout, "pipeline")
        except BaseException as error:
            for _, _, future in taken:
                if not future.done():
                    future.set_exception(error)
            if isinstance(error, asyncio.CancelledError):
                raise
            return
        publish_replies = dict(zip(published, replies[len(replies) - len(published) :], strict=True))
        start = 0
        for commands, announce, future in taken:
            mine = replies[start : start + len(commands)]
            start += len(commands)
            if future.done():
                continue  # its caller stopped waiting
            if announce is not None:
                mine = [*mine, publish_replies[announce[0]]]
            failed = next((r for r in mine if isinstance(r, Exception)), None)
            if failed is not None:
                future.set_exception(failed)
            else:
                future.set_result(mine[: len(commands)])
