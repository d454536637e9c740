"""`chanwarden botapi --scenario FILE` serves the scenario's world to any Bot API client."""

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

from telegram import Bot

from adapters.simulated_telegram.botapi.ids import api_chat_id

SCENARIO = Path(__file__).parents[1] / "scenarios" / "basic_gate.yaml"


async def test_the_command_serves_the_scenarios_world_until_interrupted():
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from entrypoints.cli import app; app()", "botapi", "--scenario", str(SCENARIO),
        "--port", "0", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, "COLUMNS": "300"})
    try:
        line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
        url, token = re.search(r"at (\S+) \(token (\S+)\)", line).groups()
        async with Bot(token, base_url=url) as bot:
            assert (await bot.get_me()).id == 999
            assert (await bot.get_chat(api_chat_id(2001))).title == "Chat"
    finally:
        process.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(process.wait(), 10) == 0


async def test_a_bad_scenario_is_one_clear_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nworld: {nonsense: 1}\nsteps: []\n")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from entrypoints.cli import app; app()", "botapi", "--scenario", str(bad),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out = (await process.stdout.read()).decode()
    assert await process.wait() == 2
    assert "Traceback" not in out and "nonsense" in out
