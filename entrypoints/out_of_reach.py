"""One line, never a traceback, when a command cannot reach the event store or Redis; then exit UNREACHABLE.

The line names the service and what its driver said (a refused connection, a login refused, no answer in
time), with every configured secret and any password in a URL masked, on standard error so that a command
whose output is data (`audit export`) keeps its standard output clean.
"""

import contextlib
import sqlite3
from collections.abc import Iterator

import asyncpg
import typer
from rich.console import Console

from adapters.redis.errors import RedisUnavailable
from application.ports.availability import Unavailable
from entrypoints.exit_codes import UNREACHABLE
from infrastructure.observability.logs import Redactor, secrets_of
from infrastructure.settings import Settings

# What opening a store can raise: the guards' Unavailable, and what the drivers raise before a guard is in place
# (a refused or failed login, a database that cannot be created, a file that cannot be opened).
OUT_OF_REACH = (Unavailable, OSError, asyncpg.PostgresError, sqlite3.OperationalError)

errors = Console(stderr=True)


def describe(error: BaseException) -> str:
    """The error and the driver's error under it, on one line."""
    said = str(error) or type(error).__name__
    cause = error.__cause__
    if cause is not None and str(cause) and str(cause) not in said:
        name = type(cause).__name__
        said += f" ({cause})" if name in said else f" ({name}: {cause})"
    return " ".join(said.split())


def unreachable_line(settings: Settings, error: BaseException) -> str:
    service = "Redis" if isinstance(error, RedisUnavailable) else f"the {settings.event_store} event store"
    return Redactor(secrets_of(settings)).text(f"Cannot reach {service}: {describe(error)}")


@contextlib.contextmanager
def exit_when_out_of_reach(
    settings: Settings, catch: type[BaseException] | tuple[type[BaseException], ...] = OUT_OF_REACH
) -> Iterator[None]:
    """Around opening the backends (or, catching only Unavailable, around work that may also fail on files of its
    own): a store or Redis out of reach ends the command with one line and exit UNREACHABLE."""
    try:
        yield
    except catch as error:
        errors.print(unreachable_line(settings, error), style="red", highlight=False, soft_wrap=True, markup=False)
        raise typer.Exit(UNREACHABLE) from None
