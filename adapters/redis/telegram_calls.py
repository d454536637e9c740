"""Workers' Telegram calls, carried out by the gateway (the one process connected to Telegram).

A worker's `RemoteTelegram` is the Telegram port: each call becomes an entry on the `calls` stream with an id
of its own, the partition whose work made it and that partition's lease token; the answer comes back on the
worker's own reply stream. The gateway's `CallDesk` reads the calls stream as a consumer group (what a dead
gateway took but never answered stays pending, and the next gateway claims it) and carries each call out
through the one rate limiter, at the urgency the worker's task was marked with (a Verify press first).

One Lua script decides, atomically, whether a call may run: refused when the gateway's own epoch is no longer
the current one (a gateway that lost its lease), refused when the partition's lease token is not the caller's
(a worker that lost the partition), answered from its record when the call id was carried out already (a
worker that asked again after a timeout, a gateway that died after the call and before acknowledging it).
A call interrupted between Telegram and its record is run again: messages carry Telegram's random_id, so a
second post is refused as a duplicate, and a restriction written twice leaves the same rights.
"""

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

from adapters.redis.batching import BatchedCommands
from application import urgency
from application.ownership import CONTROL, current_partition
from application.ports.telegram import ChannelInfo, OutgoingMessage, Participant, ParticipantPage, TelegramError
from application.ports.telegram_methods import METHODS
from infrastructure.command_codec import CommandCodec

log = logging.getLogger(__name__)

GROUP = "gateway"
ANSWER_SECONDS = 20.0  # a call unanswered this long is asked again (same id: carried out once)
ASKS = 3
DONE_SECONDS = 3600  # how long a call's answer is kept for a repeated ask
REPLY_MAXLEN = 50_000
FENCED = "fenced"
REDIS_SECONDS = 5.0  # one batch of the calls' Redis commands, at most

_codec = CommandCodec(OutgoingMessage | Participant | ChannelInfo | ParticipantPage)

