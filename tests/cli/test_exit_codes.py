"""The exit codes docs/operations.md documents are the ones the commands use: every command has a row, and each
failure path cheap enough to run here exits with a code its row lists, the one the path's kind calls for."""

import re

import pytest
import typer
from typer.testing import CliRunner

from entrypoints import exit_codes
from entrypoints.cli import app
from tests.cli.test_cli import SCENARIOS
from tests.observability.conftest import ROOT, free_port

RUNBOOK = (ROOT / "docs" / "operations.md").read_text()
CODES = {name: value for name, value in vars(exit_codes).items() if name.isupper() and isinstance(value, int)}


def documented() -> dict[str, set[int]]:
    """Per command (`migrate`, `audit verify`, ...), the codes its row lists."""
    section = RUNBOOK.split("## Exit codes", 1)[1]
    rows = re.findall(r"^\| `chanwarden ([a-z ]+)` \| ([0-9, ]+) \|", section, re.MULTILINE)
    return {command: {int(code) for code in codes.split(",")} for command, codes in rows}


def commands(group, prefix: str = "") -> set[str]:
    """Every command's name under `group` (a click group as Typer builds it), sub-commands as "audit verify"."""
    found = set()
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            found |= commands(command, f"{prefix}{name} ")
        else:
            found.add(f"{prefix}{name}")
    return found


def test_every_command_has_a_row_and_every_code_a_meaning() -> None:
    table = documented()
    assert set(table) == commands(typer.main.get_command(app))
    meanings = {int(code) for code in re.findall(r"^\| ([0-9]) \| ", RUNBOOK, re.MULTILINE)}
    assert meanings == set(CODES.values())
    assert all(codes <= meanings and exit_codes.OK in codes for codes in table.values())


def unreachable_store(monkeypatch, _tmp_path) -> None:
    monkeypatch.setenv("CHANWARDEN_EVENT_STORE", "postgres")
    monkeypatch.setenv("CHANWARDEN_POSTGRES_DSN", f"postgresql://postgres@127.0.0.1:{free_port()}/chanwarden")


def memory_store(monkeypatch, _tmp_path) -> None:
    monkeypatch.setenv("CHANWARDEN_EVENT_STORE", "memory")


def memory_cache(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("CHANWARDEN_EVENT_STORE", "sqlite")
    monkeypatch.setenv("CHANWARDEN_SQLITE_PATH", str(tmp_path / "events.db"))
    monkeypatch.setenv("CHANWARDEN_CACHE", "memory")


def no_credentials(monkeypatch, _tmp_path) -> None:
    for name in ("TELEGRAM_API_ID", "TELEGRAM_API_HASH", "TELEGRAM_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)


# (command line, how the environment fails it, the code that kind of failure calls for)
FAILURES = [
    (["run"], no_credentials, exit_codes.USAGE),
    (["simulate", "no-such-file.yaml"], None, exit_codes.USAGE),
    (["simulate", str(SCENARIOS / "basic_gate.yaml"), "--transport", "carrier-pigeon"], None, exit_codes.USAGE),
    (["migrate"], unreachable_store, exit_codes.UNREACHABLE),
    (["projections", "status"], memory_cache, exit_codes.FAILED),
    (["projections", "rebuild"], memory_cache, exit_codes.FAILED),
    (["projections", "follow", "--once"], memory_cache, exit_codes.FAILED),
    (["projections", "status"], unreachable_store, exit_codes.UNREACHABLE),
    (["audit", "timeline", "--group", "1", "--since", "yesterday"], None, exit_codes.USAGE),
    (["audit", "explain", "--group", "1", "--user", "2"], memory_store, exit_codes.USAGE),
    (["audit", "replay", "--at", "soon"], None, exit_codes.USAGE),
    (["audit", "verify", "--anchor", "nonsense"], None, exit_codes.USAGE),
    (["audit", "verify"], unreachable_store, exit_codes.UNREACHABLE),
    (["audit", "export"], unreachable_store, exit_codes.UNREACHABLE),
    (["audit", "import", "no-such-file.jsonl"], None, exit_codes.USAGE),
    (["audit", "report", "--group", "1", "--out", "r.html"], memory_store, exit_codes.USAGE),
    (["bench", "--scale", "0"], None, exit_codes.USAGE),
]


@pytest.mark.parametrize(("command", "environment", "code"), FAILURES, ids=[" ".join(f[0]) for f in FAILURES])
def test_a_failure_exits_with_a_documented_code(monkeypatch, tmp_path, command, environment, code) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the work tree, and files written here
    if environment is not None:
        environment(monkeypatch, tmp_path)
    row = next(row for row in documented() if command[: len(row.split())] == row.split())
    result = CliRunner().invoke(app, command)
    assert result.exit_code == code, result.output
    assert code in documented()[row], f"{row} does not document exit {code}"
    assert "Traceback" not in result.output
