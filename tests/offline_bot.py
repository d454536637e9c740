"""Start `chanwarden run` in offline mode as its own process and wait until it has played its story."""

import os
import subprocess
import sys
import time
from pathlib import Path

CHANWARDEN = Path(sys.executable).parent / "chanwarden"
READY = "scripted updates handled"


def launch_offline(story: Path, workdir: Path, env: dict[str, str]) -> tuple[subprocess.Popen, list[str]]:
    """The running process, and the lines it printed up to the end of its story (or its exit)."""
    full_env = {**os.environ, "CHANWARDEN_OFFLINE_SCENARIO": str(story), "COLUMNS": "200", **env}
    process = subprocess.Popen([str(CHANWARDEN), "run"], env=full_env, cwd=workdir, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    lines = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        lines.append(line)
        if READY in line or not line:
            break
    return process, lines
