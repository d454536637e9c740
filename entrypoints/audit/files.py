"""`chanwarden audit export | import | report`: the log to and from JSON lines, and a group's HTML report."""

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import typer
from rich.progress import Progress

from entrypoints.audit.commands import GROUP, Session, audit, console, errors, fail, run, show_damage
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
    out: Path = typer.Option(..., "--out", help="The HTML file to write."),
    bucket: Literal["auto", "hour", "day"] = typer.Option("auto", "--bucket", help="Count per hour or per day."),
) -> None:
    """A self-contained HTML report: restrictions and releases over time, and the top reasons."""
    found, damage = run(lambda s: s.checked(lambda c: collect(s.store, group, bucket, c)))
    out.write_text(render(found, datetime.now(UTC), damage), encoding="utf-8")
    restrictions, releases = sum(found.restrictions.values()), sum(found.releases.values())
    console.print(f"Report on {found.title or group} written to {out}: "
                  f"{restrictions} restrictions, {releases} releases.", highlight=False)
    show_damage(damage)
