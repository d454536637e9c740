"""Nezuko's own Python 3.13 virtualenv, built once from the pinned copy and kept under ~/.cache/chanwarden.

Only the package registry is used (pip with the pinned requirements); the cache key is the hash of the pinned
requirements and source, so a changed pin builds a new environment and an unchanged one is reused.
"""

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

PINNED = Path(__file__).resolve().parents[2].parent / "shared" / "peers" / "nezuko"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "chanwarden"


class NezukoUnavailable(Exception):
    """Nezuko cannot be set up here; the message says why in one line."""


def pinned_source() -> Path:
    found = Path(os.environ.get("CHANWARDEN_NEZUKO_SOURCE", PINNED))
    if not (found / "apps" / "bot" / "main.py").exists():
        raise NezukoUnavailable(f"the pinned Nezuko copy is not at {found} (set CHANWARDEN_NEZUKO_SOURCE)")
    return found


def python313() -> str:
    for candidate in (os.environ.get("CHANWARDEN_PYTHON313"), shutil.which("python3.13"),
                      str(Path.home() / ".pyenv" / "versions" / "3.13.0" / "bin" / "python3.13")):
        if candidate and Path(candidate).exists() and _runs(candidate):
            return candidate
    versions = sorted((Path.home() / ".pyenv" / "versions").glob("3.13*/bin/python3.13"))
    if versions:
        return str(versions[-1])
    raise NezukoUnavailable("Python 3.13 is needed for Nezuko (set CHANWARDEN_PYTHON313 to its interpreter)")


def _runs(python: str) -> bool:
    return subprocess.run([python, "-c", "import sys; assert sys.version_info[:2] == (3, 13)"],
                          capture_output=True).returncode == 0


def fingerprint(source: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in source.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(source)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def ensure(progress=print) -> tuple[str, Path]:
    """(Nezuko's python, a copy of its source to run from): built once, reused while the pin is unchanged.

    The copy is there because Nezuko writes its logs under its own folder, and shared/ may be read-only.
    """
    source = pinned_source()
    home = CACHE / f"nezuko-{fingerprint(source)}"
    python = home / "venv" / "bin" / "python"
    ready = home / ".ready"
    if not ready.exists():
        interpreter = python313()
        progress(f"building Nezuko's Python 3.13 environment in {home} (once)")
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        subprocess.run([interpreter, "-m", "venv", str(home / "venv")], check=True)
        pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        done = subprocess.run([*pip, "-r", str(source / "requirements" / "prod-bot.txt")], capture_output=True,
                              text=True)
        if done.returncode != 0:
            raise NezukoUnavailable("pip could not install Nezuko's requirements: "
                                    + (done.stderr.strip().splitlines() or ["no output"])[-1])
        shutil.copytree(source, home / "src", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(Path(__file__).with_name("nezuko_launch.py"), home / "src" / "nezuko_launch.py")
        ready.touch()
    launch = home / "src" / "nezuko_launch.py"
    if launch.read_bytes() != Path(__file__).with_name("nezuko_launch.py").read_bytes():
        shutil.copy(Path(__file__).with_name("nezuko_launch.py"), launch)
    return str(python), home / "src"
