"""Plays one seeded workload in real time to a Bot API bot (a process) through the local Bot API server.

The same workloads, the same world and the same correctness judge (benchmarks.truth) as chanwarden's runs;
what differs is the way in: the bot polls getUpdates and calls the Bot API over HTTP, as it would Telegram's.

Timings are taken from the server's call log, since the bot is another process:
- decision latency: from a member's message being queued for the bot to the bot's last call about that member
  (in the group or its channels) before their next message: the admin check, the membership checks, and for a
  non-subscriber the delete, mute and warning, each answered;
- Verify answer time: from the press being queued to answerCallbackQuery for that query answered.
"""

import asyncio
import bisect
import time
from collections import defaultdict
from typing import Any

from adapters.simulated_telegram.botapi.server import BotApiServer
from adapters.simulated_telegram.model import Sender
from adapters.simulated_telegram.world import WorldError
from benchmarks.instruments import percentiles
from benchmarks.playback import PlaysWorkload
from benchmarks.truth import SETTLE_SECONDS, wrong_members
from benchmarks.workloads import Workload


class PeerRun(PlaysWorkload):
    def __init__(self, bot: Any, workload: Workload, pace: float, rtt: float, jitter: float, seed: int) -> None:
        self.bot, self.w, self.pace = bot, workload, pace
        self.world = workload.world
        self.clock = self.world.clock
        self.server = BotApiServer(self.world, rtt=rtt, jitter=jitter, seed=seed)
        self.sim_now = 0.0
        self.touched: set[tuple[int, int]] = set()
        self.needed: set[tuple[int, int]] = set()
        self.observed: set[tuple[int, int]] = set()
        self.posts: list[tuple[float, int, int]] = []  # (queued at, group, user)
        self.presses: list[tuple[int, int]] = []
        self.pressed: dict[str, float] = {}  # callback query id -> queued at
        self.no_button = 0  # Verify presses wanted while no warning with a button was there to press
        self.blocked = 0
        self.play_s = self.backlog_s = 0.0

    # Life cycle.

    async def open(self) -> None:
        base = await self.server.start()
        await self.bot.prepare()
        await self.bot.start(base, self.server.token)
        await self.bot.tables_ready()
        titles = {c.id: c.title for c in self.world.chats.values()}
        usernames = {c.id: c.username for c in self.world.chats.values()}
        await self.bot.seed(self.w.groups, self.w.admins, titles, usernames)
        await self.polling()
        self.server.calls.clear()
        self.server.log.clear()
        self.server.methods.muted.clear()

    async def polling(self, timeout: float = 120.0) -> None:
        """Until the bot polls with its allowed_updates set (its start is done)."""
        deadline = time.perf_counter() + timeout
        while self.server.calls["getUpdates"] < 2:
            if not self.bot.running or time.perf_counter() > deadline:
                raise RuntimeError(f"{self.bot.name} did not start polling; its log: {self.bot.tail()}")
            await asyncio.sleep(0.1)

    async def close(self) -> None:
        try:
            await self.bot.cleanup()
        finally:
            await self.server.stop()

    # Playing.

    async def play(self) -> None:
        start = time.perf_counter()
        for index, (t, action, target, user) in enumerate(self.w.timeline):
            if (ahead := start + index / self.pace - time.perf_counter()) > 0:
                await asyncio.sleep(ahead)
            if t > self.sim_now:
                self.clock.advance(t - self.sim_now)
                self.sim_now = t
            self.act(action, target, user)
            if self.presses:
                self.press_when_warned()
            self.server.pump()
        self.play_s = time.perf_counter() - start
        await self.quiet()
        self.press_when_warned(final=True)
        await self.quiet()
        self.backlog_s = time.perf_counter() - start - self.play_s

    def posted(self, group: int, user: int) -> None:
        self.posts.append((time.perf_counter(), group, user))

    def press(self, group: int, user: int) -> None:
        if not self.press_button(group, user):
            self.no_button += 1

    def press_button(self, group: int, user: int) -> bool:
        """The member presses the Verify button of a warning: theirs if one names them, else the latest one."""
        name = self.world.name(user)
        warnings = [m for m in self.world.live_bot_messages(group)
                    if any(b.get("data") for row in m.buttons for b in row)]
        if not warnings:
            return False
        mine = [m for m in warnings if name in m.text] or warnings
        message = mine[-1]
        data = next(b["data"] for row in message.buttons for b in row if b.get("data"))
        query = self.world.press(group, user, message.id, data)
        self.pressed[str(query)] = time.perf_counter()
        return True

    async def quiet(self, idle: float = 6.0, timeout: float = 900.0) -> None:
        """Until every update was fetched and the bot made no call for `idle` seconds (its backlog is done).

        Longer than the 3 s a limiter of 20 calls a minute leaves between two calls in one chat, so a bot
        working through a backlog at that pace is not taken for an idle one."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            self.server.pump()
            last = self.server.log[-1][0] if self.server.log else 0.0
            if not self.server.feed.queue and time.perf_counter() - last > idle:
                return
            await asyncio.sleep(0.25)
        raise RuntimeError(f"{self.bot.name} still busy after {timeout:.0f} s")

    async def converge(self) -> tuple[int, list[tuple[int, int]]]:
        """The judge's settle step, for a bot in another process: its cache forgotten (as its TTLs would have it
        after the settle time), then each wrongly treated member writes, or presses Verify, once."""
        wrong = wrong_members(self)
        stale = len(wrong)
        if not wrong:
            return 0, []
        await self.bot.forget_cache()
        self.server.instant()
        self.clock.advance(SETTLE_SECONDS)
        for group, user in wrong:
            if self.world.can_write(group, user):
                try:
                    self.world.post(group, Sender("user", user), "text", "still here", now=self.clock.time())
                except WorldError:
                    pass
            else:
                self.press(group, user)
            self.server.pump()
        await self.quiet()
        return stale, wrong_members(self)

    # Figures.

    def figures(self) -> dict:
        server = self.server
        messages = len(self.posts)
        billed = {m: n for m, n in sorted(server.calls.items()) if m not in ("getUpdates",)}
        total = server.billed()
        checks = sum(1 for _, method, chat, user, _ in server.log
                     if method == "getChatMember" and chat in self.world.chats
                     and self.world.chats[chat].kind == "channel" and user != self.world.bot_id)
        lower = len(self.needed)
        muted = len(server.methods.muted)
        sent = server.calls["sendMessage"]
        return {
            "messages": messages,
            "blocked_posts": self.blocked,
            "api_calls": billed,
            "api_calls_total": total,
            "api_calls_per_1k": round(total * 1000 / max(1, messages), 1),
            "membership_checks": checks,
            "lower_bound_calls": lower,
            "calls_vs_lower_bound": round(checks / lower, 3) if lower else None,
            "all_calls_vs_lower_bound": round(total / lower, 3) if lower else None,
            "decision_latency_ms": percentiles(self.decision_latencies()),
            "verify_answer_ms": percentiles(self.verify_answers()),
            "verify_presses": len(self.pressed),
            "verify_without_button": self.no_button,
            "muted_members": muted,
            "messages_posted": sent,
            "posted_per_muted": round(sent / muted, 2) if muted else None,
            "errors_answered": dict(server.errors),
            "flood_refused": server.flood.refused,
            "play_s": round(self.play_s, 1),
            "backlog_s": round(self.backlog_s, 1),
            "offered_per_s": self.pace,
        }

    def decision_latencies(self) -> list[float]:
        by_user: dict[int, list[tuple[float, int | None]]] = defaultdict(list)
        for at, _, chat, user, _ in self.server.log:
            if user is not None:
                by_user[user].append((at, chat))
        next_post: dict[int, float] = {}
        out = []
        for queued, group, user in reversed(self.posts):
            until = next_post.get(user, float("inf"))
            next_post[user] = queued
            calls = by_user.get(user, [])
            chats = {group, *self.w.groups[group]}
            first = bisect.bisect_left([at for at, _ in calls], queued)
            related = [at for at, chat in calls[first:] if at < until and chat in chats]
            if related:
                out.append(max(related) - queued)
        return out

    def verify_answers(self) -> list[float]:
        answered = {query: at for at, method, _, _, query in self.server.log if method == "answerCallbackQuery"}
        return [answered[q] - at for q, at in self.pressed.items() if q in answered]
