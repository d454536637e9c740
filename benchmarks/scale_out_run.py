"""One workload through a gateway and N worker processes on PostgreSQL + Redis.

This process plays the simulated Telegram (the world and the workload's people) and runs the gateway: the
world's updates are published on the bus, and the workers' calls are carried out on the world through the one
rate limiter. Each worker is a `chanwarden worker` process of its own, so N workers use N cores. The figures
and the truth checks are the benchmark's own (`benchmarks/driver.py`, `benchmarks/truth.py`).
"""

import asyncio
import contextlib
import os
import resource
import signal
import sys
import time
from collections import Counter
from typing import Any

from adapters.redis.update_streams import UpdateStreams
from adapters.simulated_telegram.direct import to_command
from application.callback_tokens import CallbackTokens
from application.ownership import PARTITIONS, all_partitions
from application.partitioned_reactor import tracking_name
from benchmarks.config import BenchConfig
from benchmarks.driver import Run
from benchmarks.workloads import Workload
from entrypoints.gateway import Gateway
from infrastructure.backends import isolated, open_backends
from infrastructure.settings import Settings

QUIET_CHECKS = 3  # consecutive looks at a quiet system before it counts as drained
READY_SECONDS = 90.0
DRAIN_SECONDS = 120.0
PUBLISH_BACKLOG = 5_000


class EffectMeter:
    """The simulated Telegram as the gateway sees it, counting effects written twice: a restriction written
    over the very same restriction (a mute or a release done again)."""

    def __init__(self, inner: Any, world: Any) -> None:
        self._inner = inner
        self._world = world
        self.repeated: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    @property
    def bot_id(self) -> int:
        return self._inner.bot_id

    async def restrict(self, chat_id: int, member_id: int, restrictions: frozenset[str], until: Any = None) -> None:
        before = self._world.chat(chat_id).status_of(member_id) if chat_id in self._world.chats else None
        await self._inner.restrict(chat_id, member_id, restrictions, until)
        after = self._world.chat(chat_id).status_of(member_id)
        if before is not None and before == after:
            self.repeated["restrict"] += 1


def worker_env(settings: Settings) -> dict[str, str]:
    return {**os.environ, "CHANWARDEN_EVENT_STORE": "postgres", "CHANWARDEN_CACHE": "redis",
            "CHANWARDEN_POSTGRES_DSN": settings.postgres_dsn.get_secret_value(),
            "CHANWARDEN_REDIS_URL": settings.redis_url.get_secret_value(),
            "CHANWARDEN_REDIS_PREFIX": settings.redis_prefix, "CHANWARDEN_LOG_LEVEL": "WARNING",
            "CHANWARDEN_INSTRUMENT": "false", "CHANWARDEN_METRICS_PORT": "0"}


def cpu_seconds(pid: int | None = None) -> float:
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _Tokens:
    """What the workload's people press: Verify buttons signed with the bot's secret."""

    def __init__(self, settings: Settings) -> None:
        self.ctx = type("Ctx", (), {"tokens": CallbackTokens(settings.callback_secret.get_secret_value().encode())})


