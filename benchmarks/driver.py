"""Plays one workload against the real application wired with one strategy on one pair of backends.

Updates are handled the way production handles them: each in its own asyncio task, many in flight, bounded
by a semaphore. The simulated clock follows the timeline as updates are dispatched, so cache TTLs see the
workload's own time while the simulated Telegram's round trips are slept for real.
"""

import asyncio
import contextlib
import os
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

from adapters.simulated_telegram.clock import SimulatedClock
from adapters.simulated_telegram.direct import to_command
from adapters.simulated_telegram.model import Sender
from application import commands as c
from benchmarks import strategies
from benchmarks.config import BenchConfig
from benchmarks.instruments import PROBE, LagMeter, MeteredTelegram, Probe, TelegramWaits, TimedStore
from benchmarks.playback import PlaysWorkload
from benchmarks.workloads import JOIN, Workload
from infrastructure.backends import isolated
from infrastructure.bootstrap import bootstrap
from infrastructure.settings import Settings


def backend_settings(backend: str, directory: str) -> Settings:
    if backend == "embedded":
        return Settings(event_store="sqlite", sqlite_path=Path(directory) / "events.db", cache="memory")
    if backend == "services":
        # As docker-compose.yml deploys it: the Redis read models are kept by a follower process of their own.
        return isolated(Settings(event_store="postgres", cache="redis", shared_projection="separate"))
    raise ValueError(f"unknown backend '{backend}'")


async def start_follower(settings: Settings) -> asyncio.subprocess.Process:
    """`chanwarden projections follow` on this run's database and key prefix, in a process of its own."""
    env = {**os.environ, "CHANWARDEN_EVENT_STORE": settings.event_store, "CHANWARDEN_CACHE": settings.cache,
           "CHANWARDEN_POSTGRES_DSN": settings.postgres_dsn.get_secret_value(),
           "CHANWARDEN_REDIS_URL": settings.redis_url.get_secret_value(),
           "CHANWARDEN_REDIS_PREFIX": settings.redis_prefix, "CHANWARDEN_LOG_LEVEL": "WARNING"}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from entrypoints.cli import app; app()", "projections", "follow", env=env,
        stdout=asyncio.subprocess.DEVNULL)


