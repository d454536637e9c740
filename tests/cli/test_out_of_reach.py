"""A command whose event store or Redis does not answer says so in one line, never a traceback, masks the
password, and exits 4 (exit_codes.UNREACHABLE), which scripts can tell from a mistake (2) and a failed check (1)."""

import pytest
from typer.testing import CliRunner

from entrypoints.cli import app
from entrypoints.exit_codes import UNREACHABLE
from tests.observability.conftest import free_port

PASSWORD = "s3cret-pw-9f2d"
STORE_COMMANDS = [
    ["migrate"],
    ["projections", "status"],
    ["projections", "rebuild"],
    ["projections", "follow"],
    ["audit", "timeline", "--group", "1"],
    ["audit", "verify"],
    ["audit", "export"],
]


def one_line(output: str) -> str:
    lines = output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in output, output
    return lines[0]


@pytest.mark.parametrize("command", STORE_COMMANDS, ids=" ".join)
def test_a_postgres_store_out_of_reach_is_one_line_and_exit_4(monkeypatch, command) -> None:
    port = free_port()  # nothing listens there
    monkeypatch.setenv("CHANWARDEN_EVENT_STORE", "postgres")
    monkeypatch.setenv("CHANWARDEN_POSTGRES_DSN", f"postgresql://chanwarden:{PASSWORD}@127.0.0.1:{port}/chanwarden")
    monkeypatch.setenv("CHANWARDEN_CACHE", "redis")
    result = CliRunner().invoke(app, command)
    assert result.exit_code == UNREACHABLE, result.output
    line = one_line(result.output)
    assert line.startswith("Cannot reach the postgres event store: connect: ConnectionRefusedError"), line
    assert PASSWORD not in result.output


def test_a_login_the_server_refuses_is_one_line_too(monkeypatch) -> None:
    monkeypatch.setenv("CHANWARDEN_EVENT_STORE", "postgres")
    monkeypatch.setenv("CHANWARDEN_POSTGRES_DSN", f"postgresql://nobody_here:{PASSWORD}@127.0.0.1:5432/chanwarden")
    result = CliRunner().invoke(app, ["migrate"])
    assert result.exit_code == UNREACHABLE
    assert 'role "nobody_here" does not exist' in one_line(result.output)


@pytest.mark.parametrize("command", [["projections", "status"], ["projections", "rebuild"],
                                     ["projections", "follow", "--once"], ["audit", "verify"]], ids=" ".join)
def test_redis_out_of_reach_is_one_line_and_exit_4(monkeypatch, tmp_path, command) -> None:
    monkeypatch.setenv("CHANWARDEN_EVENT_STORE", "sqlite")
    monkeypatch.setenv("CHANWARDEN_SQLITE_PATH", str(tmp_path / "events.db"))
    monkeypatch.setenv("CHANWARDEN_CACHE", "redis")
    monkeypatch.setenv("CHANWARDEN_REDIS_URL", f"redis://:{PASSWORD}@127.0.0.1:{free_port()}/0")
    assert CliRunner().invoke(app, ["migrate"]).exit_code == 0  # the log exists; only Redis is away
    result = CliRunner().invoke(app, command)
    assert result.exit_code == UNREACHABLE, result.output
    assert one_line(result.output).startswith("Cannot reach Redis: ")
    assert PASSWORD not in result.output


def test_version_prints_the_package_version() -> None:
    from importlib.metadata import version

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"chanwarden {version('chanwarden')}\n"
