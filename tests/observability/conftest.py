"""Shared by the observability tests: reading Prometheus text, free ports, and one offline `chanwarden run`."""

import json
import signal
import socket
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.offline_bot import launch_offline

ROOT = Path(__file__).resolve().parents[2]
STORY = ROOT / "tests" / "run" / "offline_story.yaml"
TOKEN = "123456:observability-test-token"
API_HASH = "0123456789abcdef0123456789abcdef"
PG_PASSWORD = "pg-pass-4f9a2c"
REDIS_PASSWORD = "redis-pass-81bd3e"


def samples(text: str) -> list[tuple[str, dict[str, str], float]]:
    return [(s.name, s.labels, s.value) for family in text_string_to_metric_families(text) for s in family.samples]


def value(text: str, name: str, **labels: str) -> float:
    """The sum of every sample of `name` whose labels include `labels` (0 when there is none)."""
    return sum(v for n, found, v in samples(text) if n == name and labels.items() <= found.items())


def series_names(text: str) -> set[str]:
    return {name for name, _, _ in samples(text)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture(scope="session")
def offline_bot(tmp_path_factory) -> dict:
    """`chanwarden run` on the simulated world with metrics on, scraped once its scripted updates are handled.

    Health has a port of its own here, so both layouts (shared and separate) are exercised across the suite.
    """
    tmp = tmp_path_factory.mktemp("offline")
    metrics_port, health_port = free_port(), free_port()
    env = {
        "TELEGRAM_API_ID": "1",
        "TELEGRAM_API_HASH": API_HASH,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "CHANWARDEN_EVENT_STORE": "sqlite",
        "CHANWARDEN_SQLITE_PATH": str(tmp / "events.db"),
        # Configured but unused (SQLite, in-process cache): their passwords must still never be printed.
        "CHANWARDEN_POSTGRES_DSN": f"postgresql://chanwarden:{PG_PASSWORD}@127.0.0.1:5432/chanwarden",
        "CHANWARDEN_REDIS_URL": f"redis://:{REDIS_PASSWORD}@127.0.0.1:6379/0",
        "CHANWARDEN_METRICS_PORT": str(metrics_port),
        "CHANWARDEN_HEALTH_PORT": str(health_port),
        "CHANWARDEN_LOG_FORMAT": "json",
        "CHANWARDEN_LOG_LEVEL": "DEBUG",
    }
    process, lines = launch_offline(STORY, tmp, env)
    base, health = f"http://127.0.0.1:{metrics_port}", f"http://127.0.0.1:{health_port}"
    found = {
        "metrics": get(f"{base}/metrics"),
        "readyz": get(f"{health}/readyz"),
        "healthz": get(f"{health}/healthz"),
        "readyz_on_metrics_port": get(f"{base}/readyz"),
    }
    process.send_signal(signal.SIGTERM)
    rest, _ = process.communicate(timeout=30)
    found["output"] = "".join(lines) + rest
    found["returncode"] = process.returncode
    found["log_records"] = [json.loads(line) for line in found["output"].splitlines() if line.startswith("{")]
    return found