class Run(PlaysWorkload):
    def __init__(self, config: BenchConfig, backend: str, strategy: str, workload: Workload) -> None:
        self.config, self.backend, self.strategy, self.w = config, backend, strategy, workload
        self.world = workload.world
        self.clock = SimulatedClock()
        self.sim_now = 0.0
        self.telegram = MeteredTelegram(self.world, self.clock, rtt=config.rtt, jitter=config.jitter,
                                        seed=config.seed)
        self.lag = LagMeter()
        self.slots = asyncio.Semaphore(config.concurrency)
        self.tasks: set[asyncio.Task] = set()
        self.hits: list[float] = []
        self.misses: list[float] = []
        self.verify_waits: list[float] = []
        self.handled: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.first_error: dict[str, str] = {}  # a traceback of each kind, for the report
        self.blocked = 0  # posts the world refused: the member is muted
        self.needed: set[tuple[int, int]] = set()  # (user, channel) pairs some decision needed
        self.observed: set[tuple[int, int]] = set()  # pairs whose status an update told before any need
        self.touched: set[tuple[int, int]] = set()  # (group, user) the bot had a reason to decide about
        self.presses: list[tuple[int, int]] = []  # (group, user) about to press Verify
        self.wall = self.handlers_wall = 0.0
        self.raid_start: float | None = None
        self.pace: float | None = None  # timeline steps offered per second; None: as fast as the bot takes them

    # Life cycle.

    async def open(self) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="chanwarden-bench-")
        settings = backend_settings(self.backend, self._tmp.name)
        measured = strategies.checker(self.strategy)
        self.application = bootstrap(settings, clock=self.clock, gateway=self.telegram, throwaway=True,
                                     checker=lambda *parts: TelegramWaits(measured(*parts)))
        self.backends = await self.application.open()
        self.follower = await start_follower(settings) if settings.shared_projection == "separate" else None
        self.backends.store = TimedStore(self.backends.store, self.lag)
        self.gatekeeper = await self.application.start()
        self.lag.watch(self.gatekeeper.ctx.read_models)

    async def close(self) -> None:
        await self.lag.stop()
        if self.follower is not None and self.follower.returncode is None:
            self.follower.send_signal(signal.SIGTERM)  # it closes its connections before the database goes
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.follower.wait(), 10)
            if self.follower.returncode is None:
                self.follower.kill()
                await self.follower.wait()
        await self.application.close()
        self._tmp.cleanup()

    async def protect(self) -> None:
        """Every group's admin types /protect with its channels, through the real command handler."""
        for group, channels in self.w.groups.items():
            names = " ".join(f"@{self.world.chats[ch].username}" for ch in channels)
            self.world.post(group, Sender("user", self.w.admins[group]), "text", f"/protect {names}")
        await self.drain()
        models = self.gatekeeper.ctx.read_models
        unprotected = [g for g in self.w.groups if not (view := await models.group(g)) or not view.protected]
        if unprotected:
            raise RuntimeError(f"setup failed: groups {unprotected[:5]} are not protected")
        self.forget_setup()

    def forget_setup(self) -> None:
        """The figures count only the workload: the admins' /protect commands (each a few Telegram round
        trips: resolving the channels, reading the admins, answering) are not members' messages. A setup error
        stays counted: it is the run's too."""
        self.telegram.reset()
        self.hits.clear()
        self.misses.clear()
        self.verify_waits.clear()
        self.handled.clear()
        self.lag.lags.clear()

    # Playing.

    async def play(self) -> None:
        start = time.perf_counter()
        for index, (t, action, target, user) in enumerate(self.w.timeline):
            if self.pace is not None and (ahead := start + index / self.pace - time.perf_counter()) > 0:
                await asyncio.sleep(ahead)
            await self.step(index, t, action, target, user)
        while self.tasks:
            await asyncio.gather(*list(self.tasks))
        self.handlers_wall = time.perf_counter() - start  # every update answered, not yet all carried out
        await self.drain()
        self.press_when_warned(final=True)  # the last warnings have only now been posted
        await self.drain()
        await self.shared_caught_up()
        self.wall = time.perf_counter() - start

    def press(self, group: int, user: int) -> None:
        self.world.press(group, user, 0, self.gatekeeper.ctx.tokens.issue(group, user))

    async def step(self, index: int, t: float, action: str, target: int, user: int) -> None:
        """One timeline step at simulated time `t`, and the updates it made handed to the bot."""
        if t > self.sim_now:
            self.clock.advance(t - self.sim_now)
            self.sim_now = t
        if action == JOIN and self.raid_start is None and user in self.w.raiders:
            self.raid_start = time.perf_counter()
        self.act(action, target, user)
        if self.presses and index % 25 == 0:  # often enough for people, rarely enough to cost nothing
            self.press_when_warned()
        await self.dispatch()

    async def dispatch(self) -> None:
        """Hand every update the world produced to the bot, each in a task of its own."""
        while self.world.outbox:
            pending, self.world.outbox = self.world.outbox, []
            for update in pending:
                command = to_command(update, self.world)
                if command is None:
                    continue
                arrived = time.perf_counter()
                await self.slots.acquire()
                task = asyncio.get_running_loop().create_task(self.handle(command, arrived))
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)

    async def handle(self, command: Any, arrived: float) -> None:
        probe = Probe(type(command).__name__)
        PROBE.set(probe)  # this task's own context: only this update's calls land on it
        start = time.perf_counter()
        try:
            await self.gatekeeper.handle(command)
        except Exception as error:  # counted and reported: the run goes on, as the bot would
            self.errors[type(error).__name__] += 1
            self.first_error.setdefault(type(error).__name__, "".join(traceback.format_exception(error))[-1500:])
        finally:
            probe.open = False
            self.slots.release()
        done = time.perf_counter()
        kind = type(command).__name__
        self.handled[kind] += 1
        if isinstance(command, c.GroupMessage):
            (self.hits if probe.hit else self.misses).append(done - start)
        elif isinstance(command, c.VerifyPressed):
            self.verify_waits.append(done - arrived)

    async def shared_caught_up(self, seconds: float = 120.0) -> None:
        """Until a separate follower's shared read models hold the whole log: its work counts in the run too."""
        if self.follower is None:
            return
        deadline = time.perf_counter() + seconds
        last = await self.backends.store.last_position()
        for models in self.backends.shared_read_models.values():
            while await models.position() < last:
                if self.follower.returncode is not None or time.perf_counter() > deadline:
                    raise RuntimeError(f"the projections follower stopped at {await models.position()} of {last}")
                await asyncio.sleep(0.005)

    async def drain(self) -> None:
        """Until the world has nothing more to tell and every decision has been carried out."""
        while True:
            await self.dispatch()
            while self.tasks:
                await asyncio.gather(*list(self.tasks))
            await self.gatekeeper.settle()
            if not self.world.outbox and not self.tasks:
                return