class ScaleOutRun(Run):
    def __init__(self, config: BenchConfig, workload: Workload, workers: int, partitions: int = PARTITIONS,
                 limited: bool = False) -> None:
        super().__init__(config, "services", "chanwarden", workload)
        # Like `chanwarden bench`, no rate limiter by default: the simulated Telegram enforces no limits, and the
        # figures are the bot's own cost. The fault test runs with it, as production does.
        self.limited = limited
        self.workers = workers
        self.partitions = partitions
        self.procs: list[asyncio.subprocess.Process] = []
        self.gateway: Gateway | None = None
        self.standby: Gateway | None = None
        self._serving: asyncio.Task | None = None
        self._stop = asyncio.Event()
        self.meter = EffectMeter(self.telegram, self.world)
        self.failover_s: float | None = None
        self._outgoing: list[Any] = []
        self._publisher: asyncio.Task | None = None
        self.cpu_at_start: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    # Life cycle.

    async def open(self) -> None:
        self.settings = isolated(Settings(event_store="postgres", cache="redis", metrics_port=0))
        # Opened (and the schema made) here first, so the workers do not race to make it.
        self.backends = await open_backends(self.settings, self.clock, throwaway=True, membership_cache=False)
        self.gatekeeper = _Tokens(self.settings)
        self.gateway = await self._take_over(Gateway(self.settings, self.meter, self.partitions, limited=self.limited))
        self.bus = UpdateStreams(self.gateway._client, self.settings.redis_prefix, self.partitions)
        for index in range(self.workers):
            await self.start_worker(f"w{index + 1}")
        await self.ready()

    async def _take_over(self, gateway: Gateway) -> Gateway:
        stop = asyncio.Event()
        await gateway.stand_by(stop)
        await gateway.open()
        self._stop = asyncio.Event()
        self._serving = asyncio.get_running_loop().create_task(gateway.serve(self._stop))
        return gateway

    async def start_worker(self, name: str) -> asyncio.subprocess.Process:
        # SO_PROFILE=<script running the CLI>: each worker under cProfile, written to /tmp/so-<name>.prof.
        script = os.environ.get("SO_PROFILE")
        profile = ["-m", "cProfile", "-o", f"/tmp/so-{name}.prof", script] if script else []
        proc = await asyncio.create_subprocess_exec(
            sys.executable, *(profile or ["-c", "from entrypoints.cli import app; app()"]), "worker", "--name", name,
            env=worker_env(self.settings), stdout=asyncio.subprocess.DEVNULL)
        self.procs.append(proc)
        return proc

    async def ready(self, workers: int | None = None) -> None:
        """Until every partition is leased and the live workers share them as the assignment says."""
        want = workers or sum(1 for p in self.procs if p.returncode is None)
        client, prefix = self.gateway._client, self.settings.redis_prefix
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            owners = {}
            for partition in all_partitions(self.partitions):
                held = await client.get(f"{prefix}lease:{partition}")
                if held is not None:
                    owners[str(partition)] = held.decode().split("|")[0]
            if len(owners) == self.partitions + 1 and len(set(owners.values())) == want:
                return
            await asyncio.sleep(0.2)
        raise RuntimeError(f"workers did not take every partition within {READY_SECONDS}s")

    async def close(self) -> None:
        for proc in self.procs:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(proc.wait(), 30)
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        self._stop.set()
        if self._serving is not None:
            with contextlib.suppress(Exception):
                await self._serving
        for gateway in (self.gateway, self.standby):
            if gateway is not None:
                await gateway.close()
        await self.backends.close()

    # Faults.

    def kill_worker(self, index: int) -> None:
        self.procs[index].send_signal(signal.SIGKILL)

    async def kill_gateway_and_fail_over(self) -> float:
        """The gateway dies at once (its calls in flight cut off, its PostgreSQL session gone) while a standby
        waits; returns how long until the standby carries calls out."""
        assert self.gateway is not None and self._serving is not None
        standby = Gateway(self.settings, self.meter, self.partitions, limited=self.limited)
        waiting = asyncio.get_running_loop().create_task(standby.stand_by(asyncio.Event()))
        await asyncio.sleep(0.5)  # the standby is trying the lease
        killed = time.monotonic()
        self._serving.cancel()
        for task in list(self.gateway.desk._tasks):
            task.cancel()
        self.gateway.lease._connection.terminate()
        with contextlib.suppress(BaseException):
            await self._serving
        await waiting
        await standby.open()
        self._stop = asyncio.Event()
        self._serving = asyncio.get_running_loop().create_task(standby.serve(self._stop))
        self.failover_s = time.monotonic() - killed
        old, self.gateway, self.standby = self.gateway, standby, None
        with contextlib.suppress(Exception):
            await old._client.aclose()
        return self.failover_s

    # Playing.

    async def protect(self) -> None:
        for group, channels in self.w.groups.items():
            names = " ".join(f"@{self.world.chats[ch].username}" for ch in channels)
            from adapters.simulated_telegram.model import Sender

            self.world.post(group, Sender("user", self.w.admins[group]), "text", f"/protect {names}")
        await self.drain()
        await asyncio.sleep(1.0)  # every worker's read models take the groups in (each ticks every 0.2 s)
        self.telegram.reset()
        self.meter.repeated.clear()

    async def play(self, faults: dict[int, Any] | None = None) -> None:
        """The workload's timeline (as `Run.play`), with `faults[i]()` awaited before step i."""
        pids = {f"worker{i + 1}": p.pid for i, p in enumerate(self.procs)}
        self.cpu_at_start = {"gateway": cpu_seconds(), **{n: cpu_seconds(pid) for n, pid in pids.items()}}
        faults = faults or {}
        start = time.perf_counter()
        for index, (t, action, target, user) in enumerate(self.w.timeline):
            if index in faults:
                await faults[index]()
            await self.step(index, t, action, target, user)
        self.handlers_wall = time.perf_counter() - start  # every update published, not yet all decided
        await self.drain()
        self.press_when_warned(final=True)
        await self.drain()
        self.wall = time.perf_counter() - start
        self.cpu = {"gateway": cpu_seconds() - self.cpu_at_start["gateway"]}
        for name, pid in pids.items():
            with contextlib.suppress(OSError):
                self.cpu[name] = cpu_seconds(pid) - self.cpu_at_start[name]

    async def dispatch(self) -> None:
        """Hand the world's updates to the publisher, which sends whatever piled up in one pipeline, in order:
        as Telethon hands a gateway many updates at once, the workload is not held to one round trip each."""
        while self.world.outbox:
            pending, self.world.outbox = self.world.outbox, []
            commands = [command for update in pending if (command := to_command(update, self.world)) is not None]
            self._outgoing.extend(commands)
            for command in commands:
                self.handled[type(command).__name__] += 1
        if self._outgoing and (self._publisher is None or self._publisher.done()):
                self._publisher = asyncio.get_running_loop().create_task(self._publish())
        if len(self._outgoing) > PUBLISH_BACKLOG:
            await asyncio.sleep(0)  # let the publisher run

    async def _publish(self) -> None:
        while self._outgoing:
            batch, self._outgoing = self._outgoing, []
            await self.gateway.publish_many(batch)

    async def drain(self, seconds: float = DRAIN_SECONDS) -> None:
        """Until nothing waits anywhere: the world, the bus, the calls, the partitions' reactors."""
        deadline = time.monotonic() + seconds
        quiet = 0
        while quiet < QUIET_CHECKS:
            await self.dispatch()
            busy = await self._busy()
            if time.monotonic() > deadline:
                raise RuntimeError(f"the workers did not drain in {seconds:.0f} s: {busy}")
            quiet = 0 if busy else quiet + 1
            await asyncio.sleep(0.1)

    async def _busy(self) -> str:
        """What still waits, in words; "" when nothing does."""
        if self.world.outbox or self._outgoing or (self._publisher is not None and not self._publisher.done()):
            return "updates not yet published"
        if lag := {p: n for p, n in (await self.bus.lag()).items() if n}:
            return f"unacknowledged updates {lag}"
        client, prefix = self.gateway._client, self.settings.redis_prefix
        if self.gateway.desk._tasks or await client.xlen(f"{prefix}calls"):
            return f"calls: {len(self.gateway.desk._tasks)} in flight, {await client.xlen(f'{prefix}calls')} queued"
        store = self.backends.store
        last = await store.last_position()
        behind = {p: position for p in range(self.partitions)
                  if (position := await store.tracking_position(tracking_name(p))) < last}
        return f"reactors behind {last}: {behind}" if behind else ""

    async def shared_caught_up(self, seconds: float = 120.0) -> None:
        return None

    def duplicate_effects(self) -> dict[str, int]:
        """Restrictions written twice, and members with two live warnings of their own at once."""
        tokens = self.gatekeeper.ctx.tokens
        twice = 0
        for group in self.w.groups:
            live = Counter()
            for message in self.world.live_bot_messages(group):
                for row in message.buttons:
                    for button in row:
                        data = button.get("data")
                        read = tokens.read(data) if data else None
                        if read is not None and read[1]:
                            live[read] += 1
            twice += sum(1 for n in live.values() if n > 1)
        return {"restrictions_written_twice": self.meter.repeated["restrict"], "members_with_two_warnings": twice}
