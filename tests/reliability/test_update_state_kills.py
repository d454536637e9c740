"""SIGKILL at random points of a stream of updates, with the real Telethon client catching up as from
Telegram: the world server pushes updates with pts/qts/seq, the bot (a real `chanwarden run` process in
"telegram" mode) keeps Telethon's update state in its session file, saved only as far as its decisions are
durable, and after each kill catches up with getDifference and getChannelDifference from that state.

A raid of joins (some leaving or subscribing on the way) and then an /unprotect of the muted raiders, the
bot killed and restarted at random moments of both: every update's effect happens exactly once. No update
is lost (every raider is decided, every muted one released), no warning or lift is repeated, and the state
the session holds in the end is the world's.

Every third interruption is a SIGTERM in place of the SIGKILL: the bot settles, saves and exits 0 mid-stream.
The long form (CHANWARDEN_UPDATE_STATE_LONG=1): 300 raiders, 8 + 4 interruptions.
"""

import asyncio
import os
import random
import time
from pathlib import Path

from adapters.simulated_telegram.model import Sender
from adapters.simulated_telegram.remote.server import WorldServer
from domain.ids import verdict_stream_id
from tests.reliability.bot_process import BotProcess, bot_env, until
from tests.reliability.raid_checks import check_raid, lifts, read_log
from tests.reliability.raid_driver import CHANNEL, GROUP, OWNER, RaidDriver, RaidPlan, raid_world
from tests.reliability.update_state import caught_up, saved_state

SEED = int(os.environ.get("CHANWARDEN_RELIABILITY_SEED", "20260111"))
LONG = os.environ.get("CHANWARDEN_UPDATE_STATE_LONG") == "1"  # more raiders and kills; minutes, not seconds
RAIDERS, RAID_KILLS, UNPROTECT_KILLS = (300, 8, 4) if LONG else (100, 3, 2)
BUDGET = 600.0 if LONG else 75.0
DECISIONS = {"MemberRestricted", "SubscriptionVerified", "MemberReleased"}


def quiet(folder: Path, server: WorldServer) -> bool:
    """The bot saved the world's whole update state and has asked Telegram nothing for a moment."""
    return caught_up(folder, server, [GROUP, CHANNEL]) and time.time() - server.last_request > 1.5


async def kill_at_random(bot: BotProcess, server: WorldServer, rng: random.Random, kills: int, within: float,
                         deadline: float, stops: list[float]) -> None:
    """SIGKILL at random moments; every third interruption is a SIGTERM instead, which must end the process
    cleanly (settled, state saved, then disconnected) within the settle bound, mid-stream as it is."""
    for n in range(kills):
        seen = server.connections
        await asyncio.sleep(rng.uniform(0.1, within))  # any moment: starting, catching up, or handling
        if n % 3 == 2:
            began = time.monotonic()
            assert await bot.stop() == 0, bot.output()[-3000:]
            stops.append(time.monotonic() - began)
        else:
            await bot.kill()
        await asyncio.sleep(rng.uniform(0.1, 0.8))  # the world goes on without it
        await bot.start()
        assert await until(lambda s=seen: server.connections > s, deadline), bot.output()[-3000:]


async def test_kill_9_at_random_points_of_updates_every_effect_happens_once(tmp_path: Path, store) -> None:
    began = time.monotonic()
    deadline = began + BUDGET - 10
    rng = random.Random(SEED)
    server = await WorldServer(raid_world()).start()
    drawn = RaidPlan.draw(SEED, count=RAIDERS, seconds=RAIDERS / 20)
    # No Verify presses: a press has no pts, and one pushed to a bot that dies is gone, as on Telegram.
    plan = RaidPlan(drawn.raiders, drawn.presubscribed, [a for a in drawn.actions if a[1] != "verify"])
    driver = RaidDriver(server, plan)
    backend, open_store = store
    env = bot_env(tmp_path, f"127.0.0.1:{server.port}", **backend, CHANWARDEN_REMOTE_WORLD_UPDATES="telegram")
    bot = BotProcess(tmp_path, env)
    stops: list[float] = []  # seconds each mid-stream SIGTERM took to end the process
    try:
        await bot.start()
        # Its first state is saved before the group is protected, so /protect is caught up like the rest.
        assert await until(lambda: saved_state(tmp_path)[0] > 0, deadline), bot.output()[-3000:]
        driver.setup()
        assert await until(lambda: quiet(tmp_path, server), deadline), bot.output()[-3000:]
        raid = asyncio.create_task(driver.play())
        await kill_at_random(bot, server, rng, RAID_KILLS, RAIDERS / 20, deadline, stops)
        await raid
        assert await until(lambda: quiet(tmp_path, server), deadline), (saved_state(tmp_path), bot.output()[-3000:])
        outcome = check_raid(driver, server, (await read_log(await open_store()))[0])
        muted = [r for r in plan.raiders if not server.world.can_write(GROUP, r)]

        server.act(lambda w: w.post(GROUP, Sender("user", OWNER), "text", "/unprotect", now=time.time()))
        await kill_at_random(bot, server, rng, UNPROTECT_KILLS, 1.5, deadline, stops)
        assert await until(lambda: quiet(tmp_path, server), deadline), (saved_state(tmp_path), bot.output()[-3000:])
        assert await bot.stop() == 0, bot.output()[-3000:]
    finally:
        if bot.running:
            await bot.kill()
        await server.close()

    streams, _, _ = await read_log(await open_store())
    names = {r: {type(e).__name__ for e in streams[verdict_stream_id(GROUP, r)]} for r in plan.raiders}
    undecided = [r for r in plan.raiders if not DECISIONS & names[r]]
    still_muted = [r for r in plan.raiders if not server.world.can_write(GROUP, r)]
    lifted = lifts(server)
    repeated_lifts = sum(n - 1 for n in lifted.values() if n > 1)
    assert not undecided, f"{len(undecided)} raiders' joins were lost, e.g. {undecided[:5]}"
    assert not still_muted, f"{len(still_muted)} raiders still muted after /unprotect, e.g. {still_muted[:5]}"
    assert set(muted) <= set(lifted), "a muted raider was never released"
    assert repeated_lifts == 0 and outcome.repeated_lifts == 0, lifted
    assert outcome.orphans <= bot.kills, f"{outcome.orphans} orphaned warnings after {bot.kills} kills"
    elapsed = time.monotonic() - began
    print(f"\nupdate-state[{backend['CHANWARDEN_EVENT_STORE']}]: seed={SEED} kills={bot.kills} "
          f"updates={len(server.log)} pts={server.updates.pts} qts={server.updates.qts} "
          f"group_pts={server.updates.channel_pts(GROUP)} raiders={len(plan.raiders)} muted={len(muted)} "
          f"lost=0 wrong_state=0 repeated_lifts={repeated_lifts} repeated_mute_calls={outcome.repeated_mutes} "
          f"orphaned_warnings={outcome.orphans} sigterms={len(stops)} "
          f"sigterm_exit_s={max(stops, default=0):.1f} duration={elapsed:.1f}s")
    assert elapsed < BUDGET
