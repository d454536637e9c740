"""`chanwarden audit`: read the log as a story, explain a member, travel back in time, verify the chain.

Every command reads only the event store the usual settings name (CHANWARDEN_EVENT_STORE and its path or
DSN), and checks what it reads with CHANWARDEN_AUDIT_KEY when it is set; `verify` also reads Redis when
CHANWARDEN_CACHE=redis, to compare its read models with a replay. The commands that tell the log (timeline,
explain, replay, report) verify it in the same pass and report any damage in one section of their output.
"""

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from adapters.system_clock import SystemClock
from application.ports.availability import Unavailable
from entrypoints.audit import history
from entrypoints.audit.damage import Damage
from entrypoints.audit.log import iso, parse_time
from entrypoints.audit.replay import replay_at
from entrypoints.audit.verify import Checker, conclude, read_model_drift, store_checker, verify_store
from entrypoints.out_of_reach import exit_when_out_of_reach
from infrastructure.backends import Backends, open_backends
from infrastructure.log_chain import KeyRefused, Linker
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


@dataclass
class Session:
    """What a command works with: the open backends, and the key (if any) the log is checked with."""

    backends: Backends
    linker: Linker

    @property
    def store(self) -> Any:
        return self.backends.store

    async def checked(self, read: Callable[[Checker], Awaitable[T]]) -> tuple[T, Damage]:
        """`read` the log while a checker sees every row, then the damage found."""
        checker = await store_checker(self.store, self.linker)
        found = await read(checker)
        return found, Damage(await conclude(checker, self.store))


def run(work: Callable[[Session], Awaitable[T]], *, redis: bool = False, must_exist: bool = True) -> T:
    """Open the configured store (and Redis only when asked), do the work, close everything."""
    settings = Settings()
    if settings.event_store == "memory":
        fail("The memory store keeps nothing between runs: set CHANWARDEN_EVENT_STORE to sqlite or postgres.")
    if settings.event_store == "sqlite" and must_exist and not settings.sqlite_path.exists():
        fail(f"There is no event store at {settings.sqlite_path} (set CHANWARDEN_SQLITE_PATH).")
    if not redis:
        settings = settings.model_copy(update={"cache": "memory"})  # no Redis connection for store-only reads
    try:
        linker = Linker.of(settings.audit_key)
    except KeyRefused as refusal:
        fail(f"{refusal}.")

    async def go() -> T:
        with exit_when_out_of_reach(settings):
            backends = await open_backends(settings, SystemClock(), membership_cache=False)
        try:
            with exit_when_out_of_reach(settings, Unavailable):  # not OSError here: export writes a file of its own
                return await work(Session(backends, linker))
        finally:
            await backends.close()

    return asyncio.run(go())


def show_damage(damage: Damage, to: Console | None = None, most: int = 20) -> None:
    """The damage a reading command found, as one section (nothing when there is none)."""
    if not damage:
        return
    to = to or console
    problems = damage.verification.problems
    to.print(f"[bold red]Damage in the log[/bold red]: {len(problems)} problem(s) found while reading it; what is "
             "shown above was read around them. `chanwarden audit verify` lists every check.", highlight=False)
    if problems:
        table = Table("position", "stream", "problem", "detail")
        for p in problems[:most]:
            table.add_row(str(p.position), p.stream or "(the log)", p.kind, p.detail)
        to.print(table)
        if len(problems) > most:
            to.print(f"... and {len(problems) - most} more.")
    for stop in damage.stops:
        to.print(f"Stream {stop.stream} stops at position {stop.position}: {stop.reason}; its later events were "
                 "not applied.", highlight=False)


def show_warning(damage: Damage | None, to: Console | None = None) -> None:
    """The first line of a reading command's output when `audit verify` would fail on the log it read."""
    warning = damage.warning() if damage is not None else None
    if warning:
        (to or console).print(f"[bold red]{warning}[/bold red]", highlight=False)


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
    entries, damage = run(lambda s: s.checked(lambda c: history.timeline(s.store, group, user, start, end, c)))
    if as_json:
        show_warning(damage, errors)
        emit_json([e.to_dict() for e in entries])
        show_damage(damage, errors)  # standard output stays the list of entries
        return
    show_warning(damage)
    if not entries:
        console.print(f"No events for group {group}" + (f" and user {user}." if user is not None else "."))
    else:
        table = Table("#", "time (UTC)", "about", "event", "what happened", title=f"Timeline of group {group}")
        for entry in entries:
            table.add_row(str(entry.position), iso(entry.time), entry.about, entry.kind, entry.text)
        console.print(table)
    show_damage(damage)


