"""Small tools the integration tests share."""

import textwrap
from collections import Counter

from adapters.simulated_telegram.clock import SimulatedClock
from adapters.simulated_telegram.gateway import SimulatedTelegram
from adapters.simulated_telegram.world import World
from application.ports import telegram as ports
from entrypoints.scenarios.model import Scenario, parse_step


class CountingTelegram(SimulatedTelegram):
    """Counts get_participant per chat: the simulated gateway counts per method only."""

    def __init__(self, world: World, clock: SimulatedClock) -> None:
        super().__init__(world, clock)
        self.reads: Counter[int] = Counter()

    async def get_participant(self, chat_id: int, user_id: int) -> ports.Participant:
        self.reads[chat_id] += 1
        return await super().get_participant(chat_id, user_id)

WORLD = """
bot: {id: 999}
channels: [{id: 1001, username: news, title: News}]
groups: [{id: 2001, title: Chat, creator: 11, members: [1, 3]}]
users:
  - {id: 1, name: Alice, subscribed: [1001]}
  - {id: 2, name: Bob}
  - {id: 3, name: Carol, subscribed: [1001]}
  - {id: 4, name: Dave}
  - {id: 11, name: Owner}
"""


def scenario(steps: str) -> Scenario:
    import yaml

    data = {"name": "inline", "world": yaml.safe_load(WORLD), "steps": yaml.safe_load(textwrap.dedent(steps))}
    return Scenario.model_validate(data)


async def play(run, steps: str) -> None:
    for number, raw in enumerate(scenario(steps).steps, start=1):
        result = await run.step(number, raw if not isinstance(raw, dict) else parse_step(number, raw))
        assert result.ok, f"{result.step}: {result.detail}"
