"""A scenario file `chanwarden simulate` cannot use: exit 2 and one line that names the problem, never a
traceback (a file that is not UTF-8, a wait no clock can take)."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from entrypoints.cli import app

WORLD = "world:\n  groups: [{id: 2001, title: Chat, creator: 11}]\n  users: [{id: 11, name: Owner}]\n"


def simulate(path: Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(app, ["simulate", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output.strip().splitlines()


def test_a_file_that_is_not_utf8_is_named_as_such(tmp_path: Path) -> None:
    scenario = tmp_path / "latin1.yaml"
    scenario.write_bytes((WORLD + "name: Caf\xe9\nsteps: []\n").encode("latin-1"))
    code, lines = simulate(scenario)
    assert code == 2 and len(lines) == 1 and "not UTF-8" in lines[0], lines


@pytest.mark.parametrize("seconds", ["1e308", ".inf", ".nan", "-1", "400000000"])
@pytest.mark.parametrize("step", ["wait", "raid"])
def test_a_wait_beyond_any_clock_is_refused_with_the_step_named(tmp_path: Path, step: str, seconds: str) -> None:
    scenario = tmp_path / "long.yaml"
    extra = ", chat: 2001, count: 3" if step == "raid" else ""
    scenario.write_text(WORLD + f"steps:\n  - {{do: {step}, seconds: {seconds}{extra}}}\n")
    code, lines = simulate(scenario)
    assert code == 2 and len(lines) == 1, lines
    assert f"step 1 ({step})" in lines[0] and "seconds" in lines[0]


def test_ten_years_is_still_a_wait(tmp_path: Path) -> None:
    scenario = tmp_path / "decade.yaml"
    scenario.write_text(WORLD + "steps:\n  - {do: wait, seconds: 315576000}\n")
    code, _ = simulate(scenario)
    assert code == 0
