"""A raid played on a remote world server, in real time, whether or not the bot is up.

Hundreds of newcomers join the group (most not subscribed); some subscribed ones leave the channel (the
bot is told); some others subscribe where the bot sees it; and some subscribe silently and press Verify,
as people do: on their own warning or the shared raid notice, again if they are still muted a moment
after the bot answered. Everything is drawn from one seed, so a failing run can be replayed.
"""

import asyncio
import random
import time
from dataclasses import dataclass, field

from adapters.simulated_telegram.model import Participant, Person, Sender
from adapters.simulated_telegram.remote.server import WorldServer
from adapters.simulated_telegram.world import World
from domain import subscription as sub
from entrypoints.scenarios.model import WorldSpec
from entrypoints.scenarios.world_builder import build_world

GROUP, CHANNEL, OWNER, BOT = 2001, 1001, 11, 999
FIRST_RAIDER = 100_000
ANYONE = 0  # the member id a shared raid notice's Verify button carries


def raid_world() -> World:
    return build_world(WorldSpec.model_validate({
        "bot": {"id": BOT},
        "channels": [{"id": CHANNEL, "username": "news", "title": "News"}],
        "groups": [{"id": GROUP, "title": "Chat", "creator": OWNER, "members": [1]}],
        "users": [{"id": 1, "name": "Alice", "subscribed": [CHANNEL]}, {"id": OWNER, "name": "Owner"}],
    }))


@dataclass
class RaidPlan:
    raiders: list[int]
    presubscribed: set[int]
    actions: list[tuple[float, str, int]]  # (seconds from start, what, who), in time order

    @classmethod
    def draw(cls, seed: int, count: int = 200, seconds: float = 8.0) -> "RaidPlan":
        rng = random.Random(seed)
        raiders = [FIRST_RAIDER + i for i in range(count)]
        presubscribed = {r for r in raiders if rng.random() < 0.25}
        actions = [(seconds * i / count, "join", r) for i, r in enumerate(raiders)]
        free = [r for r in raiders if r not in presubscribed]
        leavers = rng.sample(sorted(presubscribed), min(15, len(presubscribed)))
        chosen = rng.sample(free, 35)
        joined_at = {r: at for at, _, r in actions}
        for what, who in [("leave", leavers), ("subscribe", chosen[:10]), ("verify", chosen[10:])]:
            actions += [(joined_at[r] + rng.uniform(0.2, 3.0), what, r) for r in who]
        return cls(raiders, presubscribed, sorted(actions))


@dataclass
class RaidDriver:
    server: WorldServer
    plan: RaidPlan
    deferred: set[int] = field(default_factory=set)  # will subscribe and press Verify once muted
    waiting: set[int] = field(default_factory=set)  # subscribed silently, want to press Verify
    presses: dict[int, list[int]] = field(default_factory=dict)  # member -> query ids of their presses
    press_count: int = 0

    def setup(self) -> None:
        world = self.server.world
        for i, raider in enumerate(self.plan.raiders):
            world.people[raider] = Person(raider, f"Newcomer {i + 1}")
            if raider in self.plan.presubscribed:
                world.chat(CHANNEL).participants[raider] = Participant(sub.MEMBER)
        # The owner protects the group: the first update in the log.
        self.server.act(lambda w: w.post(GROUP, Sender("user", OWNER), "text", "/protect @news", now=time.time()))

    async def play(self) -> None:
        start = time.monotonic()
        for at, what, who in self.plan.actions:
            await asyncio.sleep(max(0.0, start + at - time.monotonic()))
            self._do(what, who)
            self.press_buttons()

    def _do(self, what: str, who: int) -> None:
        act = self.server.act
        if what == "join":
            act(lambda w: w.join(GROUP, who))
        elif what == "leave":
            act(lambda w: w.leave(CHANNEL, who))
        elif what == "subscribe":
            act(lambda w: w.join(CHANNEL, who))
        else:
            self.deferred.add(who)

    async def keep_pressing(self) -> None:
        while True:
            self.press_buttons()
            await asyncio.sleep(0.1)

    def press_buttons(self) -> None:
        """Each waiting member presses once a button exists; presses again when answered but still muted."""
        world, answered = self.server.world, {q for q, _ in self.server.sender.callback_answers}
        for member in sorted(self.deferred):
            if not world.can_write(GROUP, member):  # muted: now they subscribe, and the bot is not told
                self.server.act(lambda w, m=member: w.join(CHANNEL, m), silent=True)
                self.deferred.discard(member)
                self.waiting.add(member)
        for member in sorted(self.waiting):
            if world.can_write(GROUP, member):
                self.waiting.discard(member)
                continue
            earlier = self.presses.get(member, [])
            if earlier and (earlier[-1] not in answered or len(earlier) >= 8):
                continue  # the bot has not answered yet (it may be down): wait, as a person would
            button = self._button_for(member)
            if button is not None:
                message_id, data = button
                query = self.server.act(lambda w, m=message_id, d=data, u=member: w.press(GROUP, u, m, d))
                self.presses.setdefault(member, []).append(query)
                self.press_count += 1

    def _button_for(self, member: int) -> tuple[int, bytes] | None:
        shared = None
        for message in reversed(self.server.world.live_bot_messages(GROUP)):
            for row in message.buttons:
                for button in row:
                    data = button.get("data")
                    if not data:
                        continue
                    owner = token_member(data)
                    if owner == member:
                        return message.id, data
                    if owner == ANYONE and shared is None:
                        shared = message.id, data
        return shared

    def subscribed(self, member: int) -> bool:
        found = self.server.world.chat(CHANNEL).status_of(member)
        return found is not None and found.inside


def token_member(data: bytes) -> int | None:
    """The member a Verify button addresses (its signed body: b"v1" or b"v2", chat id, member id, ...)."""
    if (len(data), data[:2]) not in ((34, b"v1"), (42, b"v2")):
        return None
    return int.from_bytes(data[10:18], "big", signed=True)
