"""The scenario runner drives another bot (a process) through the local Bot API server: --transport botapi."""

import sys
from pathlib import Path

import yaml

from benchmarks.peers.bot_process import CommandBot
from entrypoints.scenarios.model import load
from entrypoints.scenarios.runner import ScenarioRun

BOT = Path(__file__).with_name("tiny_gate_bot.py")
SCENARIO = {
    "name": "a tiny bot gated through the Bot API",
    "world": {
        "channels": [{"id": 1001, "username": "news", "title": "News"}],
        "groups": [{"id": 2001, "title": "Chat", "creator": 10, "members": [1, 2]}],
        "users": [{"id": 1, "name": "Ann", "subscribed": [1001]}, {"id": 2, "name": "Bob"},
                  {"id": 10, "name": "Owner"}],
    },
    "steps": [
        {"do": "message", "chat": 2001, "from": 2, "text": "hi"},
        {"expect": "can_write", "chat": 2001, "user": 2, "value": False},
        {"do": "message", "chat": 2001, "from": 1, "text": "hello"},
        {"expect": "can_write", "chat": 2001, "user": 1, "value": True},
        {"expect": "event", "type": "MemberRestricted", "chat": 2001, "user": 2},
        {"expect": "api_calls", "method": "edit_banned", "max": 1, "min": 1},
    ],
}


async def test_a_command_bot_is_held_to_a_scenario(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(SCENARIO))
    bot = CommandBot(f"{sys.executable} {BOT}")
    report = await ScenarioRun(load(path), transport="botapi", bot=bot).run()
    assert report.ok, [(s.step, s.detail) for s in report.failures]
    assert [s.skipped for s in report.steps].count(True) == 1  # chanwarden's event log: not checkable here
    assert report.api_calls["get_participant"] == 2 and report.api_calls["edit_banned"] == 1
    assert not bot.running


async def test_a_bot_that_fails_the_scenario_is_reported_wrong(tmp_path):
    scenario = dict(SCENARIO, steps=[{"do": "message", "chat": 2001, "from": 1, "text": "hi"},
                                     {"expect": "can_write", "chat": 2001, "user": 1, "value": False}])
    path = tmp_path / "wrong.yaml"
    path.write_text(yaml.safe_dump(scenario))
    report = await ScenarioRun(load(path), transport="botapi", bot=CommandBot(f"{sys.executable} {BOT}")).run()
    assert not report.ok and report.failures[0].detail == "can_write=True"