@audit.command()
def explain(group: int = GROUP, user: int = typer.Option(..., "--user"), as_json: bool = AS_JSON) -> None:
    """A member's current state in a group, the chain of events that led to it, and whether it is verified."""

    async def work(session: Session) -> history.Explanation:
        found, damage = await session.checked(lambda c: history.explain(session.store, group, user, c))
        found.judge(damage, group, user)
        return found

    found = run(work)
    if as_json:
        emit_json(found.to_dict())
        return
    show_warning(found.damage)
    console.print(found.state, highlight=False)
    console.print(found.history if found.verified else f"[bold red]{found.history}[/bold red]", highlight=False)
    if found.chain:
        table = Table("#", "time (UTC)", "about", "what happened", "", title="How it came to this")
        for entry in found.chain:
            mark = "◀ current state" if entry.position == found.decisive else ""
            table.add_row(str(entry.position), iso(entry.time), entry.about, entry.text, mark)
        console.print(table)
    show_damage(found.damage)


@audit.command()
def replay(at: str = typer.Option(..., "--at", help="ISO 8601 instant; events stamped at or before it count."),
           as_json: bool = AS_JSON) -> None:
    """Rebuild every group and verdict as it stood at an instant, from the events alone."""
    when = instant(at, "--at")

    async def work(session: Session) -> Any:
        past, damage = await session.checked(lambda c: replay_at(session.store, when, c))
        damage.stops, past.damage = past.stops, damage
        return past

    past = run(work)
    if as_json:
        emit_json(past.to_dict())
        return
    console.print(f"As at {iso(past.at)}: {past.applied} events applied.", highlight=False)
    groups = Table("chat", "title", "protected", "channels", "settings", title="Groups")
    for g in past.groups:
        channels = ", ".join(f"{c.title} ({c.id})" for c in g.channels)
        settings = ", ".join(f"{k}={v}" for k, v in sorted(g.settings.items()))
        groups.add_row(str(g.chat_id), g.title, "yes" if g.protected else "no", channels, settings)
    console.print(groups)
    restricted = Table("chat", "member", "reason", "missing", "since (UTC)", title="Restricted members")
    for v in past.restricted():
        restricted.add_row(str(v.chat_id), str(v.member_id), v.reason or "", ", ".join(map(str, v.missing)),
                           iso(v.since))
    console.print(restricted if past.restricted() else "No member was restricted.")
    show_damage(past.damage)


def parse_anchor(text: str | None) -> tuple[int, bytes] | None:
    if text is None:
        return None
    position, _, link = text.partition(":")
    try:
        parsed = int(position), bytes.fromhex(link)
    except ValueError:
        parsed = (0, b"")
    if parsed[0] < 1 or len(parsed[1]) != 32:
        fail(f"--anchor wants POSITION:LINK as an earlier verify printed it (a position, a colon, 64 hex digits), "
             f"not {text!r}.")
    return parsed


@audit.command()
def verify(
    allow_unhashed: bool = typer.Option(False, "--allow-unhashed",
                                        help="Accept rows stored without a hash (written by older tools)."),
    anchor: str | None = typer.Option(None, "--anchor", metavar="POSITION:LINK",
                                      help="A head printed by an earlier verify and kept outside the database: "
                                           "the log must still hold that row with that link."),
    as_json: bool = AS_JSON,
) -> None:
    """Check versions, order, decoding, the hash chains, the log chain and its end (and Redis read models);
    exit 1 if anything is wrong. With CHANWARDEN_AUDIT_KEY, keyed links are checked with the key."""
    anchored = parse_anchor(anchor)

    async def work(session: Session) -> Any:
        shared = session.backends.shared_read_models
        # Read before the log, so that on a live log they can only trail what is checked (see store_checker).
        readers = {f"{name} read models": await models.position() for name, models in shared.items()}
        result = await verify_store(session.store, session.linker, readers, anchored)
        if shared:
            if any(p.kind == "undecodable" for p in result.problems):
                result.drift.append("read models not compared: the log has undecodable events to replay")
            else:
                result.drift += await read_model_drift(session.store, shared)
        return result

    result = run(work, redis=True)
    ok = result.ok(allow_unhashed)
    if as_json:
        emit_json(result.to_dict(allow_unhashed))
        raise typer.Exit(0 if ok else 1)
    console.print(f"{result.events} events in {result.streams} streams; {result.hashed} hashed, "
                  f"{result.linked} linked in the log chain.", highlight=False)
    for note in result.notes:
        console.print(f"• {note}", highlight=False)
    if result.head:
        console.print(f"• The log's head: --anchor {result.head['position']}:{result.head['link']} (kept outside the "
                      "database, it lets a later verify show that the log up to here was not rewritten).",
                      highlight=False)
    if result.problems:
        table = Table("position", "stream", "version", "problem", "detail", title="Problems")
        for p in result.problems:
            table.add_row(str(p.position), p.stream or "(the log)", str(p.version) if p.stream else "", p.kind,
                          p.detail)
        console.print(table)
    for line in result.drift:
        console.print(f"read model drift: {line}", highlight=False)
    if not ok:
        console.print("[red]It does not verify.[/red]")
    elif result.unchecked:
        console.print("[yellow]The log verifies, but for its keyed links, which need the key.[/yellow]")
    else:
        console.print("[green]The log verifies.[/green]")
    raise typer.Exit(0 if ok else 1)
