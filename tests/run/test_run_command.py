"""`chanwarden run`: clear refusal without credentials; offline it starts, works and stops on SIGTERM."""

import signal
from pathlib import Path

from typer.testing import CliRunner

from entrypoints.cli import app
from tests.offline_bot import launch_offline

TOKEN = "123456:very-secret-token"
STORY = Path(__file__).parent / "offline_story.yaml"


def test_missing_credentials_are_named_and_the_token_is_never_shown(monkeypatch) -> None:
    for name in ("TELEGRAM_API_ID", "TELEGRAM_API_HASH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    result = CliRunner().invoke(app, ["run"])
    assert result.exit_code == 2
    assert "TELEGRAM_API_ID" in result.output and "TELEGRAM_API_HASH" in result.output
    assert "TELEGRAM_BOT_TOKEN" not in result.output and TOKEN not in result.output


def test_offline_run_handles_the_scripted_updates_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    env = {
        "TELEGRAM_API_ID": "1",
        "TELEGRAM_API_HASH": "0123456789abcdef",
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "CHANWARDEN_SQLITE_PATH": str(tmp_path / "events.db"),
        "CHANWARDEN_EVENT_STORE": "sqlite",
    }
    process, lines = launch_offline(STORY, tmp_path, env)
    process.send_signal(signal.SIGTERM)
    rest, _ = process.communicate(timeout=30)
    output = "".join(lines) + rest
    assert process.returncode == 0, output
    assert "0 expectation(s) failed" in output
    assert "can_write chat=2001 user=2: True" in output
    assert "stopped cleanly" in output
    assert TOKEN not in output
    assert (tmp_path / "events.db").stat().st_size > 0  # the decisions are in the log
