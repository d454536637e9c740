"""Every file and folder ARCHITECTURE.md names exists, so the picture cannot drift from the code unnoticed."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# A path: folders and a file with an extension, or a folder ending in "/", starting at a top-level name.
PATH = re.compile(r"(?<![\w./-])((?:[A-Za-z_][\w.-]*/)+(?:[\w.-]+\.(?:py|md|yml|yaml|json|toml|txt|cfg))?)(?![\w/-])")
NOT_PATHS = re.compile(r"^(?:https?:|scheme:|user:|t\.me/)")


def named_paths(text: str) -> set[str]:
    return {match.rstrip(".") for match in PATH.findall(text) if not NOT_PATHS.match(match)}


def test_every_path_architecture_md_names_exists() -> None:
    names = named_paths((ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8"))
    assert len(names) > 30  # the picture names its files
    missing = sorted(n for n in names if not (ROOT / n).exists())
    assert missing == [], f"ARCHITECTURE.md names paths that do not exist: {missing}"


def test_the_search_finds_files_and_folders_in_prose() -> None:
    text = "see `application/gate.py` and domain/ (and `infrastructure/observability/`), not http://x/y.py"
    assert named_paths(text) == {"application/gate.py", "domain/", "infrastructure/observability/"}
