"""Where the test rig is not installed, the commands that need it say so in one line (the rig's modules are
hidden here as a wheel install lacks them; test_wheel.py tries a real one with CHANWARDEN_SLOW=1)."""

import sys

import pytest
from typer.testing import CliRunner

from entrypoints.cli import app

CREDENTIALS = {"TELEGRAM_API_ID": "1", "TELEGRAM_API_HASH": "0123456789abcdef", "TELEGRAM_BOT_TOKEN": "1:token"}


@pytest.fixture
def no_rig(monkeypatch) -> None:
    for module in ("entrypoints.scenarios.rig_run", "entrypoints.scenarios.runner", "benchmarks.main"):
        monkeypatch.setitem(sys.modules, module, None)  # None in sys.modules: importing it raises ImportError


@pytest.mark.parametrize("variable", ["CHANWARDEN_OFFLINE_SCENARIO", "CHANWARDEN_REMOTE_WORLD"])
def test_run_asked_for_a_simulated_world_without_the_rig_refuses_in_one_line(no_rig, variable, tmp_path,
                                                                           monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # no .env
    result = CliRunner().invoke(app, ["run"], env={**CREDENTIALS, variable: "somewhere", "COLUMNS": "300"})
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"{variable} asks for a simulated world, which this installation lacks (the test rig, in a clone of "
        "chanwarden: pip install -e '.[sim]' --config-settings editable_mode=compat); unset it to run on Telegram."]


@pytest.mark.parametrize("command", [["demo"], ["bench", "--quick"]])
def test_the_rig_commands_without_the_rig_say_where_it_comes_from(no_rig, command) -> None:
    result = CliRunner().invoke(app, command, env={"COLUMNS": "300"})
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"`chanwarden {command[0]}` needs the test rig") and "pip install -e '.[sim]'" in line
