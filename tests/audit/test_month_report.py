"""`audit report --month`: a group's month on one page, from a kept scenario log (SQLite and PostgreSQL) that
spans January and February; its refusals write nothing."""

import html
import re
import sys
from pathlib import Path

from audit_support import audit

MONTHS = Path(__file__).parent / "month.yaml"
INSTALL = "pip install 'chanwarden[sim]'"


def counts(page: str) -> dict[str, int]:
    return {html.unescape(what).strip(): int(n)
            for what, n in re.findall(r'<tr><td>(.*?)</td><td class="n">(\d+)</td></tr>', page)}


async def test_a_months_page_counts_that_month_only_and_embeds_its_plot(play, tmp_path) -> None:
    played = await play(MONTHS)
    out = tmp_path / "february.html"
    made = await audit(played.settings, "report", "--group", "2001", "--month", "2026-02", "--out", str(out))
    assert made.exit_code == 0, made.output
    page = out.read_text()
    assert counts(page) == {
        "members checked (the bot decided about them)": 2, "restrictions decided": 1,
        "members muted (the mute reached Telegram)": 1, "releases": 1,
        "released: the bot saw them join the missing channel": 1, "warnings posted": 1, "warnings removed": 2,
        "commands run": 1, "/settings quiet by user 10": 1, "/settings by user 1, refused: not an admin": 1,
        "bot's admin rights lost": 1, "bot's admin rights regained": 1,
    }
    assert "<td>2026-02-04T09:00:00+00:00</td><td>lost</td><td>@news (News)</td>" in page
    assert re.findall(r'src="([^"]{0,22})', page) == ["data:image/png;base64,"]  # the plot, and nothing fetched
    assert "<script" not in page and "<link" not in page and "http" not in page.split("</title>")[1]

    january = tmp_path / "january.html"
    await audit(played.settings, "report", "--group", "2001", "--month", "2026-01", "--out", str(january))
    assert counts(january.read_text())["/protect by user 10"] == 1 and "/protect" not in page


async def test_a_months_page_as_one_png(play, tmp_path) -> None:
    played = await play(MONTHS)
    out = tmp_path / "february.png"
    made = await audit(played.settings, "report", "--group", "2001", "--month", "2026-02", "--out", str(out))
    assert made.exit_code == 0, made.output
    assert out.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") and "2 members checked" in made.output


async def test_without_matplotlib_the_page_has_no_plot_and_says_how_to_get_it(play, tmp_path, monkeypatch) -> None:
    played = await play(MONTHS)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # as if the `sim` extra were not installed
    out = tmp_path / "february.html"
    made = await audit(played.settings, "report", "--group", "2001", "--month", "2026-02", "--out", str(out))
    assert made.exit_code == 0, made.output
    page = out.read_text()
    assert "<img" not in page and INSTALL in html.unescape(page) and counts(page)["commands run"] == 1

    png = tmp_path / "february.png"
    refused = await audit(played.settings, "report", "--group", "2001", "--month", "2026-02", "--out", str(png))
    assert refused.exit_code == 2 and INSTALL in refused.output and not png.exists()


async def test_bad_input_is_answered_plainly_and_nothing_is_written(play, tmp_path) -> None:
    played = await play(MONTHS)
    out = tmp_path / "page.html"

    async def report(*args: str):
        return await audit(played.settings, "report", *args, "--out", str(out))

    for month in ("2026-13", "February", "2026-2"):
        answer = await report("--group", "2001", "--month", month)
        assert answer.exit_code == 2 and "such as 2026-01" in answer.output, answer.output
    unknown = await report("--group", "4242", "--month", "2026-02")
    assert unknown.exit_code == 2 and "The log knows no group 4242" in unknown.output
    empty = await report("--group", "2001", "--month", "2026-03")
    assert empty.exit_code == 2 and "Chat (group 2001) has no events in 2026-03" in empty.output
    assert "runs from 2026-01-01 to 2026-02-05" in empty.output
    wrong_kind = await audit(played.settings, "report", "--group", "2001", "--month", "2026-02", "--out",
                             str(tmp_path / "page.pdf"))
    assert wrong_kind.exit_code == 2 and "an .html or a .png file" in wrong_kind.output
    for answer in (unknown, empty, wrong_kind):
        assert "Traceback" not in answer.output and "Nothing was written" in answer.output
    assert list(tmp_path.iterdir()) == [p for p in tmp_path.iterdir() if p.suffix == ".db"]


async def test_a_tampered_log_makes_the_page_open_with_a_warning(play, tmp_path) -> None:
    played = await play(MONTHS)
    rows = await played.rows()
    await played.execute("UPDATE {events} SET hash = $1 WHERE notification_id = $2", bytes(32), rows[3].position)
    out = tmp_path / "february.html"
    made = await audit(played.settings, "report", "--group", "2001", "--month", "2026-02", "--out", str(out))
    assert made.exit_code == 0 and made.output.startswith("Warning: this log does not verify"), made.output
    page = out.read_text()
    assert '<p class="warning">Warning: this log does not verify' in page and "Damage in the log" in page
