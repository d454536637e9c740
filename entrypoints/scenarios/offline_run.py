"""`chanwarden run` with no network, for tests: the real client and adapter over a simulated world.

Selected by CHANWARDEN_OFFLINE_SCENARIO=FILE. The scenario's world stands in for Telegram, its join,
leave, message and can_write steps are played once the bot is up, and the bot then runs until signalled.
"""

import asyncio
from typing import Any

from rich.console import Console

from adapters.simulated_telegram.clock import SimulatedClock
from adapters.simulated_telegram.model import Sender
from adapters.simulated_telegram.rig_settings import RigSettings
from adapters.simulated_telegram.tl.encoder import UpdateEncoder
from adapters.simulated_telegram.tl.sender import WorldSender
from adapters.simulated_telegram.tl.transport import offline_client
from adapters.simulated_telegram.world import World
from entrypoints.run import TelegramLink, serve
from entrypoints.scenarios import model as m
from entrypoints.scenarios.model import load
from entrypoints.scenarios.world_builder import build_world


async def run_offline(settings: RigSettings, path: str, stop: asyncio.Event, console: Console) -> None:
    scenario = load(path)
    world = build_world(scenario.world)
    clock = SimulatedClock()
    client = offline_client(WorldSender(world, clock.time), world.bot_id)
    encoder = UpdateEncoder(world, clock.time)

    async def play(gatekeeper: Any) -> None:
        failures = 0
        for step in scenario.steps:
            if isinstance(step, m.ExpectCanWrite):
                found = world.can_write(step.chat, step.user, step.kind)
                failures += found != step.value
                console.print(f"can_write chat={step.chat} user={step.user}: {found}", highlight=False)
                continue
            _act(world, step)
            await _deliver(client, encoder, world)
            await gatekeeper.settle()
        console.print(f"scripted updates handled; {failures} expectation(s) failed", highlight=False)

    async def simulated_world() -> TelegramLink:
        return TelegramLink(client, connect=False, on_ready=play)

    await serve(settings, simulated_world, stop)


def _act(world: World, step: Any) -> None:
    match step:
        case m.Message():
            world.post(step.chat, Sender("user", step.from_), step.kind, step.text)
        case m.Membership(do="join"):
            world.join(step.chat, step.user, step.via)
        case m.Membership(do="leave"):
            world.leave(step.chat, step.user)
        case _:
            raise ValueError(f"offline run plays join, leave, message and can_write steps, not {step}")


async def _deliver(client: Any, encoder: UpdateEncoder, world: World) -> None:
    while world.outbox:
        update = world.outbox.pop(0)
        updates, users, chats = encoder.encode(update)
        for processed in await client._preprocess_updates(updates, users, chats):
            await client._dispatch_update(processed)
