"""pyproject.toml declares exactly what the shipped packages import, and the sim extra what the rig adds."""

from pathlib import Path

from tests.packaging.shipped import (
    ROOT,
    declared,
    distributions,
    extra,
    shipped_files,
    shipped_packages,
    third_party_imports,
)

RIG = ["adapters/simulated_telegram", "entrypoints/scenarios", "benchmarks"]
# Run by a peer bot's own interpreter in its own venv (python-telegram-bot there), never imported by the rig.
PEER_SIDE = {"benchmarks/peers/nezuko_launch.py"}


def test_the_wheel_leaves_the_rig_out() -> None:
    packages = set(shipped_packages())
    assert {"domain", "application", "adapters.telethon", "infrastructure", "entrypoints.audit"} <= packages
    assert not {p for p in packages if p.startswith(("adapters.simulated_telegram", "entrypoints.scenarios",
                                                      "benchmarks", "tests"))}, packages


def test_every_import_of_the_product_is_declared_and_every_dependency_imported() -> None:
    imports = third_party_imports(shipped_files())
    required = {m: files for m, files in imports.items() if not all(files.values())}
    needed = distributions(required)
    assert "?" not in needed, f"imported, but installed by no distribution: {needed.get('?')}"
    optional = distributions({m: files for m, files in imports.items() if all(files.values())})
    assert set(needed) - declared() == set(), "imported by the product and not declared in dependencies"
    assert declared() - set(needed) - set(optional) == set(), "declared and never imported"
    # What the product only tries (matplotlib for a plot, uvloop) is declared, or in the extra that brings it.
    assert set(optional) - {"?"} <= declared() | extra("sim")


def test_the_sim_extra_brings_what_the_rig_imports() -> None:
    files = [p for folder in RIG for p in sorted((ROOT / folder).rglob("*.py"))
             if p.relative_to(ROOT).as_posix() not in PEER_SIDE]
    assert {ROOT / path for path in PEER_SIDE} <= set((ROOT / "benchmarks").rglob("*.py"))
    imports = third_party_imports(files)
    needed = distributions({m: f for m, f in imports.items() if not all(f.values())})
    assert "?" not in needed, needed.get("?")
    assert set(needed) <= declared() | extra("sim"), set(needed) - declared() - extra("sim")


def test_the_checks_above_can_fail(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("import yaml\ntry:\n    import matplotlib\nexcept ImportError:\n    pass\n")
    imports = third_party_imports([probe], root=tmp_path)
    assert imports == {"yaml": {"probe.py": False}, "matplotlib": {"probe.py": True}}
    assert distributions({m: f for m, f in imports.items() if not all(f.values())}) == {"pyyaml": {"yaml"}}
    assert "pyyaml" not in declared()  # the product imports no YAML: a stray `import yaml` would fail the test
