"""Seeded workloads: a world of groups, channels and people, and a timeline of what those people do.

The same name, sizes and seed always give the same world and timeline, so every strategy in a run faces
exactly the same traffic.
"""

import itertools
import random
from dataclasses import dataclass, field

from adapters.simulated_telegram.model import Chat, Participant, Person
from adapters.simulated_telegram.world import World
from benchmarks.config import Sizes
from domain import subscription as sub

BOT_ID = 10**9
CHANNEL_BASE, GROUP_BASE, ADMIN_BASE, RAIDER_BASE = 2_000_000, 3_000_000, 5_000_000, 7_000_000

# A timeline entry is (simulated seconds, action, chat or channel id, user id).
POST, JOIN, LEAVE_CHANNEL, JOIN_CHANNEL, VERIFY = "post", "join", "leave_channel", "join_channel", "verify"
Action = tuple[float, str, int, int]


@dataclass
class Workload:
    name: str
    world: World
    groups: dict[int, list[int]]  # protected group -> its channels
    admins: dict[int, int]  # group -> the admin who protects it
    user_groups: dict[int, list[int]]
    timeline: list[Action] = field(default_factory=list)
    raid_group: int | None = None
    raiders: set[int] = field(default_factory=set)
    raiders_to_mute: set[int] = field(default_factory=set)  # not subscribed when they join

    def groups_of(self, user: int) -> list[int]:
        if user in self.raiders:
            return [self.raid_group] if self.raid_group is not None else []
        return self.user_groups.get(user, [])


def build(name: str, sizes: Sizes, seed: int) -> Workload:
    rng = random.Random(f"{name}:{seed}")
    workload = make_world(name, sizes, rng)
    timeline = _Timeline(workload, sizes, rng)
    if name == "steady":
        timeline.steady()
    elif name == "raid":
        timeline.raid()
    elif name == "churn":
        timeline.churn()
    else:
        raise ValueError(f"unknown workload '{name}'")
    workload.timeline = sorted(timeline.actions, key=lambda a: a[0])  # stable: equal times keep their order
    return workload


def _cumulative(n: int, exponent: float) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank + 1) ** exponent for rank in range(n)))


def make_world(name: str, s: Sizes, rng: random.Random) -> Workload:
    world = World(bot_id=BOT_ID)
    channels = [CHANNEL_BASE + i for i in range(s.channels)]
    for channel in channels:
        chat = Chat(channel, "channel", f"Channel {channel}", username=f"chan{channel}")
        chat.participants[BOT_ID] = Participant(sub.ADMIN)
        world.chats[channel] = chat
    groups: dict[int, list[int]] = {}
    admins: dict[int, int] = {}
    for index in range(s.groups):
        group, admin = GROUP_BASE + index, ADMIN_BASE + index
        chat = Chat(group, "group", f"Group {index}")
        chat.participants[admin] = Participant(sub.CREATOR)
        chat.participants[BOT_ID] = Participant(sub.ADMIN)
        world.chats[group] = chat
        world.people[admin] = Person(admin, f"Admin {index}")
        groups[group], admins[group] = rng.sample(channels, rng.randint(1, 3)), admin
    # Group sizes are skewed too: a few big groups, many small ones.
    ids, weights = list(groups), _cumulative(len(groups), 0.8)
    user_groups: dict[int, list[int]] = {}
    for user in range(1, s.users + 1):
        world.people[user] = Person(user, f"Member {user}")
        mine = list(dict.fromkeys(rng.choices(ids, cum_weights=weights, k=2 if rng.random() < 0.1 else 1)))
        user_groups[user] = mine
        for group in mine:
            world.chats[group].participants[user] = Participant(sub.MEMBER)
        wanted = list(dict.fromkeys(c for g in mine for c in groups[g]))
        if rng.random() < s.unsubscribed:
            wanted.remove(rng.choice(wanted))
        for channel in wanted:
            world.chats[channel].participants[user] = Participant(sub.MEMBER)
    return Workload(name, world, groups, admins, user_groups)


class _Timeline:
    def __init__(self, workload: Workload, sizes: Sizes, rng: random.Random) -> None:
        self.w, self.s, self.rng = workload, sizes, rng
        self.actions: list[Action] = []
        users = list(workload.user_groups)
        rng.shuffle(users)  # popularity rank is independent of id and group
        self._ranked, self._weights = users, _cumulative(len(users), sizes.zipf)
        world = workload.world
        self._subscribed = {(u, c) for c in {c for cs in workload.groups.values() for c in cs}
                            for u, p in world.chats[c].participants.items() if sub.is_subscribed(p.status)}

    def _zipf_users(self, k: int) -> list[int]:
        return self.rng.choices(self._ranked, cum_weights=self._weights, k=k)

    def _post(self, t: float, user: int) -> None:
        self.actions.append((t, POST, self.rng.choice(self.w.user_groups[user]), user))

    def _changer(self) -> int:
        """Anyone, uniformly: people join and leave channels whether or not they write much."""
        return self.rng.choice(self._ranked)

    def _change(self, t: float, user: int) -> None:
        """The user leaves one of their channels, or joins one they miss (and then often presses Verify)."""
        channel = self.rng.choice([c for g in self.w.user_groups[user] for c in self.w.groups[g]])
        if (user, channel) in self._subscribed:
            self._subscribed.discard((user, channel))
            self.actions.append((t, LEAVE_CHANNEL, channel, user))
            return
        self._subscribed.add((user, channel))
        self.actions.append((t, JOIN_CHANNEL, channel, user))
        if self.rng.random() < 0.5:
            for group in self.w.user_groups[user]:
                if channel in self.w.groups[group]:
                    self.actions.append((t + 5.0, VERIFY, group, user))

    def steady(self) -> None:
        t = 0.0
        for i, user in enumerate(self._zipf_users(self.s.steady_messages)):
            t += self.rng.expovariate(self.s.message_rate)
            self._post(t, user)
            if i % self.s.change_every == 0:
                self._change(t, self._changer())

    def churn(self) -> None:
        t = 0.0
        for user in self._zipf_users(self.s.churn_updates):
            t += self.rng.expovariate(self.s.message_rate)
            if self.rng.random() < self.s.churn_changes:
                self._change(t, self._changer())
            else:
                self._post(t, user)

    def raid(self) -> None:
        s, w, rng = self.s, self.w, self.rng
        group = max(w.groups, key=lambda g: len(w.world.chats[g].participants))
        w.raid_group, channels = group, w.groups[group]
        span = s.raid_seconds
        for t in sorted(rng.uniform(0, span) for _ in range(s.raid_messages)):
            self._post(t, self._zipf_users(1)[0])
        for i, t in enumerate(sorted(rng.uniform(0, span) for _ in range(s.raid_joins))):
            raider = RAIDER_BASE + i
            w.raiders.add(raider)
            w.world.people[raider] = Person(raider, f"Raider {i}")
            self.actions.append((t, JOIN, group, raider))
            if rng.random() >= s.raid_unsubscribed:
                for channel in channels:
                    w.world.chats[channel].participants[raider] = Participant(sub.MEMBER)
                continue
            subscribes = rng.random() < s.raid_verify / 2  # as the warning asks, then presses Verify
            if not subscribes:
                w.raiders_to_mute.add(raider)  # one who subscribes may be released before the mute lands
            if subscribes or rng.random() < s.raid_verify / 2:
                press = t + rng.uniform(5.0, 20.0)
                if subscribes:
                    self.actions.extend((press - 2.0, JOIN_CHANNEL, c, raider) for c in channels)
                self.actions.append((press, VERIFY, group, raider))
