"""The two simulated Telegrams are one Telegram: every scenario, played through each, ends the same.

A scenario passing on one transport proves something about the bot only if the other, which speaks real TL
through the bot's Telethon adapter, would have told the bot the same and answered it the same. So each
scenario (those the bot passes and those it does not pass yet) is played through both, and any difference
fails with a diff: a step's outcome, the commands the bot was handed, who can write at the end, the bot's
live messages per chat, the events recorded by type, the API calls by method.
"""

import dataclasses
import difflib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from entrypoints.scenarios.model import load
from entrypoints.scenarios.report import Report
from entrypoints.scenarios.runner import ScenarioRun
from infrastructure.settings import Settings

TESTS = Path(__file__).parents[1]
SCENARIOS = sorted((TESTS / "scenarios").glob("*.yaml"))
# Telethon fetches the message a command replies to (to find a forwarded channel post); the direct transport
# reads it from the world. Not an API method of the bot's port, so not part of the contract.
TELETHON_OWN_CALLS = frozenset({"get_messages"})


def outcome(report: Report, commands: list[Any]) -> dict[str, Any]:
    """What a run must share with the same run on the other transport, in a form a diff reads well."""
    return {
        "steps": [f"{s.number} {'ok' if s.ok else 'FAILED'} {s.step}: {s.detail}" for s in report.steps],
        "commands": [canonical(command) for command in commands],
        "can_write": [f"chat {c['chat']} user {c['user']}: {c['value']}" for c in report.can_write],
        "bot_messages": report.bot_messages,
        "events": report.events,
        "api_calls": {k: v for k, v in report.api_calls.items() if k not in TELETHON_OWN_CALLS},
    }


def canonical(command: Any) -> str:
    """A command as one line that reads the same for equal commands (sets sorted, bytes and dates spelled)."""
    return f"{type(command).__name__} " + json.dumps(dataclasses.asdict(command), sort_keys=True, default=_plain)


def _plain(value: Any) -> Any:
    if isinstance(value, frozenset | set):
        return sorted(value)
    if isinstance(value, bytes | datetime):
        return repr(value)
    raise TypeError(f"no plain form for {type(value).__name__}")


def differences(direct: dict[str, Any], telethon: dict[str, Any]) -> str:
    """A unified diff per part that differs; empty when the two outcomes are the same."""
    parts = []
    for key in direct.keys() | telethon.keys():
        if direct.get(key) == telethon.get(key):
            continue
        lines = [json.dumps(side.get(key), indent=1, sort_keys=True).splitlines() for side in (direct, telethon)]
        parts.append("\n".join(difflib.unified_diff(*lines, f"{key} (direct)", f"{key} (telethon)", lineterm="")))
    return "\n\n".join(sorted(parts))


async def played(path: Path, transport: str) -> dict[str, Any]:
    # The event store plays no part in what a transport tells the bot: the fastest one will do.
    run = ScenarioRun(load(path), Settings(event_store="memory"), transport=transport)
    report = await run.run()
    return outcome(report, run.commands)


@pytest.mark.parametrize("path", SCENARIOS, ids=[f"{p.parent.name}/{p.stem}" for p in SCENARIOS])
async def test_both_transports_play_the_scenario_alike(path: Path) -> None:
    direct, telethon = await played(path, "direct"), await played(path, "telethon")
    diff = differences(direct, telethon)
    if diff:
        pytest.fail(f"the simulated Telegrams differ on {path.name}:\n{diff}", pytrace=False)


def test_a_difference_fails_with_a_diff_naming_the_part_and_the_line() -> None:
    same = {"steps": ["1 ok join chat=1 user=2: "], "events": {"Opened": 1}}
    other = {"steps": ["1 FAILED join chat=1 user=2: refused"], "events": {"Opened": 1}}
    assert differences(same, dict(same)) == ""
    diff = differences(same, other)
    assert "--- steps (direct)" in diff and "+++ steps (telethon)" in diff
    assert '- "1 ok join chat=1 user=2: "' in diff and '+ "1 FAILED join chat=1 user=2: refused"' in diff
    assert "events" not in diff


def test_the_contract_covers_every_scenario() -> None:
    assert len(SCENARIOS) >= len(list((TESTS / "scenarios").glob("*.yaml"))) >= 15
