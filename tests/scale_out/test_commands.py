"""The scale-out commands refuse what they cannot serve with one clear line."""

from typer.testing import CliRunner

from entrypoints.cli import app


def test_a_worker_without_the_shared_services_says_so_in_one_line(monkeypatch) -> None:
    monkeypatch.setenv("CHANWARDEN_EVENT_STORE", "sqlite")
    monkeypatch.setenv("CHANWARDEN_CACHE", "memory")
    result = CliRunner().invoke(app, ["worker"])
    assert result.exit_code == 2
    assert "CHANWARDEN_EVENT_STORE=postgres" in result.output and "Traceback" not in result.output


def test_a_worker_whose_store_is_out_of_reach_says_so_in_one_line(monkeypatch) -> None:
    monkeypatch.setenv("CHANWARDEN_EVENT_STORE", "postgres")
    monkeypatch.setenv("CHANWARDEN_CACHE", "redis")
    monkeypatch.setenv("CHANWARDEN_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:1/chanwarden")
    monkeypatch.setenv("CHANWARDEN_METRICS_PORT", "0")
    result = CliRunner().invoke(app, ["worker"])
    assert result.exit_code == 4
    assert "Cannot reach" in result.output and "Traceback" not in result.output
