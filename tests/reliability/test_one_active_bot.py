"""Two `chanwarden run` processes on one store: the second stands by while the first holds the store's lease
(it never reaches Telegram, nor opens the store), the first is SIGKILLed, and the second takes over within
10 s, catches up from the first's confirmed position and finishes the raid, with no double effect: no member
muted, lifted or warned twice, no Verify press answered twice.

The kill comes once the first has settled what it was given, so every repeat counted below could only come
from two processes acting at once (a kill in the middle of work is test_crash_recovery.py's subject).
"""

import asyncio
import json
import os
import time
from pathlib import Path

from adapters.simulated_telegram.remote.server import WorldServer
from entrypoints.startup import STANDBY
from tests.observability.conftest import free_port, get
from tests.reliability.bot_process import BotProcess, bot_env, confirmed, until
from tests.reliability.raid_checks import check_raid, read_log
from tests.reliability.raid_driver import RaidDriver, RaidPlan, raid_world

SEED = int(os.environ.get("CHANWARDEN_RELIABILITY_SEED", "20260110"))
TAKEOVER_WITHIN = 10.0
RUNNING = "chanwarden is running"
SPLIT = 3.0  # seconds into the raid: what comes before is the first bot's, the rest comes after its death


def halves(plan: RaidPlan) -> tuple[RaidPlan, RaidPlan]:
    early = [action for action in plan.actions if action[0] < SPLIT]
    late = [(at - SPLIT, what, who) for at, what, who in plan.actions if at >= SPLIT]
    return RaidPlan(plan.raiders, plan.presubscribed, early), RaidPlan(plan.raiders, plan.presubscribed, late)


def store_files_open(pid: int, folder: Path) -> list[str]:
    """Files of the store's folder the process has open (its log and spool would be among them)."""
    found = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith(str(folder)) and not target.endswith(".log") and not target.endswith(".lease"):
            found.append(target)
    return found


async def readyz(port: int) -> tuple[int, dict]:
    status, body = await asyncio.to_thread(get, f"http://127.0.0.1:{port}/readyz")
    return status, json.loads(body)


async def test_a_standby_takes_over_from_a_killed_bot_with_no_double_effect(tmp_path: Path, store) -> None:
    backend, open_store = store
    server = await WorldServer(raid_world()).start()
    plan = RaidPlan.draw(SEED, count=80, seconds=5.0)
    first_half, second_half = halves(plan)
    driver = RaidDriver(server, plan)
    driver.setup()
    address = f"127.0.0.1:{server.port}"
    # The same folder for both: they share the store, the spool and the remote world's position file.
    ports = {name: free_port() for name in ("first", "second")}
    first, second = (
        BotProcess(tmp_path, bot_env(tmp_path, address, **backend, CHANWARDEN_HEALTH_PORT=str(ports[name]),
                                     CHANWARDEN_METRICS_PORT=str(free_port())), name=name)
        for name in ("first", "second")
    )
    presser = asyncio.create_task(driver.keep_pressing())

    def quiet() -> bool:
        idle = time.time() - server.last_request > 1.5
        return confirmed(tmp_path) == len(server.log) and not driver.deferred and not driver.waiting and idle

    try:
        await first.start()
        assert await until(lambda: confirmed(tmp_path) >= 1, time.monotonic() + 30), first.output()[-3000:]
        await second.start()
        assert await until(lambda: STANDBY in second.output(), time.monotonic() + 30), second.output()[-3000:]
        status, body = await readyz(ports["second"])
        assert status == 503 and body["status"] == "standby", body

        driver.plan = first_half
        await driver.play()
        assert await until(quiet, time.monotonic() + 30), f"{confirmed(tmp_path)}/{len(server.log)}"
        # All this while the second stood by: one connection to Telegram (the first's), and no store file open.
        assert server.connections == 1
        assert second.output().count(STANDBY) == 1 and RUNNING not in second.output()
        if backend["CHANWARDEN_EVENT_STORE"] == "sqlite":
            assert store_files_open(second.pid, tmp_path) == []

        await first.kill()
        killed = time.monotonic()
        driver.plan = second_half
        late = asyncio.create_task(driver.play())  # the world goes on, with nobody acting for a moment
        assert await until(lambda: server.connections == 2, killed + TAKEOVER_WITHIN), second.output()[-3000:]
        takeover = time.monotonic() - killed
        await late
        assert await until(quiet, time.monotonic() + 30), f"{confirmed(tmp_path)}/{len(server.log)}"
        status, body = await readyz(ports["second"])
        assert status == 200, body
        assert await second.stop() == 0, second.output()[-3000:]
    finally:
        presser.cancel()
        for bot in (first, second):
            if bot.running:
                await bot.kill()
        await server.close()

    driver.plan = plan
    streams, last, reactor_at = await read_log(await open_store())
    outcome = check_raid(driver, server, streams)
    assert outcome.repeated_mutes == outcome.repeated_lifts == outcome.orphans == outcome.answered_twice == 0, outcome
    assert reactor_at == last
    # The second started from the first's confirmed position: nothing was handed out twice.
    assert server.delivered == len(server.log) == confirmed(tmp_path)
    assert "Traceback" not in first.output() + second.output()
    print(f"\none active bot[{backend['CHANWARDEN_EVENT_STORE']}]: takeover {takeover:.1f}s after SIGKILL, "
          f"updates={len(server.log)} events={last} presses={driver.press_count} double effects=0")
