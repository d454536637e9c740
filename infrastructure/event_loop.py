"""The event loop the bot runs on: uvloop where it is installed, asyncio's own otherwise.

Most of the bot's time is the loop's own work (sockets to Telegram, PostgreSQL and Redis, timers), which
uvloop does in C; the benchmark runs on the same loop as production, so its figures are the bot's.
"""

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def name() -> str:
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return "asyncio"
    return "uvloop"


def run(main: Coroutine[Any, Any, T]) -> T:
    if name() == "uvloop":
        import uvloop

        return uvloop.run(main)
    return asyncio.run(main)
