"""One workload step played into the simulated world, and the Telegram checks it makes necessary: the same for
chanwarden's runs (driver.py) and a peer bot's (peers/peer_run.py), so both are judged on the same count."""

from adapters.simulated_telegram.model import Sender
from adapters.simulated_telegram.world import WorldError
from benchmarks.workloads import JOIN, JOIN_CHANNEL, LEAVE_CHANNEL, POST, VERIFY


class PlaysWorkload:
    """Needs `world`, `clock`, `w` (the workload), the counters `blocked`, `touched`, `needed`, `observed`,
    `presses`, and `press(group, user)` (a Verify press on what that run's bot showed) on the class that mixes
    it in."""

    def posted(self, group: int, user: int) -> None:
        """A member's message reached the group (a peer run times its answer from here)."""

    def act(self, action: str, target: int, user: int) -> None:
        world = self.world
        if action == POST:
            try:
                world.post(target, Sender("user", user), "text", "hello", now=self.clock.time())
            except WorldError:
                self.blocked += 1
                return
            self.posted(target, user)
            self.need(target, user)
        elif action == JOIN:
            world.join(target, user)
            self.need(target, user)
        elif action in (LEAVE_CHANNEL, JOIN_CHANNEL):
            (world.leave if action == LEAVE_CHANNEL else world.join)(target, user)
            for group in self.w.groups_of(user):
                if target in self.w.groups[group]:
                    self.touched.add((group, user))
            if (user, target) not in self.needed:
                self.observed.add((user, target))
        elif action == VERIFY:
            self.presses.append((target, user))

    def need(self, group: int, user: int) -> None:
        """The (user, channel) pairs a decision needs, for the lower bound of Telegram checks."""
        self.touched.add((group, user))
        if user == self.w.admins.get(group):
            return  # exempt: the gate never asks about the group's own admin
        for channel in self.w.groups[group]:
            if (user, channel) not in self.observed:
                self.needed.add((user, channel))

    def press_when_warned(self, final: bool = False) -> None:
        """A member presses Verify once muted (the warning is what they press on); at the very end, one who
        can still write has been let in without it and gives up."""
        waiting = []
        for group, user in self.presses:
            participant = self.world.chat(group).status_of(user)
            if participant is None or not participant.inside:
                continue
            if not self.world.can_write(group, user):
                self.press(group, user)
                self.need(group, user)
            elif not final:
                waiting.append((group, user))
        self.presses = waiting
