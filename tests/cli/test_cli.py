"""The `chanwarden` command as a person or a script uses it."""

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from entrypoints.cli import app

SCENARIOS = Path(__file__).parents[1] / "scenarios"
runner = CliRunner()


def test_simulate_json_reports_every_contract_key() -> None:
    result = runner.invoke(app, ["simulate", str(SCENARIOS / "basic_gate.yaml"), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["ok"] is True
    assert {"steps", "can_write", "bot_messages", "api_calls", "events"} <= report.keys()
    assert {"chat": 2001, "user": 2, "value": True} in report["can_write"]
    assert report["api_calls"]["get_participant"] >= 1
    assert report["events"]["MemberRestricted"] >= 1


def test_a_failing_expectation_exits_non_zero_and_marks_the_step(tmp_path: Path) -> None:
    wrong = "{expect: can_write, chat: 2001, user: 2, value: false}"
    text = (SCENARIOS / "basic_gate.yaml").read_text().replace(wrong, wrong.replace("false", "true"))
    scenario = tmp_path / "wrong.yaml"
    scenario.write_text(text)
    result = runner.invoke(app, ["simulate", str(scenario)])
    assert result.exit_code == 1
    assert "✗" in result.output and "1 failed" in result.output


def test_a_malformed_scenario_gets_a_clear_message(tmp_path: Path) -> None:
    scenario = tmp_path / "bad.yaml"
    scenario.write_text("world: {}\nsteps:\n  - {do: dance, chat: 1}\n")
    result = runner.invoke(app, ["simulate", str(scenario)])
    assert result.exit_code == 2
    assert "unknown 'dance'" in result.output


def test_demo_tells_the_story_and_the_audit_trail() -> None:
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    assert "restricted: not subscribed to News, Backstage" in result.output
    assert "released: pressed Verify" in result.output
    assert "This button is for another member" in result.output
    assert "audit trail of Bob" in result.output


def test_a_kept_run_can_be_audited_and_its_log_verifies(monkeypatch) -> None:
    result = runner.invoke(app, ["simulate", str(SCENARIOS / "channel_leave.yaml"), "--json", "--keep"])
    assert result.exit_code == 0, result.output
    kept = json.loads(result.output)["kept"]
    assert kept["CHANWARDEN_EVENT_STORE"] == "sqlite"
    path = Path(kept["CHANWARDEN_SQLITE_PATH"])
    try:
        for key, value in kept.items():
            monkeypatch.setenv(key, value)
        verified = runner.invoke(app, ["audit", "verify"])
        assert verified.exit_code == 0, verified.output
        assert "The log verifies" in verified.output
        timeline = runner.invoke(app, ["audit", "timeline", "--group", "2001", "--json"])
        assert timeline.exit_code == 0 and "MemberRestricted" in timeline.output
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)
