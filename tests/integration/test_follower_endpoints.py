"""`chanwarden projections follow` serves /healthz, /readyz and /metrics on CHANWARDEN_PROJECTIONS_PORT, as the bot
serves its own: ready while the log and Redis answer, not ready (with the reason) while Redis does not, and its
metrics say how many events it projected and how far behind the read models are."""

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from adapters.redis import unlink_under
from entrypoints.scenarios.runner import ScenarioRun
from infrastructure.settings import Settings
from tests.integration.helpers import play, scenario
from tests.integration.test_projections_rebuild import STORY
from tests.observability.conftest import free_port, get, value
from tests.offline_bot import CHANWARDEN


@pytest.fixture
async def kept_log(redis_up):
    """A log on disk with the story's events, and a Redis key prefix of its own for the follower's read models."""
    run = ScenarioRun(scenario(STORY), Settings(event_store="sqlite", cache="redis", shared_projection="separate"),
                      keep=True)
    await run.open()
    settings = run._run_settings
    try:
        await play(run, STORY)
        yield settings, await run.store.last_position()
    finally:
        await unlink_under(run.backends.shared_read_models["redis"]._client, settings.redis_prefix, 5.0)
        await run.close()
        shutil.rmtree(Path(settings.sqlite_path).parent, ignore_errors=True)


def start_follower(settings: Settings, **env: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    full_env = {**os.environ, "CHANWARDEN_EVENT_STORE": "sqlite", "CHANWARDEN_SQLITE_PATH": str(settings.sqlite_path),
                "CHANWARDEN_CACHE": "redis", "CHANWARDEN_REDIS_PREFIX": settings.redis_prefix,
                "CHANWARDEN_PROJECTIONS_PORT": str(port), "CHANWARDEN_PUMP_INTERVAL": "0.2", **env}
    process = subprocess.Popen([str(CHANWARDEN), "projections", "follow"], env=full_env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if get(f"{base}/healthz")[0] == 200:
                return process, base
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError(f"the follower never answered /healthz: {process.communicate()[0]}")


def until(probe, seconds: float = 10.0):
    deadline = time.monotonic() + seconds
    while (found := probe()) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


def stop(process: subprocess.Popen) -> str:
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=20)
    assert process.returncode == 0, output
    return output


def test_the_follower_answers_health_readiness_and_metrics(kept_log) -> None:
    settings, last = kept_log
    process, base = start_follower(settings)
    try:
        assert get(f"{base}/healthz") == (200, '{"status": "alive"}')
        metrics = until(lambda: (text := get(f"{base}/metrics")[1]) and
                        (text if value(text, "chanwarden_projected_events_total", reader="redis") == last else None))
        assert metrics is not None, "the follower never projected the log"
        assert value(metrics, "chanwarden_projection_lag_events", reader="redis") == 0
        assert value(metrics, "chanwarden_degraded") == 0 and value(metrics, "chanwarden_errors_total") == 0
        status, body = get(f"{base}/readyz")
        assert (status, body) == (200, '{"status": "ready", "checks": {"event_store": "ok", "redis": "ok"}, '
                                       '"problems": {}}')
    finally:
        output = stop(process)
    assert f"{last} events projected" in output


def test_without_redis_the_follower_is_alive_but_not_ready_and_says_why(kept_log) -> None:
    settings, _ = kept_log
    password = "follower-redis-pw-77"
    process, base = start_follower(settings, CHANWARDEN_REDIS_URL=f"redis://:{password}@127.0.0.1:{free_port()}/0")
    try:
        assert get(f"{base}/healthz")[0] == 200
        status, body = get(f"{base}/readyz")
        assert status == 503 and '"status": "not_ready"' in body and '"event_store": "ok"' in body
        metrics = until(lambda: (text := get(f"{base}/metrics")[1]) and
                        (text if value(text, "chanwarden_degraded") == 1 else None))
        assert metrics is not None and value(metrics, "chanwarden_errors_total", component="projection") >= 1
    finally:
        output = stop(process)
    assert output.count("shared read models 'redis' unavailable") == 1  # one line, not one per try
    assert password not in output
