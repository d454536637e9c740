"""The wheel `pip install .` builds holds the bot, its CLI and its operator tools, and not its test rig; installed
alone in a fresh virtualenv, `chanwarden run --help` works without matplotlib or the simulator."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.packaging.shipped import ROOT

SKIPPED = shutil.ignore_patterns(".venv", ".git", "build", "*.egg-info", "__pycache__", ".pytest_cache",
                                 ".ruff_cache", ".chanwarden")
RIG = ("adapters/simulated_telegram/", "entrypoints/scenarios/", "benchmarks/", "tests/",
       "adapters/postgres/sync_recorder.py", "entrypoints/demo.py", "entrypoints/offline_run.py")
PRODUCT = ("entrypoints/cli.py", "entrypoints/run.py", "entrypoints/audit/commands.py", "entrypoints/operations.py",
           "adapters/telethon/gateway.py", "adapters/postgres/event_store.py", "infrastructure/bootstrap.py",
           "application/gatekeeper.py", "domain/membership_verdict.py")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Built from a copy of the tree, so the build leaves nothing in the checkout."""
    source = tmp_path_factory.mktemp("source") / "chanwarden"
    shutil.copytree(ROOT, source, ignore=SKIPPED)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps",
                    "--quiet", "-w", str(out)], check=True, capture_output=True, timeout=300)
    (built,) = out.glob("chanwarden-*.whl")
    return built


def test_the_wheel_holds_the_product_and_not_the_rig(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert set(PRODUCT) <= set(names), set(PRODUCT) - set(names)
    assert [n for n in names if n.startswith(RIG) or n.endswith(".yaml")] == []
    metadata = next(n for n in names if n.endswith("/METADATA"))
    requires = [line for line in zipfile.ZipFile(wheel).read(metadata).decode().splitlines()
                if line.startswith("Requires-Dist:")]
    base = [r for r in requires if "extra ==" not in r]
    assert not [r for r in base if any(name in r.lower() for name in ("matplotlib", "pyyaml", "aiolimiter"))]
    assert any("matplotlib" in r and 'extra == "sim"' in r for r in requires)


@pytest.mark.slow
def test_installed_alone_it_runs_without_its_rig(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, str(wheel)], check=True, timeout=900)
    outside = tmp_path / "elsewhere"  # not the checkout: nothing of the source tree is importable here
    outside.mkdir()
    chanwarden = str(venv / "bin" / "chanwarden")

    def run(*args: str, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(args, cwd=outside, capture_output=True, text=True, timeout=120,
                              env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", **env})

    helped = run(chanwarden, "run", "--help")
    assert helped.returncode == 0 and "Run the bot on Telegram" in helped.stdout, helped.stderr
    missing = run(str(venv / "bin" / "python"), "-c",
                  "import importlib.util as u; print([m for m in ('matplotlib', 'yaml', 'adapters.simulated_telegram',"
                  " 'entrypoints.scenarios', 'benchmarks') if u.find_spec(m)])")
    assert missing.stdout.strip() == "[]", missing.stdout + missing.stderr
    demo = run(chanwarden, "demo")
    assert demo.returncode == 2 and "pip install -e '.[sim]'" in demo.stdout
    assert len(demo.stdout.strip().splitlines()) == 1 and "Traceback" not in demo.stdout + demo.stderr
    simulated = run(chanwarden, "run", CHANWARDEN_OFFLINE_SCENARIO="story.yaml", TELEGRAM_API_ID="1",
                    TELEGRAM_API_HASH="0123456789abcdef", TELEGRAM_BOT_TOKEN="1:token")
    assert simulated.returncode == 2, simulated.stdout + simulated.stderr
    assert "CHANWARDEN_OFFLINE_SCENARIO asks for a simulated world" in simulated.stdout
    assert "Traceback" not in simulated.stdout + simulated.stderr
