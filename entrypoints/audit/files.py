"""`chanwarden audit export | import | report`: the log to and from JSON lines, a group's HTML report, and a
group's month on one page (HTML or PNG)."""

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import typer
from rich.markup import escape
from rich.progress import Progress

from entrypoints.audit.commands import GROUP, Session, audit, console, errors, fail, run, show_damage, show_warning
from entrypoints.audit.log import iso
from entrypoints.audit.month import Month, collect_month
from entrypoints.audit.month_page import render_month
from entrypoints.audit.plot import PlotUnavailable, page_png
from entrypoints.audit.report import collect, render
from entrypoints.audit.transfer import Imported, ImportRefused, export_jsonl, import_jsonl
from infrastructure.log_chain import Linker


@audit.command()
def export(
    fmt: Literal["jsonl"] = typer.Option("jsonl", "--format", help="jsonl: one stored event per line."),
    out: Path | None = typer.Option(None, "--out", help="Write to this file instead of standard output."),
) -> None:
    """Stream every stored event, with its hash and log link, in log order (progress on standard error)."""

    async def work(session: Session) -> int:
        total = await session.store.last_position()
        with Progress(console=errors, transient=True) as progress:
            task = progress.add_task("exporting", total=total)
            target = open(out, "w", encoding="utf-8") if out else sys.stdout  # noqa: SIM115 (closed below)
            try:
                return await export_jsonl(session.store, target, lambda n: progress.advance(task, n))
            finally:
                if out:
                    target.close()
                else:
                    target.flush()

    count = run(work)
    errors.print(f"{count} events exported" + (f" to {out}." if out else "."), highlight=False)


@audit.command("import")
def import_(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="A file written by `audit export`."),
    allow_unhashed: bool = typer.Option(False, "--allow-unhashed",
                                        help="Accept rows without a hash; they get a new one."),
) -> None:
    """Copy an export into an EMPTY event store: the same streams, versions, topics, states and hashes; the
    store links the log chain afresh (with CHANWARDEN_AUDIT_KEY, if set)."""

    async def work(session: Session) -> tuple[Imported, Linker]:
        with Progress(console=errors, transient=True) as progress:
            task = progress.add_task("importing", total=None)
            imported = await import_jsonl(session.store, file, allow_unhashed, lambda n: progress.advance(task, n),
                                          session.linker)
        return imported, session.linker

    try:
        imported, linker = run(work, must_exist=False)
    except ImportRefused as refusal:
        fail(f"Nothing was imported: {refusal}", 1)
    chain = f"keyed, key fingerprint {linker.fingerprint.hex()}" if linker.keyed else "unkeyed"
    console.print(f"{imported.count} events imported. The store linked them into a log chain of its own ({chain}): "
                  "their stream hashes are the file's, their links are new.", highlight=False)
    for note in imported.unchecked:
        console.print(f"Note: {note}.", highlight=False)


@audit.command()
def report(
    group: int = GROUP,
    month: str | None = typer.Option(None, "--month", metavar="YYYY-MM",
                                     help="One page on that month (UTC): the figures and a timeline plot."),
    out: Path | None = typer.Option(None, "--out", help="The file to write: .html, or .png with --month."),
    bucket: Literal["auto", "hour", "day"] = typer.Option("auto", "--bucket", help="Count per hour or per day."),
) -> None:
    """A self-contained HTML report: restrictions and releases over time, and the top reasons; with --month, the
    month's figures (checks, mutes, releases, warnings, commands and who ran them, rights) and a timeline plot."""
    if month is not None:
        month_report(group, month, out)
        return
    if out is None:
        fail("--out names the HTML file to write (or give --month YYYY-MM for one month's page).")
    found, damage = run(lambda s: s.checked(lambda c: collect(s.store, group, bucket, c)))
    out.write_text(render(found, datetime.now(UTC), damage), encoding="utf-8")
    restrictions, releases = sum(found.restrictions.values()), sum(found.releases.values())
    console.print(f"Report on {found.title or group} written to {out}: "
                  f"{restrictions} restrictions, {releases} releases.", highlight=False)
    show_damage(damage)


def month_report(group: int, text: str, out: Path | None) -> None:
    """`report --month`: every refusal comes before anything is written, so a refused report leaves no file."""
    try:
        month = Month.parse(text)
    except ValueError:
        fail(f"--month wants a year and a month such as 2026-01, not {text!r}. Nothing was written.")
    out = out or Path(f"chanwarden-{group}-{month}.html")
    if out.suffix.lower() not in (".html", ".htm", ".png"):
        fail(f"--out names an .html or a .png file, not {out.name!r}. Nothing was written.")
    found, damage = run(lambda s: s.checked(lambda c: collect_month(s.store, group, month, c)))
    if not found.known:
        fail(f"The log knows no group {group}: the bot was never in it, or the id is wrong (a supergroup's id "
             "starts with -100). Nothing was written.")
    if not found.events:
        fail(f"{found.name} has no events in {month}: its log runs from {iso(found.first)[:10]} to "
             f"{iso(found.last)[:10]}. Nothing was written.")
    show_warning(damage)
    if out.suffix.lower() == ".png":
        try:
            out.write_bytes(page_png(found, [w for w in [damage.warning()] if w]))
        except PlotUnavailable as missing:
            fail(f"A PNG page cannot be drawn: {escape(str(missing))}. An HTML page (--out FILE.html) needs no plot. "
                 "Nothing was written.")
    else:
        out.write_text(render_month(found, datetime.now(UTC), damage), encoding="utf-8")
    console.print(f"Report on {found.name} for {month} written to {out}: {len(found.checked)} members checked, "
                  f"{len(found.muted)} muted, {sum(found.released.values())} released.", highlight=False)
    show_damage(damage)
