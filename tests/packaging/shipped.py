"""What the wheel ships and what its code imports, read from pyproject.toml and the source tree."""

import ast
import importlib.metadata
import importlib.util
import re
import sys
import tomllib
from functools import cache
from pathlib import Path

from setuptools import find_namespace_packages

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
OURS = {"domain", "application", "adapters", "infrastructure", "entrypoints", "benchmarks", "tests"}
OPTIONAL_ERRORS = {"ImportError", "ModuleNotFoundError"}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_names(requirements: list[str]) -> set[str]:
    return {canonical(re.match(r"[A-Za-z0-9._-]+", r).group()) for r in requirements}


def declared() -> set[str]:
    return requirement_names(PYPROJECT["project"]["dependencies"])


def extra(name: str) -> set[str]:
    return requirement_names(PYPROJECT["project"]["optional-dependencies"][name])


def shipped_packages() -> list[str]:
    found = PYPROJECT["tool"]["setuptools"]["packages"]["find"]
    return find_namespace_packages(str(ROOT), include=found["include"], exclude=found.get("exclude", []))


def shipped_files() -> list[Path]:
    """The .py files of the packages the wheel ships (each package's own folder, not its subpackages')."""
    return sorted(p for package in shipped_packages() for p in (ROOT / package.replace(".", "/")).glob("*.py"))


def _optional_lines(tree: ast.AST) -> set[int]:
    """Lines inside a `try:` that catches ImportError: what the code works without."""
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try):
            caught = set()
            for handler in node.handlers:
                kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
                caught |= {k.id for k in kinds if isinstance(k, ast.Name)}
            if caught & OPTIONAL_ERRORS:
                for inner in node.body:
                    lines |= set(range(inner.lineno, inner.end_lineno + 1))
    return lines


def third_party_imports(files: list[Path], root: Path = ROOT) -> dict[str, dict[str, bool]]:
    """Module name -> {file: whether that import is optional}, for modules outside the stdlib and this project.
    `from a import b` counts as a.b when that is a module, else as a."""
    found: dict[str, dict[str, bool]] = {}
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        optional = _optional_lines(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top in OURS:
                    continue
                found.setdefault(name, {})[str(path.relative_to(root))] = node.lineno in optional
    return found


@cache
def _owners() -> dict[Path, str]:
    """Installed file -> the distribution that installed it."""
    owners = {}
    for dist in importlib.metadata.distributions():
        for file in dist.files or ():
            owners[Path(dist.locate_file(file)).resolve()] = canonical(dist.metadata["Name"])
    return owners


def distribution_of(module: str) -> str | None:
    """The distribution that installed this module; None when it is not installed (or not a module: the `b`
    of `from a import b` that is a name in a)."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    files = [spec.origin] if spec.origin not in (None, "built-in", "frozen") else []
    files += [str(Path(p) / "__init__.py") for p in spec.submodule_search_locations or ()]
    for file in files:
        owner = _owners().get(Path(file).resolve())
        if owner is not None:
            return owner
    for location in spec.submodule_search_locations or ():  # a namespace package: whoever installed files in it
        for file in Path(location).rglob("*.py"):
            owner = _owners().get(file.resolve())
            if owner is not None:
                return owner
    return None


def distributions(imports: dict[str, dict[str, bool]]) -> dict[str, set[str]]:
    """Distribution -> the modules of it imported; a module found in no distribution is listed under '?'."""
    result: dict[str, set[str]] = {}
    for module in imports:
        owner = distribution_of(module)
        if owner is None and "." in module and distribution_of(module.rsplit(".", 1)[0]) is not None:
            continue  # `from a import name`: a name, counted through `a` itself
        result.setdefault(owner or "?", set()).add(module)
    return result
