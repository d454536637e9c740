"""Plays a scenario against the bot on the simulated Telegram and checks every expectation."""

import asyncio
import random
import shutil
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from adapters.simulated_telegram.clock import SimulatedClock
from adapters.simulated_telegram.direct import to_command
from adapters.simulated_telegram.faults import Fault
from adapters.simulated_telegram.gateway import SimulatedTelegram
from adapters.simulated_telegram.model import Participant, Person, Sender, usual_rights
from adapters.simulated_telegram.world import WorldError
from application.command_menu import register_command_menu
from application.gatekeeper import Gatekeeper
from application.warnings import ANYONE
from domain import subscription as sub
from entrypoints.scenarios import model as m
from entrypoints.scenarios.expectations import check
from entrypoints.scenarios.report import Report, StepResult
from entrypoints.scenarios.world_builder import build_world
from infrastructure.backends import Backends, isolated, open_spool, open_store
from infrastructure.bootstrap import Application, bootstrap
from infrastructure.settings import Settings


class StepFailed(Exception):
    """An action step could not be carried out as the scenario expects (e.g. no button to press)."""


class ScenarioRun:
    def __init__(self, scenario: m.Scenario, settings: Settings | None = None, keep: bool = False,
                 transport: str = "direct", bot: Any = None) -> None:
        self.scenario = scenario
        self.settings = settings or Settings()
        self.keep = keep
        self.clock = SimulatedClock()
        self.world = build_world(scenario.world, self.clock)
        self.transport = transport
        # Either transport offers calls, faults and callback_answers; telethon also a gateway and deliver().
        self.telegram: Any = SimulatedTelegram(self.world, self.clock)
        if transport == "telethon":
            from adapters.simulated_telegram.tl import TelethonTransport

            self.telegram = TelethonTransport(self.world, self.clock, self.hand_over)
        elif transport == "botapi":
            # Another bot, in its own process, behind the local Bot API server (benchmarks.peers.bot_process).
            from adapters.simulated_telegram.botapi.transport import BotApiTransport

            if bot is None:
                raise ValueError("the botapi transport plays another bot: name it (--bot nezuko or a command)")
            self.telegram = BotApiTransport(self.world, bot)
        elif transport != "direct":
            raise ValueError(f"unknown transport '{transport}'; choose direct, telethon or botapi")
        self.refs: dict[str, tuple[int, int]] = {}
        self._tmp: Path | None = None
        self.backends: Backends | None = None
        self._owner: Application | None = None  # the first boot's application: it opened the backends
        self.down = False  # while down, the world's updates wait for the restart
        self.gatekeeper: Gatekeeper | None = None
        self.commands: list[Any] = []  # every command either transport handed the bot, in order

    # Life cycle.

    async def open(self) -> None:
        if self.transport == "botapi":
            await self.telegram.open()
            return
        settings = isolated(self.settings)
        if settings.event_store != "memory":
            # mkdtemp, not TemporaryDirectory: that one deletes itself when collected, even a kept run's.
            self._tmp = Path(tempfile.mkdtemp(prefix="chanwarden-sim-"))
            # The run's own log (SQLite) and spool, as a bot keeps them: in files that outlive a restart.
            settings = settings.model_copy(update={"sqlite_path": self._tmp / "events.db",
                                                   "spool_path": self._tmp / "spool.db"})
        self._run_settings = settings
        self._owner = bootstrap(settings, clock=self.clock, gateway=self._gateway(), throwaway=not self.keep,
                                spool=True)
        self.backends = await self._owner.open()
        await self._start(self._owner)

    @property
    def store(self) -> Any:
        return self.backends.store

    def _gateway(self) -> Any:
        return getattr(self.telegram, "gateway", self.telegram)

    async def _boot(self) -> None:
        """A new process on the same backends (a restart): everything else is built afresh."""
        await self._start(bootstrap(self._run_settings, clock=self.clock, gateway=self._gateway(),
                                    backends=self.backends))

    async def _start(self, application: Application) -> None:
        self.gatekeeper = await application.build()
        self.health = application.health
        await self.gatekeeper.start()
        await register_command_menu(self.gatekeeper.ctx.gateway)  # as `chanwarden run` does at each start

    async def restart(self) -> None:
        """Everything in memory is gone; only the event store (the database) and Redis remain."""
        if self.transport == "botapi":  # the other bot's process is stopped (SIGTERM) and started again
            await self.telegram.stop_bot()
            self.down = False
            await self.telegram.start_bot()
            return
        await self.gatekeeper.settle()
        self.down = False
        if self._run_settings.event_store == "sqlite":
            await self.store.close()
            self.backends.store = await open_store(self._run_settings)  # linked with the same key
        if hasattr(self.backends.cache, "forget_local"):
            await self.backends.cache.forget_local()
        await self._boot()

    async def crash_restart(self) -> None:
        """A kill -9 and a new process: nothing settled, drained or closed; the store and the spool are opened
        again from their files (the old objects are dropped as they are, as a killed process leaves them)."""
        settings = self._run_settings
        if settings.event_store == "sqlite":
            self.backends.store = await open_store(settings)  # linked with the same key
        if settings.event_store != "memory":
            self.backends.spool = open_spool(settings)
        self.down = False
        await self._boot()

    async def close(self) -> None:
        if self.transport == "botapi":
            await self.telegram.close()
        if self._owner is not None:
            await self._owner.close()
        if self._tmp is not None and not self.keep:
            shutil.rmtree(self._tmp, ignore_errors=True)

    async def discard(self) -> None:
        """Remove what a kept run left behind, once it has been inspected."""
        if self._run_settings.event_store == "postgres":
            from adapters.postgres import drop_database

            await drop_database(self._run_settings.postgres_dsn.get_secret_value())
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)

    async def deliver(self) -> None:
        """Hand the bot every update the world produced, until the world and the bot are both quiet."""
        if self.transport == "botapi":
            if not self.down:
                await self.telegram.settle()
            return
        while True:
            await self.gatekeeper.settle()
            if not self.world.outbox or self.down:
                return
            pending, self.world.outbox = self.world.outbox, []
            for update in pending:
                if self.transport == "telethon":
                    await self.telegram.deliver(update)
                    continue
                command = to_command(update, self.world)
                if command is not None:
                    await self.hand_over(command)

    async def hand_over(self, command: Any) -> None:
        """Give the bot one command, from either transport (kept, so the transports can be compared)."""
        self.commands.append(command)
        await self.gatekeeper.handle(command)

    # Steps.

    async def run(self) -> Report:
        store = "the bot's own" if self.transport == "botapi" else self.settings.event_store
        report = Report(self.scenario.name, self.transport, store)
        await self.open()
        try:
            for number, step in enumerate(self.scenario.steps, start=1):
                report.steps.append(await self.step(number, step))
            await self.fill(report)
            if self.keep:
                report.kept = kept_settings(self._run_settings)
        finally:
            await self.close()
        return report

    async def step(self, number: int, step: Any) -> StepResult:
        label = describe(step)
        if hasattr(step, "expect") and self.transport == "botapi" and isinstance(step, m.ExpectEvent):
            return StepResult(number, label, True, "not checked: an event of chanwarden's own log", skipped=True)
        if self.transport == "botapi" and isinstance(step, m.ExpectGateCorrect):
            wrong = self.gate_mistakes(step.chat)
            return StepResult(number, label, not wrong, f"{len(wrong)} wrong" + (f": {wrong[:5]}" if wrong else ""))
        if hasattr(step, "expect"):
            ok, detail = await check(self, step)
            return StepResult(number, label, ok, detail)
        try:
            detail = await self.act(step)
        except StepFailed as failure:
            await self.deliver()
            return StepResult(number, label, False, str(failure))
        except WorldError as refusal:
            detail = f"refused: {refusal}"
        await self.deliver()
        return StepResult(number, label, True, detail or "")

    async def act(self, step: Any) -> str | None:
        world = self.world
        match step:
            case m.Message() | m.Command():
                sender = self.sender(step.chat, step.from_)
                kind = getattr(step, "kind", "text")
                message = world.post(step.chat, sender, kind, step.text,
                                     forwarded_from=getattr(step, "forwarded_from", None), now=self.clock.time())
                if isinstance(step, m.Command) and step.reply_to:
                    message.reply_to = self.refs[step.reply_to][1]
                if step.ref:
                    self.refs[step.ref] = (step.chat, message.id)
            case m.Edit():
                return self.edit(step)
            case m.Membership():
                self.membership(step)
            case m.Promotion():
                (world.promote if step.do == "promote" else world.demote)(step.chat, step.user, step.by)
            case m.ChatStep():
                (world.remove_bot if step.do == "remove_bot" else world.make_private)(step.chat)
            case m.Click():
                return self.click(step)
            case m.Private():
                message_id = world.write_to_bot(step.from_, step.text, now=self.clock.time())
                return f"wrote message {message_id} to the bot"
            case m.Wait():
                self.clock.advance(step.seconds)
            case m.Restart():
                await self.restart()
            case m.Stop():
                self.down = True
                if self.transport == "botapi":
                    await self.telegram.stop_bot()
            case m.FaultStep():
                self.telegram.faults.add(Fault(step.method, step.error, step.count, step.chat, step.seconds))
            case m.BotRightsStep():
                usual = usual_rights(world.chat(step.chat).kind)
                rights = frozenset(step.rights) if step.rights is not None else usual if step.admin else None
                world.set_bot_admin(step.chat, step.admin, rights)
            case m.Raid():
                return await self.raid(step)
            case m.RestrictStep():
                world.restrict_by(step.chat, step.user, step.by, frozenset(step.rights), self.until(step.until))
        return None

    def until(self, seconds: float | None) -> float | None:
        """A step's "seconds from now" as the world clock's date (Telegram's rule for short or long ones applies)."""
        return None if seconds is None else self.clock.time() + seconds

    def edit(self, step: m.Edit) -> str:
        if step.ref not in self.refs:
            raise StepFailed(f"no message with ref '{step.ref}'")
        chat_id, message_id = self.refs[step.ref]
        edited = self.world.edit(chat_id, message_id, step.text, step.kind, now=self.clock.time())
        return f"edited message {edited.id} into a {edited.kind}"

    async def raid(self, step: m.Raid) -> str:
        """Joins spread evenly over the span; subscriptions exist beforehand, so the bot sees only joins."""
        rng = random.Random(step.seed)
        subscribed = 0
        for i in range(step.count):
            user = step.first_id + i
            self.world.people[user] = Person(user, f"Newcomer {i + 1}")
            if rng.random() < step.subscribed_share:
                subscribed += 1
                for channel in step.subscribed_to:
                    self.world.chat(channel).participants[user] = Participant(sub.MEMBER)
            self.world.join(step.chat, user)
            if self.transport == "botapi":  # another bot lives in real time: the joins come over the span
                self.telegram.server.pump()
                await asyncio.sleep(step.seconds / step.count)
            else:
                await self.deliver()
            self.clock.advance(step.seconds / step.count)
        return f"{step.count} joined, {subscribed} of them subscribed"

    def membership(self, step: m.Membership) -> None:
        world = self.world
        before = len(world.outbox)
        if step.do == "join":
            world.join(step.chat, step.user, step.via)
        elif step.do == "leave":
            world.leave(step.chat, step.user)
        elif step.do == "ban":
            world.ban(step.chat, step.user, by=step.by or world.bot_id, until=self.until(step.until))
        else:
            world.unban(step.chat, step.user, by=step.by or world.bot_id)
        if step.silent:
            del world.outbox[before:]

    def sender(self, chat_id: int, peer: Any) -> Sender:
        if peer == "anonymous_admin":
            return Sender("anonymous_admin", chat_id)
        if peer == "linked_channel":
            linked = [c.id for c in self.world.chats.values() if c.linked_to == chat_id]
            if not linked:
                raise WorldError(f"no channel is linked to {chat_id}")
            return Sender("linked_channel", linked[0])
        if isinstance(peer, dict):
            return Sender("channel", peer["channel"])
        return Sender("user", peer)

    def click(self, step: m.Click) -> str:
        target = step.target if step.target is not None else step.user
        if self.transport == "botapi":
            return self.click_any_bot(step, target)
        tokens = self.gatekeeper.ctx.tokens
        read = tokens.read_why if step.button == "why" else tokens.read
        label = "Why?" if step.button == "why" else "Verify"
        for message in reversed(self.world.live_bot_messages(step.chat)):
            for row in message.buttons:
                for button in row:
                    data = button.get("data")
                    if data and (found := read(data)) and found[1] in (target, ANYONE):
                        self.world.press(step.chat, step.user, message.id, data)
                        return f"pressed {label} on message {message.id}"
        raise StepFailed(f"there is no live warning for {self.world.name(target)} in chat {step.chat}")

    def click_any_bot(self, step: m.Click, target: int) -> str:
        """Another bot's buttons carry its own data: the warning that names the target is pressed (else none)."""
        name = self.world.name(target)
        for message in reversed(self.world.live_bot_messages(step.chat)):
            data = next((b["data"] for row in message.buttons for b in row if b.get("data")), None)
            if data and name in message.text:
                self.world.press(step.chat, step.user, message.id, data)
                return f"pressed {data!r} on message {message.id}"
        raise StepFailed(f"there is no live warning naming {name} in chat {step.chat}")

    def gate_mistakes(self, chat_id: int) -> list[str]:
        """gate_correct for another bot: the channels are those the scenario's last /protect in the chat named."""
        channels: list[int] = []
        for step in self.scenario.steps:
            if isinstance(step, m.Command) and step.chat == chat_id and step.text.split()[0] == "/protect":
                names = {word.lstrip("@").lower() for word in step.text.split()[1:]}
                channels = [c.id for c in self.world.chats.values()
                            if c.kind == "channel" and ((c.username or "").lower() in names or str(c.id) in names)]
        world, wrong = self.world, []
        for user in list(world.chat(chat_id).participants):
            found = world.participant(chat_id, user)
            if user == world.bot_id or found is None or not found.inside or found.status in ("admin", "creator"):
                continue
            subscribed = all((p := world.participant(c, user)) is not None and p.inside for c in channels)
            if world.can_write(chat_id, user) != subscribed:
                wrong.append(f"{world.name(user)} can_write={not subscribed}")
        return wrong

    async def fill(self, report: Report) -> None:
        world = self.world
        for chat in world.chats.values():
            if chat.kind != "group":
                continue
            for person in world.people.values():
                report.can_write.append(
                    {"chat": chat.id, "user": person.id, "value": world.can_write(chat.id, person.id)}
                )
            report.bot_messages[str(chat.id)] = [msg.text for msg in world.live_bot_messages(chat.id)]
        report.api_calls = dict(sorted(self.telegram.calls.items()))
        if self.transport != "botapi":
            report.events = dict(sorted((await self.event_counts()).items()))

    async def event_counts(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        position = 0
        while records := await self.store.read_all(after=position, limit=1000):
            counts.update(type(r.event).__name__ for r in records)
            position = records[-1].position
        return counts


def describe(step: Any) -> str:
    data = step.model_dump(by_alias=True, exclude_defaults=True)
    head = data.pop("do", None) or data.pop("expect")
    prefix = "" if hasattr(step, "do") else "expect "
    return prefix + head + " " + " ".join(f"{k}={v}" for k, v in data.items())


def kept_settings(settings: Settings) -> dict[str, str]:
    """Environment variables that point `chanwarden audit` (or anything else) at a kept run's data."""
    kept = {"CHANWARDEN_EVENT_STORE": settings.event_store}
    if settings.event_store == "sqlite":
        kept["CHANWARDEN_SQLITE_PATH"] = str(settings.sqlite_path)
    elif settings.event_store == "postgres":
        parts = urlsplit(settings.postgres_dsn.get_secret_value())
        # The password stays out of what is printed; the database name is what tells runs apart.
        kept["CHANWARDEN_POSTGRES_DSN"] = urlunsplit(parts._replace(netloc=parts.hostname + f":{parts.port}"))
    if settings.cache == "redis":
        kept["CHANWARDEN_CACHE"], kept["CHANWARDEN_REDIS_PREFIX"] = "redis", settings.redis_prefix
    return kept
