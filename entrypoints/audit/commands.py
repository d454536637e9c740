"""`chanwarden audit`: read the log as a story, explain a member, travel back in time, verify the chain.

Every command reads only the event store the usual settings name (CHANWARDEN_EVENT_STORE and its path or
DSN); `verify` also reads Redis when CHANWARDEN_CACHE=redis, to compare its read models with a replay.
"""

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from adapters.system_clock import SystemClock
from entrypoints.audit import history
from entrypoints.audit.log import iso, parse_time
from entrypoints.audit.replay import replay_at
from entrypoints.audit.verify import read_model_drift, verify_store
from infrastructure.backends import Backends, open_backends
from infrastructure.settings import Settings

T = TypeVar("T")

audit = typer.Typer(help="Auditors' tools: the event log explained, replayed, verified and exported.",
                    no_args_is_help=True)
console = Console()
errors = Console(stderr=True)

GROUP = typer.Option(..., "--group", help="The group's chat id.")
AS_JSON = typer.Option(False, "--json", help="Print JSON instead of tables.")


def fail(message: str, code: int = 2) -> None:
    errors.print(f"[red]{message}[/red]", highlight=False)
    raise typer.Exit(code)


def run(work: Callable[[Backends], Awaitable[T]], *, redis: bool = False, must_exist: bool = True) -> T:
    """Open the configured store (and Redis only when asked), do the work, close everything."""
    settings = Settings()
    if settings.event_store == "memory":
        fail("The memory store keeps nothing between runs: set CHANWARDEN_EVENT_STORE to sqlite or postgres.")
    if settings.event_store == "sqlite" and must_exist and not settings.sqlite_path.exists():
        fail(f"There is no event store at {settings.sqlite_path} (set CHANWARDEN_SQLITE_PATH).")
    if not redis:
        settings = settings.model_copy(update={"cache": "memory"})  # no Redis connection for store-only reads

    async def go() -> T:
        backends = await open_backends(settings, SystemClock())
        try:
            return await work(backends)
        finally:
            await backends.close()

    return asyncio.run(go())


def emit_json(data: Any) -> None:
    print(json.dumps(data, indent=2, default=str, ensure_ascii=False))


def instant(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_time(text)
    except ValueError:
        fail(f"{option} wants an ISO 8601 time such as 2026-01-01T09:00:00Z, not {text!r}.")
    return None


@audit.command()
def timeline(
    group: int = GROUP,
    user: int | None = typer.Option(None, "--user", help="Only this member (and the group's own events)."),
    since: str | None = typer.Option(None, "--since", help="ISO 8601; events at or after it."),
    until: str | None = typer.Option(None, "--until", help="ISO 8601; events at or before it."),
    as_json: bool = AS_JSON,
) -> None:
    """Every event of a group in order, with what it means in plain words."""
    start, end = instant(since, "--since"), instant(until, "--until")
    entries = run(lambda b: history.timeline(b.store, group, user, start, end))
    if as_json:
        emit_json([e.to_dict() for e in entries])
        return
    if not entries:
        console.print(f"No events for group {group}" + (f" and user {user}." if user is not None else "."))
        return
    table = Table("#", "time (UTC)", "about", "event", "what happened", title=f"Timeline of group {group}")
    for entry in entries:
        table.add_row(str(entry.position), iso(entry.time), entry.subject, entry.kind, entry.text)
    console.print(table)


@audit.command()
def explain(group: int = GROUP, user: int = typer.Option(..., "--user"), as_json: bool = AS_JSON) -> None:
    """A member's current state in a group, and the chain of events that led to it."""
    found = run(lambda b: history.explain(b.store, group, user))
    if as_json:
        emit_json(found.to_dict())
        return
    console.print(found.state, highlight=False)
    if not found.chain:
        return
    table = Table("#", "time (UTC)", "about", "what happened", "", title="How it came to this")
    for entry in found.chain:
        mark = "◀ current state" if entry.position == found.decisive else ""
        table.add_row(str(entry.position), iso(entry.time), entry.subject, entry.text, mark)
    console.print(table)


@audit.command()
def replay(at: str = typer.Option(..., "--at", help="ISO 8601 instant; events stamped at or before it count."),
           as_json: bool = AS_JSON) -> None:
    """Rebuild every group and verdict as it stood at an instant, from the events alone."""
    when = instant(at, "--at")
    past = run(lambda b: replay_at(b.store, when))
    if as_json:
        emit_json(past.to_dict())
        return
    console.print(f"As at {iso(past.at)}: {past.applied} events applied.", highlight=False)
    groups = Table("chat", "title", "protected", "channels", "settings", title="Groups")
    for g in past.groups:
        channels = ", ".join(f"{c['title']} ({c['id']})" for c in g.channels)
        settings = ", ".join(f"{k}={v}" for k, v in sorted(g.settings.items()))
        groups.add_row(str(g.chat_id), g.title, "yes" if g.protected else "no", channels, settings)
    console.print(groups)
    restricted = Table("chat", "member", "reason", "missing", "since (UTC)", title="Restricted members")
    for v in past.restricted():
        restricted.add_row(str(v.chat_id), str(v.member_id), v.reason or "", ", ".join(map(str, v.missing)),
                           iso(v.since))
    console.print(restricted if past.restricted() else "No member was restricted.")
    if past.undecodable:
        errors.print(f"[yellow]Undecodable events at positions {past.undecodable} stopped their streams.[/yellow]")


@audit.command()
def verify(
    allow_unhashed: bool = typer.Option(False, "--allow-unhashed",
                                        help="Accept rows stored without a hash (written by older tools)."),
    as_json: bool = AS_JSON,
) -> None:
    """Check versions, order, decoding and the hash chain (and Redis read models); exit 1 if anything is wrong."""

    async def work(backends: Backends) -> Any:
        result = await verify_store(backends.store)
        if backends.shared_read_models:
            if any(p.kind == "undecodable" for p in result.problems):
                result.drift.append("read models not compared: the log has undecodable events to replay")
            else:
                result.drift += await read_model_drift(backends.store, backends.shared_read_models)
        return result

    result = run(work, redis=True)
    if as_json:
        emit_json(result.to_dict(allow_unhashed))
    else:
        console.print(f"{result.events} events in {result.streams} streams; {result.hashed} hashed.")
        if result.problems:
            table = Table("position", "stream", "version", "problem", "detail", title="Problems")
            for p in result.problems:
                table.add_row(str(p.position), p.stream, str(p.version), p.kind, p.detail)
            console.print(table)
        for line in result.drift:
            console.print(f"read model drift: {line}", highlight=False)
        verdict = "[green]The log verifies.[/green]" if result.ok(allow_unhashed) else "[red]It does not verify.[/red]"
        console.print(verdict)
    raise typer.Exit(0 if result.ok(allow_unhashed) else 1)
