"""`chanwarden simulate --transport telethon` runs a scenario through the Telethon adapter."""

import json
from pathlib import Path

from typer.testing import CliRunner

from entrypoints.cli import app

SCENARIOS = Path(__file__).parents[1] / "scenarios"


def test_simulate_through_telethon_reports_the_transport() -> None:
    scenario = str(SCENARIOS / "basic_gate.yaml")
    result = CliRunner().invoke(app, ["simulate", scenario, "--json", "--transport", "telethon"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["ok"] is True and report["transport"] == "telethon"
    assert report["api_calls"]["get_participant"] >= 1


def test_an_unknown_transport_is_refused() -> None:
    result = CliRunner().invoke(app, ["simulate", str(SCENARIOS / "basic_gate.yaml"), "--transport", "carrier-pigeon"])
    assert result.exit_code == 2