# KEYS: gateway epoch, done, lease (or ""). ARGV: my epoch, token (or ""), ttl.
_ADMIT = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 'stale_gateway' end
if ARGV[2] ~= '' and redis.call('GET', KEYS[3]) ~= ARGV[2] then return 'fenced' end
local done = redis.call('GET', KEYS[2])
if done and done ~= 'running' then return done end
redis.call('SET', KEYS[2], 'running', 'EX', ARGV[3])
if done then return 'interrupted' end
return 'go'
"""

# A call's end, atomically: its answer recorded (when it was carried out now), sent back, and the call
# acknowledged and deleted (cut off between the last two, an entry would stay in the stream yet count as
# delivered). KEYS: done, replies, calls. ARGV: record (1/0), answer, ttl, reply maxlen, call id, group, entry.
_FINISH = """
if ARGV[1] == '1' then redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 'id', ARGV[5], 'answer', ARGV[2])
redis.call('XACK', KEYS[3], ARGV[6], ARGV[7])
redis.call('XDEL', KEYS[3], ARGV[7])
return 1
"""


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _pack(value: Any) -> str:
    return _codec.encode(value) if value is not None else "null"


def _unpack(text: str) -> Any:
    return _codec.decode(text)


class RemoteTelegram:
    """The Telegram port of a worker: every method asks the gateway."""

    def __init__(self, client: Any, prefix: str, worker: str, bot_id: int,
                 token_of: Callable[[Any], str | None], answer_seconds: float = ANSWER_SECONDS) -> None:
        self._client = client
        self._prefix = prefix
        self._worker = worker
        self._bot_id = bot_id
        self._token_of = token_of  # partition -> our lease token now (None: not ours)
        self._answer_seconds = answer_seconds
        self._waiting: dict[str, asyncio.Future] = {}
        self._listener: asyncio.Task | None = None
        # The calls asked in one turn of the event loop go to the stream in one round trip.
        self._commands = BatchedCommands(client, REDIS_SECONDS)
        self.calls = 0
        for method in METHODS:
            setattr(self, method.name, self._remote(method.name))

    @property
    def bot_id(self) -> int:
        return self._bot_id

    @property
    def _replies(self) -> str:
        return f"{self._prefix}replies:{self._worker}"

    def start(self) -> None:
        self._listener = asyncio.get_running_loop().create_task(self._listen())

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
        with contextlib.suppress(Exception):
            await self._client.delete(self._replies)

    def _remote(self, name: str) -> Callable[..., Any]:
        async def call(*args: Any, **kwargs: Any) -> Any:
            return await self._ask(name, args, kwargs)

        call.__name__ = name
        return call

    async def _ask(self, method: str, args: tuple, kwargs: dict) -> Any:
        partition = current_partition.get()
        token = self._token_of(partition) if partition is not None else ""
        if token is None:  # the partition moved away while this work was under way: its new owner does it
            raise TelegramError(TelegramError.INTERNAL, f"partition {partition} is no longer this worker's")
        marked = urgency.current.get()
        call_id = uuid.uuid4().hex
        xadd = ("XADD", f"{self._prefix}calls", "*", "id", call_id, "worker", self._worker, "method", method,
                "args", _pack(args), "kwargs", _pack(kwargs), "partition", "" if partition is None else str(partition),
                "token", token, "urgency", "" if marked is None else str(int(marked)))
        future = asyncio.get_running_loop().create_future()
        self._waiting[call_id] = future
        self.calls += 1
        try:
            for _ in range(ASKS):
                await self._commands.run([xadd], "XADD call")
                with contextlib.suppress(TimeoutError):
                    answer = await asyncio.wait_for(asyncio.shield(future), self._answer_seconds)
                    return _answered(answer)
            raise TelegramError(TelegramError.TIMEOUT, f"the gateway did not answer {method}")
        finally:
            self._waiting.pop(call_id, None)

    async def _listen(self) -> None:
        last = "0-0"
        while True:
            try:
                found = await self._client.xread({self._replies: last}, count=500, block=1000)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("reading the gateway's answers failed (%s); retrying", error)
                await asyncio.sleep(0.5)
                continue
            for _, entries in found or []:
                for entry_id, fields in entries:
                    last = _text(entry_id)
                    waiting = self._waiting.get(_text(fields[b"id"]))
                    if waiting is not None and not waiting.done():
                        waiting.set_result(_text(fields[b"answer"]))
            if found:
                await self._client.xtrim(self._replies, minid=last)


def _answered(answer: str) -> Any:
    body = json.loads(answer)
    if "error" in body:
        raise TelegramError(body["error"], body.get("detail", ""), body.get("retry_after", 0.0))
    return _unpack(body["ok"])


class StaleGateway(Exception):
    """Another gateway took over: this one must stop carrying calls out."""


class CallDesk:
    """The gateway's side: carries the workers' calls out on `telegram` (the rate-limited adapter)."""

    def __init__(self, client: Any, prefix: str, telegram: Any, epoch: int, consumer: str = "gateway",
                 in_flight: int = 512) -> None:
        self._client = client
        self._prefix = prefix
        self._telegram = telegram
        self._epoch = str(epoch)
        self._consumer = consumer
        self._slots = asyncio.Semaphore(in_flight)
        # The calls on their way share round trips: their admissions and their ends, each one script.
        self._commands = BatchedCommands(client, REDIS_SECONDS)
        self._tasks: set[asyncio.Task] = set()
        self.carried_out = 0
        self.refused = 0
        self.stale = False  # set when the Lua script found a newer gateway's epoch

    @property
    def _calls(self) -> str:
        return f"{self._prefix}calls"

    async def take_over(self) -> None:
        """Become the current gateway: later calls from an older gateway are refused."""
        await self._client.set(gateway_epoch_key(self._prefix), self._epoch)
        with contextlib.suppress(Exception):  # BUSYGROUP: made by an earlier gateway
            await self._client.xgroup_create(self._calls, GROUP, id="0", mkstream=True)

    async def serve(self, stop: asyncio.Event) -> None:
        await self.take_over()
        # What an earlier gateway took and never acknowledged, first (it may have died holding it).
        await self._handle(await self._read("0"))
        while not stop.is_set() and not self.stale:
            entries = await self._read(">")
            await self._handle(entries)
        await self.settle()
        if self.stale:
            raise StaleGateway("another gateway took over")

    async def settle(self) -> None:
        while self._tasks:
            await asyncio.wait(list(self._tasks))

    async def _read(self, start: str) -> list:
        if start == "0":
            # Pending entries of every consumer: claim them all (only one gateway acts at a time).
            claimed = await self._client.xautoclaim(self._calls, GROUP, self._consumer, 0, "0-0", count=10_000)
            return claimed[1]
        found = await self._client.xreadgroup(GROUP, self._consumer, {self._calls: start}, count=500, block=200)
        return found[0][1] if found else []

    async def _handle(self, entries: list) -> None:
        for entry_id, fields in entries:
            if not fields:
                continue  # deleted meanwhile
            await self._slots.acquire()
            task = asyncio.get_running_loop().create_task(self._one(_text(entry_id), fields))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _one(self, entry_id: str, fields: dict) -> None:
        try:
            f = {_text(k): _text(v) for k, v in fields.items()}
            done_key = f"{self._prefix}call:{f['id']}"
            partition = f["partition"]
            lease = (f"{self._prefix}lease:{partition}" if partition else "")
            (admitted,) = await self._commands.run(
                [("EVAL", _ADMIT, 3, gateway_epoch_key(self._prefix), done_key, lease or done_key,
                  self._epoch, f["token"] if partition else "", DONE_SECONDS)], "EVAL admit")
            verdict = _text(admitted)
            if verdict == "stale_gateway":
                self.stale = True  # nothing more is carried out; the call stays pending for the new gateway
                return
            record = verdict in ("go", "interrupted")
            if verdict == FENCED:
                self.refused += 1
                answer = json.dumps({"error": TelegramError.INTERNAL, "detail": "fenced: a stale partition lease"})
            elif not record:
                answer = verdict  # carried out before: the same answer again
            else:
                answer = await self._carry_out(f, in_doubt=verdict == "interrupted")
                self.carried_out += 1
            await self._commands.run(
                [("EVAL", _FINISH, 3, done_key, f"{self._prefix}replies:{f['worker']}", self._calls,
                  "1" if record else "0", answer, DONE_SECONDS, REPLY_MAXLEN, f["id"], GROUP, entry_id)],
                "EVAL finish")
        except Exception:
            log.exception("carrying out a worker's call failed; it stays pending for the next gateway")
        finally:
            self._slots.release()

    async def _carry_out(self, f: dict, in_doubt: bool = False) -> str:
        args, kwargs = _unpack(f["args"]), _unpack(f["kwargs"])
        marked = urgency.Urgency(int(f["urgency"])) if f["urgency"] else None
        method = getattr(self._telegram, f["method"])
        if in_doubt and f["method"] == "restrict" and await self._in_force(*args, **kwargs):
            # A gateway died between Telegram and the call's record: Telegram shows it done, so it is not
            # written again (restrictions have no random_id; a second write could land over an admin's change).
            return json.dumps({"ok": _pack(None)})
        try:
            if marked is not None:
                with urgency.urgency(marked):
                    value = await method(*args, **kwargs)
            else:
                value = await method(*args, **kwargs)
        except TelegramError as error:
            return json.dumps({"error": error.kind, "detail": str(error), "retry_after": error.retry_after})
        except Exception as error:  # the adapter failed in a way the port does not name
            return json.dumps({"error": TelegramError.INTERNAL, "detail": type(error).__name__})
        return json.dumps({"ok": _pack(value)})


    async def _in_force(self, chat_id: int, member_id: int, restrictions: frozenset[str], until: Any = None) -> bool:
        try:
            found = await self._telegram.get_participant(chat_id, member_id)
        except TelegramError:
            return False
        return found.restrictions == frozenset(restrictions) and found.until == until


def gateway_epoch_key(prefix: str) -> str:
    return f"{prefix}gateway:epoch"


def bot_id_key(prefix: str) -> str:
    return f"{prefix}gateway:bot_id"


__all__ = ["CONTROL", "CallDesk", "RemoteTelegram", "StaleGateway", "bot_id_key", "gateway_epoch_key"]
